import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OschangeError } from '../../src/errors.js';
import { Hooks, type HookContext } from '../../src/hooks/hooks.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { MigrationState } from '../../src/state.js';
import { statusLine } from '../../src/status/format.js';

const context: HookContext = {
  database: 'shop',
  table: 'orders',
  ghostTable: '_orders_gho',
  oldTable: '_orders_del',
  ddl: "ADD COLUMN note varchar(10) DEFAULT 'a b'\n, ADD INDEX (note)",
  host: 'db1.example:3306',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oschange-hooks-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function hook(name: string, body: string, mode = 0o755): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, mode);
  return file;
}

function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ level: 'debug', pretty: false, destination }), lines };
}

function hooks(o: { log?: Logger; timeoutMs?: number; now?: () => number; state?: MigrationState } = {}): Hooks {
  return new Hooks({
    hooksPath: dir,
    context,
    state: o.state ?? new MigrationState({ nowMs: 0, chunkSize: 1000, dmlBatchSize: 100 }),
    now: o.now ?? (() => 1000),
    log: o.log ?? silentLogger(),
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  });
}

async function rejection(p: Promise<unknown>): Promise<OschangeError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof OschangeError)) throw new Error(`expected an OschangeError, got ${String(err)}`);
  return err;
}

/** Gone, or a zombie nobody reaps (PID 1 in a container may not): either way it runs nothing. */
function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
  return stat === '' || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
}

describe('Hooks', () => {
  it('runs only the matching prefix, in name order, one after another', async () => {
    const out = join(dir, 'order.log');
    // -a sleeps first: were the hooks run concurrently, -b would finish before it.
    hook('oschange-on-startup-b', `echo b >> ${out}`);
    hook('oschange-on-startup', `echo plain >> ${out}`);
    hook('oschange-on-startup-a', `sleep 0.2; echo a >> ${out}`);
    hook('oschange-on-startupx', `echo x >> ${out}`);
    hook('oschange-on-status', `echo status >> ${out}`);
    hook('x-oschange-on-startup', `echo other >> ${out}`);
    await hooks().run('startup');
    expect(readFileSync(out, 'utf8')).toBe('plain\na\nb\nx\n');
  });

  it("runs gh-ost's hooks too, in name order with oschange's, with gh-ost's GH_OST_ variable names", async () => {
    const out = join(dir, 'out');
    hook('gh-ost-on-startup-notify', `echo "gh-ost $GH_OST_DATABASE_NAME.$GH_OST_TABLE_NAME $GH_OST_GHOST_TABLE_NAME $GH_OST_EXECUTING_HOST $GH_OST_MIGRATED_HOST" >> ${out}`);
    hook('oschange-on-startup-a', `echo "oschange $OSCHANGE_TABLE_NAME" >> ${out}`);
    hook('gh-ost-on-success-x', `echo never >> ${out}`);
    await hooks().run('startup');
    expect(readFileSync(out, 'utf8')).toBe('gh-ost shop.orders _orders_gho db1.example:3306 db1.example:3306\noschange orders\n');
  });

  it('gives each hook the process environment plus every OSCHANGE_ variable', async () => {
    const out = join(dir, 'env.bin');
    hook('oschange-on-interactive-command', `env -0 > ${out}`);
    const state = new MigrationState({ nowMs: 1_000_000, chunkSize: 1000, dmlBatchSize: 100 });
    state.phase = 'copying';
    state.copyStartedAtMs = 1_002_000;
    state.rowsEstimate = 100_000;
    state.rowsCopied = 12_000;
    state.eventsApplied = 34;
    state.backlogCapacity = 20_000;
    state.streamerPosition = { file: 'binlog.000002', position: 4711 };
    state.lastHeartbeatSeenMs = 1_007_380;
    state.throttleReason = 'max-lag: 2.10s > 1.50s';
    process.env['HOOKS_TEST_INHERITED'] = 'from parent';
    try {
      await hooks({ state, now: () => 1_007_400 }).run('interactive-command', { command: 'chunk-size=500' });
    } finally {
      delete process.env['HOOKS_TEST_INHERITED'];
    }
    const env = new Map(
      readFileSync(out, 'utf8')
        .split('\0')
        .filter((kv) => kv !== '')
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as const),
    );
    expect(env.get('HOOKS_TEST_INHERITED')).toBe('from parent');
    expect(env.get('OSCHANGE_STATUS')).toMatch(/^Copy: 12000\/100000 12\.0%; Applied: 34; .*Time: 7\.4s\(total\), 5\.4s\(copy\); streamer: binlog\.000002:4711; .*ETA: 40s$/);
    expect(Object.fromEntries([...env].filter(([k]) => k.startsWith('OSCHANGE_') && !(k in process.env)))).toEqual({
      OSCHANGE_DATABASE_NAME: 'shop',
      OSCHANGE_TABLE_NAME: 'orders',
      OSCHANGE_GHOST_TABLE_NAME: '_orders_gho',
      OSCHANGE_OLD_TABLE_NAME: '_orders_del',
      OSCHANGE_DDL: "ADD COLUMN note varchar(10) DEFAULT 'a b'\n, ADD INDEX (note)",
      OSCHANGE_EXECUTING_HOST: 'db1.example:3306',
      OSCHANGE_HOOK_EVENT: 'interactive-command',
      OSCHANGE_ELAPSED_SECONDS: '7',
      OSCHANGE_ELAPSED_COPY_SECONDS: '5',
      OSCHANGE_ESTIMATED_ROWS: '100000',
      OSCHANGE_COPIED_ROWS: '12000',
      // 88 000 rows left at 12 000 rows / 5.4 s = 39.6 s, rounded up.
      OSCHANGE_ETA_SECONDS: '40',
      // The status line's format belongs to src/status/format.ts; this checks the hook gets exactly it.
      OSCHANGE_STATUS: statusLine(state, 1_007_400),
      OSCHANGE_COMMAND: 'chunk-size=500',
      OSCHANGE_EXIT_REASON: '',
      OSCHANGE_THROTTLE_REASON: 'max-lag: 2.10s > 1.50s',
    });
  });

  it('rejects with HOOK_FAILED naming the hook, event, status and last stderr line, and runs no later hook', async () => {
    const out = join(dir, 'ran.log');
    const file = hook('oschange-on-before-cut-over-1', `echo checking; echo first >&2; echo 'replica lag too high' >&2; echo >&2; exit 3`);
    hook('oschange-on-before-cut-over-2', `echo 2 >> ${out}`);
    const err = await rejection(hooks().run('before-cut-over'));
    expect(err.code).toBe('HOOK_FAILED');
    expect(err.message).toBe(`hook ${file} failed on event before-cut-over: exited with status 3; last stderr line: replica lag too high`);
    expect(existsSync(out)).toBe(false);
  });

  it('says so when a failing hook wrote no stderr, and reports a signal', async () => {
    const quiet = hook('oschange-on-success', 'exit 1');
    expect((await rejection(hooks().run('success'))).message).toBe(`hook ${quiet} failed on event success: exited with status 1; last stderr line: (none)`);
    rmSync(quiet);
    const killed = hook('oschange-on-success', 'echo bye >&2; kill -TERM $$');
    expect((await rejection(hooks().run('success'))).message).toBe(`hook ${killed} failed on event success: killed by signal SIGTERM; last stderr line: bye`);
  });

  it.each(['status', 'failure'] as const)('only warns when a %s hook fails, and still runs the next one', async (event) => {
    const out = join(dir, 'ran.log');
    const file = hook(`oschange-on-${event}-1`, 'echo nope >&2; exit 2');
    hook(`oschange-on-${event}-2`, `echo "$OSCHANGE_EXIT_REASON" >> ${out}`);
    const { log, lines } = captureLog();
    await hooks({ log }).run(event, event === 'failure' ? { exitReason: 'cut-over failed' } : undefined);
    expect(readFileSync(out, 'utf8')).toBe(event === 'failure' ? 'cut-over failed\n' : '\n');
    expect(lines.filter((l) => l['level'] === 40).map((l) => l['msg'])).toEqual([
      `hook ${file} failed on event ${event}: exited with status 2; last stderr line: nope`,
    ]);
  });

  it('logs hook output at debug instead of printing it', async () => {
    const file = hook('oschange-on-validated', 'echo to-stdout; echo to-stderr >&2');
    const { log, lines } = captureLog();
    await hooks({ log }).run('validated');
    expect(lines.find((l) => l['msg'] === 'hook output')).toMatchObject({ level: 20, hook: file, event: 'validated', stdout: 'to-stdout\n', stderr: 'to-stderr\n' });
  });

  it('gives hooks no stdin', async () => {
    hook('oschange-on-startup', 'if read line; then echo "read: $line" >&2; exit 1; fi');
    await hooks().run('startup');
  });

  it('kills a hook that outlives the timeout, with the processes it started', async () => {
    const shPid = join(dir, 'sh.pid');
    const sleepPid = join(dir, 'sleep.pid');
    const file = hook('oschange-on-row-copy-complete', `echo $$ > ${shPid}; sleep 30 & echo $! > ${sleepPid}; wait`);
    const started = Date.now();
    const err = await rejection(hooks({ timeoutMs: 300 }).run('row-copy-complete'));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(err.message).toBe(`hook ${file} failed on event row-copy-complete: timed out after 300 ms and was killed (SIGKILL); last stderr line: (none)`);
    const pids = [shPid, sleepPid].map((f) => Number(readFileSync(f, 'utf8').trim()));
    for (let i = 0; i < 40 && !pids.every(isGone); i++) await sleep(50);
    expect(pids.filter((p) => !isGone(p))).toEqual([]);
  });

  it('only warns when a status hook times out', async () => {
    hook('oschange-on-status', 'sleep 30');
    await hooks({ timeoutMs: 200 }).run('status');
  });

  it('skips non-executable files and directories, logging why at debug', async () => {
    const out = join(dir, 'ran.log');
    const plain = hook('oschange-on-startup-1', `echo 1 >> ${out}`, 0o644);
    mkdirSync(join(dir, 'oschange-on-startup-2'));
    hook('oschange-on-startup-3', `echo 3 >> ${out}`);
    const { log, lines } = captureLog();
    await hooks({ log }).run('startup');
    expect(readFileSync(out, 'utf8')).toBe('3\n');
    expect(lines.filter((l) => String(l['msg']).startsWith('skipping hook')).map((l) => [l['level'], l['hook'], l['msg']])).toEqual([
      [20, plain, 'skipping hook: not executable'],
      [20, join(dir, 'oschange-on-startup-2'), 'skipping hook: not a regular file'],
    ]);
  });

  it('fails at construction when the hooks path is missing or not a directory', () => {
    const missing = join(dir, 'nope');
    const make = (hooksPath: string) => () => new Hooks({ hooksPath, context, state: new MigrationState({ nowMs: 0, chunkSize: 1, dmlBatchSize: 1 }), now: () => 0, log: silentLogger() });
    expect(make(missing)).toThrow(expect.objectContaining({ code: 'HOOKS_PATH', exitCode: 2, message: `--hooks-path ${missing}: no such directory` }));
    const file = hook('plain-file', 'true');
    expect(make(file)).toThrow(expect.objectContaining({ code: 'HOOKS_PATH', message: `--hooks-path ${file} is not a directory` }));
  });

  it('rejects at the event when the directory disappears after start, but only warns for status', async () => {
    const h = hooks();
    rmSync(dir, { recursive: true });
    const err = await rejection(h.run('startup'));
    expect(err.code).toBe('HOOKS_PATH');
    expect(err.message).toMatch(new RegExp(`^--hooks-path ${dir}: cannot list hooks \\(ENOENT`));
    await h.run('status');
  });

  it('does nothing without a hooks path', async () => {
    let clock = 0;
    for (const hooksPath of [undefined, '']) {
      const h = new Hooks({ hooksPath, context, state: new MigrationState({ nowMs: 0, chunkSize: 1, dmlBatchSize: 1 }), now: () => clock++, log: silentLogger() });
      await h.run('startup');
      await h.run('failure', { exitReason: 'x' });
    }
    expect(clock).toBe(0);
  });
});
