import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { queueRun } from '../../src/cli/queue-command.js';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import { History, type MigrationRecord } from '../../src/queue/history.js';
import { LockSession } from '../../src/queue/lock-session.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { exited, spawnCli, waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/** Runs the CLI in this process, as cmd/oschange.ts does: the exit code and what it printed. */
async function cli(argv: readonly string[], signal: AbortSignal = new AbortController().signal): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal });
  return { code, out, err };
}

describe.each(testServers().map((s) => [label(s), s] as const))('the queue and its history on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let hist: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let history: History;
  let dir: string;
  let connection: string[];
  const record = (id: number): Promise<MigrationRecord> => history.mustGet(id);
  const add = async (table: string, alter: string, extra: readonly string[] = []): Promise<number> => {
    const r = await cli(['queue', 'add', ...connection, '--database', db.name, '--table', table, '--alter', alter, '--no-attempt-instant-ddl', '--requested-by', 'the test suite', ...extra]);
    expect(r.err.filter((l) => !l.includes('--password'))).toEqual([]);
    expect(r.code).toBe(0);
    const m = /^queue: added migration (\d+) /.exec(r.out.at(-1) ?? '');
    if (m === null) throw new Error(`no id in ${r.out.join('\n')}`);
    return Number(m[1]);
  };
  const tables = async (): Promise<string[]> => (await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db.name])).map((r) => String(r['t']));

  beforeAll(async () => {
    db = await freshDatabase(server, 'q');
    hist = await freshDatabase(server, 'qh');
    admin = await connect({ ...server.primary.admin, database: db.name });
    const app = server.primary.app;
    connection = ['--host', app.host, '--port', String(app.port), '--user', app.user, '--password', app.password, '--history-schema', hist.name];
    for (const t of ['users', 'users2', 'users3', 'users4', 'users5', 'users6', 'users7']) await seedUsers(admin, { database: db.name, rows: 3000, table: t });
    dir = mkdtempSync(join(tmpdir(), 'oschange-queue-'));
    history = new History(new LockSession(await connect(server.primary.admin), server.primary.admin), hist.name);
  });
  afterAll(async () => {
    await history?.session.end();
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
    await hist?.drop();
  });

  it('records success, failure, cancel and retry, each with the right row', async () => {
    // Counted, so the history's estimate is exact (InnoDB's own estimate of 3000 rows is not).
    const ok = await add('users', 'ADD COLUMN phone VARCHAR(20)', ['--exact-rowcount']);
    const bad = await add('users2', 'ADD COLUMN y INT AFTER missing_col');
    const dropped = await add('users3', 'ADD COLUMN z INT');
    expect((await record(ok)).state).toBe('queued');
    expect((await record(ok)).args).toEqual(['--database', db.name, '--table', 'users', '--alter', 'ADD COLUMN phone VARCHAR(20)', '--no-attempt-instant-ddl', '--exact-rowcount']);

    // Success: the oldest due one first.
    const first = await cli(['queue', 'run', ...connection]);
    expect(first.code).toBe(0);
    expect(first.out[0]).toBe(`queue: running migration ${ok} (${db.name}.users: ADD COLUMN phone VARCHAR(20))`);
    const done = await record(ok);
    expect(done).toMatchObject({ state: 'succeeded', source: 'queue', requestedBy: 'the test suite', attempts: 1, rowsCopied: 3000, rowsEstimate: 3000, error: null });
    expect(done.checksum).toMatch(/^equal \(\d+ chunks, 0 repaired\)$/);
    expect(done.lockMs).not.toBeNull();
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.runner).toMatch(/:\d+$/);

    // Failure: the error is kept.
    const second = await cli(['queue', 'run', ...connection]);
    expect(second.code).toBe(1);
    const failed = await record(bad);
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/missing_col/);
    expect(failed.finishedAt).not.toBeNull();

    // Cancel of a waiting one: never started.
    expect((await cli(['queue', 'cancel', String(dropped), ...connection])).out).toEqual([`queue: migration ${dropped} queued → cancelled`]);
    const idle = await cli(['queue', 'run', ...connection]);
    expect(idle.out).toEqual([`queue: nothing due in ${hist.name}.migrations`]);
    expect(await record(dropped)).toMatchObject({ state: 'cancelled', attempts: 0, startedAt: null });
    // A succeeded migration cannot be cancelled or retried.
    const refused = await cli(['queue', 'retry', String(ok), ...connection]);
    expect(refused.code).toBe(1);
    expect(refused.err.at(-1)).toBe(`oschange: queue retry ${ok}: it is succeeded; only a migration that is failed, cancelled, interrupted or postponed can be retried`);

    // Retry: the cancelled one runs; the failed one, its cause fixed, runs again.
    await admin.query('ALTER TABLE users2 ADD COLUMN missing_col INT');
    expect((await cli(['queue', 'retry', String(dropped), ...connection])).out).toEqual([`queue: migration ${dropped} cancelled → queued`]);
    expect((await cli(['queue', 'retry', String(bad), ...connection])).out).toEqual([`queue: migration ${bad} failed → queued`]);
    expect((await cli(['queue', 'run', ...connection])).code).toBe(0);
    expect((await cli(['queue', 'run', ...connection])).code).toBe(0);
    expect(await record(bad)).toMatchObject({ state: 'succeeded', attempts: 2, error: null, rowsCopied: 3000 });
    expect(await record(dropped)).toMatchObject({ state: 'succeeded', attempts: 1, error: null });

    // A direct run is recorded too.
    const direct = await cli([...connection, '--database', db.name, '--table', 'users4', '--alter', 'ADD COLUMN d INT', '--execute', '--no-attempt-instant-ddl', '--requested-by', 'ann']);
    expect(direct.code).toBe(0);
    const list = await cli(['queue', 'list', ...connection, '--json']);
    const rows = JSON.parse(list.out[0] ?? '[]') as MigrationRecord[];
    expect(rows.map((r) => [r.table, r.source, r.state, r.requestedBy])).toEqual([
      ['users4', 'direct', 'succeeded', 'ann'],
      ['users3', 'queue', 'succeeded', 'the test suite'],
      ['users2', 'queue', 'succeeded', 'the test suite'],
      ['users', 'queue', 'succeeded', 'the test suite'],
    ]);
    const text = await cli(['queue', 'list', ...connection, '--table', `${db.name}.users2`]);
    expect(text.out[0]).toMatch(/^ID +STATE +TABLE +SOURCE +REQUESTED BY/);
    expect(text.out[1]).toMatch(new RegExp(`^${bad} +succeeded +${db.name}\\.users2 +queue +the test suite `));
  });

  it('a running migration cancelled stops with its table untouched, and retried resumes from its checkpoint', async () => {
    const flag = join(dir, 'hold');
    writeFileSync(flag, '');
    const id = await add('users5', 'ADD COLUMN c INT', ['--throttle-flag-file', flag, '--chunk-size', '100']);
    const running = cli(['queue', 'run', ...connection]);
    await waitUntil(async () => (await record(id)).state === 'running' && (await tables()).includes('_users5_ghk'), 30_000, 'the migration to run');
    const asked = await cli(['queue', 'cancel', String(id), ...connection]);
    expect(asked.out[0]).toMatch(new RegExp(`^queue: asked the runner of migration ${id} \\(.+\\) to stop it; `));
    const r = await running;
    expect(r.code).toBe(1);
    expect(await record(id)).toMatchObject({ state: 'cancelled', error: 'cancelled by oschange queue cancel', attempts: 1 });
    expect(await tables()).toEqual(expect.arrayContaining(['_users5_ghc', '_users5_ghk', '_users5_gho', 'users5']));

    rmSync(flag);
    await cli(['queue', 'retry', String(id), ...connection]);
    const again = await cli(['queue', 'run', ...connection]);
    expect(again.code).toBe(0);
    expect(again.out[0]).toBe(`queue: running migration ${id} (${db.name}.users5: ADD COLUMN c INT), resuming from its checkpoint`);
    expect(await record(id)).toMatchObject({ state: 'succeeded', attempts: 2, error: null });
    expect(await tables()).not.toContain('_users5_gho');
  });

  it('two schedulers never run the same migration, and one table runs one migration at a time', async () => {
    // Two migrations of one table: the second would find the first's old table, so neither keeps it.
    const a = await add('users6', 'ADD COLUMN a1 INT', ['--chunk-size', '100', '--nice-ratio', '2', '--ok-to-drop-table']);
    const b = await add('users6', 'ADD COLUMN a2 INT', ['--chunk-size', '100', '--nice-ratio', '2', '--ok-to-drop-table']);
    const c = await add('users7', 'ADD COLUMN a3 INT', ['--chunk-size', '100', '--nice-ratio', '2', '--ok-to-drop-table']);
    const daemons = [0, 1].map(() => spawnCli(['queue', 'run', '--daemon', '--max-running', '2', '--poll-interval-seconds', '0.5', ...connection]));
    const outputs = daemons.map((d) => {
      let text = '';
      d.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      d.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      return () => text;
    });
    try {
      await waitUntil(async () => (await Promise.all([a, b, c].map(record))).every((r) => r.state === 'succeeded' || r.state === 'failed'), 110_000, 'the three migrations to end');
    } finally {
      for (const d of daemons) d.kill('SIGTERM');
      await Promise.all(daemons.map(exited));
    }
    const [ra, rb, rc] = await Promise.all([a, b, c].map(record));
    for (const r of [ra, rb, rc]) expect(r, outputs.map((o) => o()).join('\n---\n')).toMatchObject({ state: 'succeeded', attempts: 1 });
    // Each was started by exactly one daemon.
    const started = outputs.map((o) => [...o().matchAll(/queue: running migration (\d+) /g)].map((m) => Number(m[1]))).flat();
    expect(started.sort()).toEqual([a, b, c].sort());
    // The two migrations of users6 did not overlap.
    const [first, second] = [ra, rb].sort((x, y) => String(x?.startedAt).localeCompare(String(y?.startedAt)));
    expect(String(first?.finishedAt) <= String(second?.startedAt)).toBe(true);

    // Two one-shot runs started together: one runs the migration, the other finds nothing to run.
    const d = await add('users7', 'ADD COLUMN a4 INT');
    const both = [0, 1].map(() => spawnCli(['queue', 'run', ...connection]));
    const texts = both.map((p) => {
      let text = '';
      p.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
      return () => text;
    });
    expect(await Promise.all(both.map(exited))).toEqual([0, 0]);
    expect(texts.filter((t) => t().includes(`queue: running migration ${d} `))).toHaveLength(1);
    expect(await record(d)).toMatchObject({ state: 'succeeded', attempts: 1 });
  });

  it('a runner killed mid-migration: its row becomes interrupted, and the next queue run resumes it', async () => {
    await seedUsers(admin, { database: db.name, rows: 3000, table: 'users8' });
    const flag = join(dir, 'hold8');
    writeFileSync(flag, '');
    const id = await add('users8', 'ADD COLUMN k INT', ['--throttle-flag-file', flag, '--chunk-size', '100']);
    const runner = spawnCli(['queue', 'run', ...connection]);
    // Killed once it saved a checkpoint (one killed before that leaves empty tables, and the next run starts over).
    await waitUntil(
      async () => (await record(id)).state === 'running' && (await tables()).includes('_users8_ghk') && Number(await queryValue(admin, 'SELECT COUNT(*) FROM _users8_ghk')) > 0,
      30_000,
      'the migration to save its first checkpoint',
    );
    runner.kill('SIGKILL');
    await exited(runner);
    expect((await record(id)).state).toBe('running');
    rmSync(flag);
    const app = server.primary.app;
    const out: string[] = [];
    // Its lock died with its session; once nobody has touched the row for a second, it is lost.
    await new Promise((r) => setTimeout(r, 1500));
    const outcome = await queueRun({
      raw: { host: app.host, port: app.port, user: app.user, password: app.password, 'history-schema': hist.name },
      out: (l) => out.push(l),
      signal: new AbortController().signal,
      staleSeconds: 1,
    });
    expect(outcome).toEqual({ kind: 'ran', id, ok: true });
    expect(out[0]).toBe(`queue: running migration ${id} (${db.name}.users8: ADD COLUMN k INT), resuming from its checkpoint`);
    expect(await record(id)).toMatchObject({ state: 'succeeded', attempts: 2, error: null });
  });
});
