import { describe, expect, it } from 'vitest';
import { hookEnv } from '../../src/hooks/hook-env.js';
import { HOOK_EVENTS, hookFailureIsFatal, hookPrefix } from '../../src/hooks/hook-event.js';
import { describeHookExit, lastLine } from '../../src/hooks/run-hook.js';
import { MigrationState } from '../../src/state.js';

const context = { database: 'd', table: 't', ghostTable: '_t_gho', oldTable: '_t_del', ddl: 'ENGINE=InnoDB', host: 'h:3306' };

describe('hookEnv', () => {
  it('leaves the ETA, throttle reason, command and exit reason empty before they are known', () => {
    const state = new MigrationState({ nowMs: 5_000, chunkSize: 1000, dmlBatchSize: 100 });
    const env = hookEnv({ event: 'startup', context, state, nowMs: 6_999 });
    expect(env).toMatchObject({
      OSCHANGE_ELAPSED_SECONDS: '1',
      OSCHANGE_ELAPSED_COPY_SECONDS: '0',
      OSCHANGE_ETA_SECONDS: '',
      OSCHANGE_THROTTLE_REASON: '',
      OSCHANGE_COMMAND: '',
      OSCHANGE_EXIT_REASON: '',
      OSCHANGE_STATUS: 'Copy: 0/0 0.0%; Applied: 0; Backlog: 0/0; Time: 2s(total), 0s(copy); streamer: N/A; Lag: N/A, State: inspecting; ETA: N/A',
    });
  });
  it('stops the copy clock at the end of the copy and reports an ETA of 0', () => {
    const state = new MigrationState({ nowMs: 0, chunkSize: 1000, dmlBatchSize: 100 });
    state.copyStartedAtMs = 1_000;
    state.copyEndedAtMs = 61_500;
    const env = hookEnv({ event: 'failure', context, state, nowMs: 90_000, extra: { exitReason: 'lost connection' } });
    expect(env).toMatchObject({ OSCHANGE_ELAPSED_SECONDS: '90', OSCHANGE_ELAPSED_COPY_SECONDS: '60', OSCHANGE_ETA_SECONDS: '0', OSCHANGE_EXIT_REASON: 'lost connection' });
  });
});

describe('hook events', () => {
  it('has no event name that is a prefix of another, so file prefixes never cross events', () => {
    for (const a of HOOK_EVENTS) for (const b of HOOK_EVENTS) if (a !== b) expect(hookPrefix(b).startsWith(hookPrefix(a))).toBe(false);
  });
  it('lets only status and failure hooks fail without failing the migration', () => {
    expect(HOOK_EVENTS.filter((e) => !hookFailureIsFatal(e))).toEqual(['status', 'failure']);
  });
  it('describes each way a hook can end', () => {
    expect(describeHookExit({ kind: 'not-started', reason: 'spawn EACCES' })).toBe('could not be started (spawn EACCES)');
    expect(lastLine('a\r\nb\r\n\n')).toBe('b');
  });
});
