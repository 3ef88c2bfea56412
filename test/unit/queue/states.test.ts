import { describe, expect, it } from 'vitest';
import { isFinal, MIGRATION_STATES, QUEUE_ACTIONS, transition, TRANSITIONS, type MigrationStatus } from '../../../src/queue/states.js';

describe('the history state machine', () => {
  it('takes each action only from the states it names, to the state it names', () => {
    const table: Record<string, Record<string, string>> = {};
    for (const action of QUEUE_ACTIONS) {
      table[action] = {};
      for (const from of MIGRATION_STATES) {
        const t = transition(from, action);
        (table[action] as Record<string, string>)[from] = 'to' in t ? t.to : '-';
      }
    }
    expect(table).toEqual({
      start: { queued: 'running', postponed: 'running', running: '-', succeeded: '-', failed: '-', cancelled: '-', interrupted: 'running' },
      succeed: { queued: '-', postponed: '-', running: 'succeeded', succeeded: '-', failed: '-', cancelled: '-', interrupted: '-' },
      fail: { queued: '-', postponed: '-', running: 'failed', succeeded: '-', failed: '-', cancelled: '-', interrupted: '-' },
      abort: { queued: '-', postponed: '-', running: 'cancelled', succeeded: '-', failed: '-', cancelled: '-', interrupted: '-' },
      interrupt: { queued: '-', postponed: '-', running: 'interrupted', succeeded: '-', failed: '-', cancelled: '-', interrupted: '-' },
      cancel: { queued: 'cancelled', postponed: 'cancelled', running: '-', succeeded: '-', failed: 'cancelled', cancelled: '-', interrupted: 'cancelled' },
      retry: { queued: '-', postponed: 'queued', running: '-', succeeded: '-', failed: 'queued', cancelled: 'queued', interrupted: 'queued' },
      postpone: { queued: 'postponed', postponed: 'postponed', running: '-', succeeded: '-', failed: 'postponed', cancelled: '-', interrupted: 'postponed' },
    });
  });

  it('a succeeded migration is never run, cancelled or retried again', () => {
    for (const action of QUEUE_ACTIONS) expect('refused' in transition('succeeded', action)).toBe(true);
  });

  it('says why an action is refused, and what a running migration gets instead of a cancel', () => {
    expect(transition('succeeded', 'retry')).toEqual({ refused: 'it is succeeded; only a migration that is failed, cancelled, interrupted or postponed can be retried' });
    expect(transition('running', 'cancel')).toEqual({
      refused: 'it is running; only a migration that is queued, postponed, interrupted or failed can be cancelled (a running migration is asked to stop instead)',
    });
  });

  it('every state is reachable from queued, and only running ends in an outcome', () => {
    const reached = new Set<MigrationStatus>(['queued']);
    for (let changed = true; changed; ) {
      changed = false;
      for (const t of Object.values(TRANSITIONS)) {
        if (t.from.some((f) => reached.has(f)) && !reached.has(t.to)) {
          reached.add(t.to);
          changed = true;
        }
      }
    }
    expect([...reached].sort()).toEqual([...MIGRATION_STATES].sort());
    expect(MIGRATION_STATES.filter(isFinal)).toEqual(['succeeded', 'failed', 'cancelled']);
  });
});
