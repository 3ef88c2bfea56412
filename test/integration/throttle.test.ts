import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];

/** Copied rows stay put for `ms` (the copy really waits). */
async function holds(state: MigrationState, ms: number): Promise<boolean> {
  // The chunk already running when the throttle began may still finish: let it.
  await new Promise((r) => setTimeout(r, 250));
  const before = state.rowsCopied;
  await new Promise((r) => setTimeout(r, ms));
  return state.rowsCopied === before;
}

describe.each(testServers().map((s) => [label(s), s] as const))('throttling and operator control on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let dir: string;
  let http: Server;
  let httpStatus = 200;
  let httpPort = 0;
  beforeAll(async () => {
    db = await freshDatabase(server, 'thr');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await seedUsers(admin, { database: db.name, rows: 20_000 });
    await admin.query('CREATE TABLE throttle_ctl (v INT NOT NULL)');
    await admin.query('INSERT INTO throttle_ctl VALUES (0)');
    dir = mkdtempSync(join(tmpdir(), 'oschange-throttle-'));
    http = createServer((_req, res) => res.writeHead(httpStatus).end());
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const address = http.address();
    httpPort = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await new Promise((r) => http?.close(r));
    rmSync(dir, { recursive: true, force: true });
    await admin?.end();
    await db?.drop();
  });

  it('throttles and resumes on each signal, then completes with equal content', async () => {
    const flag = join(dir, 'throttle.flag');
    const postpone = join(dir, 'postpone.flag');
    writeFileSync(postpone, '');
    const config = configFromFlags(server.primary.app, db.name, 'users', 'ADD COLUMN phone VARCHAR(20)', [
      '--chunk-size', '100', '--throttle-flag-file', flag, '--throttle-http', `http://127.0.0.1:${httpPort}/`, '--postpone-cut-over-flag-file', postpone,
    ]);
    let state: MigrationState | undefined;
    let postponedSeen = false;
    const seen: string[] = [];
    const stop = new AbortController();
    let result: Awaited<ReturnType<typeof runMigration>> | undefined;
    const migration = runMigration({
      config,
      log: silentLogger(),
      out: () => undefined,
      signal: stop.signal,
      observe: (s) => {
        state = s;
        s.commandedThrottle = true; // hold the copy from the start
      },
    });
    const failed = migration.then(() => undefined, (err: unknown) => err);
    const st = (): MigrationState => {
      if (state === undefined) throw new Error('no state yet');
      return state;
    };
    try {
      await waitUntil(() => state?.phase === 'copying' && state.throttleReason !== undefined, 20_000, 'the copy to start, throttled');
      expect(st().throttleReason).toBe('commanded by user');
      expect(await holds(st(), 400)).toBe(true);

      // Each signal in turn: switched on, it holds the copy with its reason; switched off, it lets go.
      const signals: { on: () => Promise<void> | void; off: () => Promise<void> | void; reason: RegExp }[] = [
        { on: () => writeFileSync(flag, ''), off: () => rmSync(flag), reason: /^flag-file / },
        { on: () => void (st().throttleQuery = `SELECT v FROM ${db.name}.throttle_ctl`), off: () => void 0, reason: /^throttle-query returned 1$/ },
        { on: () => void (httpStatus = 503), off: () => void (httpStatus = 200), reason: /^throttle-http http:\/\/127\.0\.0\.1:\d+\/ answered 503$/ },
        { on: () => void (st().maxLoad = new Map([['Threads_running', 1]])), off: () => void (st().maxLoad = new Map()), reason: /^max-load Threads_running=\d+ >= 1$/ },
      ];
      await admin.query('UPDATE throttle_ctl SET v = 1');
      for (const [i, s] of signals.entries()) {
        await s.on();
        st().commandedThrottle = false;
        await waitUntil(() => s.reason.test(st().throttleReason ?? ''), 5000, `signal ${i} to throttle (reason now: ${String(st().throttleReason)})`);
        seen.push(st().throttleReason ?? '');
        expect(await holds(st(), 300)).toBe(true);
        if (i === 1) await admin.query('UPDATE throttle_ctl SET v = 0');
        await s.off();
        await waitUntil(() => !s.reason.test(st().throttleReason ?? ''), 5000, `signal ${i} to let go`);
        st().commandedThrottle = true;
      }
      st().commandedThrottle = false;
      await waitUntil(() => st().phase === 'postponing cut-over', 60_000, 'the postponed cut-over');
      postponedSeen = true;
      await new Promise((r) => setTimeout(r, 500));
      expect(st().phase).toBe('postponing cut-over');
      rmSync(postpone);
      result = await migration;
      expect(await failed).toBeUndefined();
    } finally {
      // A failed assertion must not leave the migration (and its socket) running for the next test.
      stop.abort();
      await failed;
    }
    expect(postponedSeen).toBe(true);
    expect(seen).toHaveLength(4);
    expect(result?.lockMs).toBeLessThan(1000);
    const old = (await queryRows(admin, tableChecksum(db.name, '_users_del', COLUMNS).sql))[0];
    const now = (await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0];
    expect(now).toEqual(old);
    await admin.query('DROP TABLE _users_del');
  });

  it('aborts on critical load, and on the panic flag file, leaving the original table untouched', async () => {
    const before = (await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0];
    const columns = async () => (await queryRows(admin, 'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [db.name, 'users'])).map((r) => r['c']);
    const columnsBefore = await columns();
    const critical = configFromFlags(server.primary.app, db.name, 'users', 'ADD COLUMN x INT', ['--critical-load', 'Threads_running=1', '--initially-drop-ghost-table']);
    await expect(runMigration({ config: critical, log: silentLogger(), out: () => undefined, signal: new AbortController().signal })).rejects.toThrow(
      /^stopped: critical-load Threads_running=\d+ >= 1; the original table is untouched$/,
    );
    const panic = join(dir, 'panic.flag');
    const config = configFromFlags(server.primary.app, db.name, 'users', 'ADD COLUMN x INT', ['--panic-flag-file', panic, '--initially-drop-ghost-table', '--chunk-size', '100']);
    let state: MigrationState | undefined;
    const run = runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal, observe: (s) => ((state = s), (s.commandedThrottle = true)) });
    const outcome = run.then(() => undefined, (err: unknown) => err);
    await waitUntil(() => state?.phase === 'copying', 20_000, 'the copy to start');
    writeFileSync(panic, '');
    const err = await outcome;
    expect(String(err)).toContain(`stopped: panic flag file ${panic} exists; the original table is untouched`);
    rmSync(panic);
    expect((await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0]).toEqual(before);
    expect(await columns()).toEqual(columnsBefore);
    expect(existsSync(panic)).toBe(false);
  });
});
