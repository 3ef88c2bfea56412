import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationConfig } from '../../src/config.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration, type MigrationResult } from '../../src/migrator.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { quoteTable } from '../../src/sql/quote.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];
const ROWS = 5000;

/**
 * Instant first (--attempt-instant-ddl, on by default): an ALTER the server can do with
 * ALGORITHM=INSTANT is done in place, with no copy and nothing left behind; one it cannot, or not now
 * (a transaction holds the metadata lock), is copied as usual.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('instant DDL first on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let hooksDir: string;
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.name])).map((r) => String(r['t'])).sort();
  const columns = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [db.name, 'users'])).map((r) =>
      String(r['c']),
    );
  const content = async (): Promise<Record<string, unknown>[]> => queryRows(admin, `SELECT ${COLUMNS.join(', ')} FROM ${quoteTable(db.name, 'users')} ORDER BY id`);
  const config = (alter: string, extra: readonly string[]): MigrationConfig =>
    configFromFlags(db.app, db.name, 'users', alter, ['--serve-socket-file', join(hooksDir, 'oschange.sock'), '--hooks-path', hooksDir, ...extra]);
  const migrate = async (cfg: MigrationConfig, onLine: (line: string) => void = () => undefined): Promise<{ result: MigrationResult; out: string[]; at: Map<string, number> }> => {
    const out: string[] = [];
    const at = new Map<string, number>();
    const result = await runMigration({
      config: cfg,
      log: silentLogger(),
      out: (l) => {
        out.push(l);
        at.set(l, Date.now());
        onLine(l);
      },
      signal: new AbortController().signal,
    });
    return { result, out, at };
  };
  const successHookRuns = (): number => readFileSync(join(hooksDir, 'success.log'), { encoding: 'utf8', flag: 'a+' }).split('\n').filter((l) => l !== '').length;

  beforeAll(async () => {
    db = await freshDatabase(server, 'instant');
    admin = await connect({ ...server.primary.admin, database: db.name });
    hooksDir = mkdtempSync(join(tmpdir(), 'oschange-instant-'));
    const hook = join(hooksDir, 'oschange-on-success');
    writeFileSync(hook, `#!/bin/sh\necho "$OSCHANGE_TABLE_NAME" >> "${join(hooksDir, 'success.log')}"\n`);
    chmodSync(hook, 0o755);
  });
  beforeEach(async () => {
    for (const t of await tables()) await admin.query(`DROP TABLE ${quoteTable(db.name, t)}`);
    await seedUsers(admin, { database: db.name, rows: ROWS });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    if (hooksDir !== undefined) rmSync(hooksDir, { recursive: true, force: true });
  });

  it('does an instant-able ALTER in place: no copy, no tables left, the rows unchanged', async () => {
    const before = await content();
    const hooksBefore = successHookRuns();
    const { result, out } = await migrate(config('ADD COLUMN phone VARCHAR(20)', ['--attempt-instant-ddl']));
    const instant = out.filter((l) => l.startsWith('Instant: '));
    expect(instant).toHaveLength(1);
    expect(instant[0]).toMatch(new RegExp(`^Instant: ${db.name}\\.users altered in place with ALGORITHM=INSTANT in \\d+ ms; no copy was needed\\.$`));
    expect(out.at(-1)).toMatch(
      new RegExp(`^Done: ${db.name}\\.users migrated in [\\d.]+s; rows copied: 0, binlog events applied: 0; altered in place with ALGORITHM=INSTANT \\(the table was locked for at most \\d+ ms\\); no old table\\.$`),
    );
    expect(out.some((l) => l.startsWith('Copy: '))).toBe(false);
    expect(result).toMatchObject({ executed: true, instant: true, rowsCopied: 0, eventsApplied: 0 });
    expect(await tables()).toEqual(['users']);
    expect(await columns()).toEqual([...COLUMNS, 'phone']);
    expect(await content()).toEqual(before);
    expect(successHookRuns()).toBe(hooksBefore + 1);
  });

  it('copies an ALTER the server cannot do instantly, saying why', async () => {
    const { result, out } = await migrate(config('ADD INDEX score_idx (score)', ['--attempt-instant-ddl', '--ok-to-drop-table']));
    const instant = out.filter((l) => l.startsWith('Instant: '));
    expect(instant).toHaveLength(1);
    // MySQL: 1845 "… not supported for this operation. Try ALGORITHM=COPY/INPLACE."; MariaDB: 1846 "… Reason: ADD INDEX. Try ALGORITHM=NOCOPY".
    expect(instant[0]).toMatch(/^Instant: not possible \(ALGORITHM=INSTANT is not supported.*\); copying instead\.$/);
    expect(out.at(-1)).toMatch(new RegExp(`^Done: ${db.name}\\.users migrated in [\\d.]+s; rows copied: ${ROWS}, .*original table locked for \\d+ ms at cut-over; old table dropped\\.$`));
    expect(result).toMatchObject({ executed: true, instant: false, rowsCopied: ROWS });
    expect(await tables()).toEqual(['users']);
    const indexes = await queryRows(admin, 'SELECT DISTINCT INDEX_NAME AS i FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db.name, 'users']);
    expect(indexes.map((r) => String(r['i']))).toContain('score_idx');
  });

  it('copies when a transaction holds the metadata lock, after waiting about a second for it', async () => {
    const holder = await connect({ ...server.primary.admin, database: db.name });
    let released: Promise<unknown> | undefined;
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT COUNT(*) FROM users');
      // The copy's cut-over needs the lock too: let go of it once the instant attempt has given up.
      const { result, out, at } = await migrate(config('ADD COLUMN phone VARCHAR(20)', ['--attempt-instant-ddl', '--ok-to-drop-table']), (l) => {
        if (l.startsWith('Instant: ') && released === undefined) released = holder.query('COMMIT');
      });
      const instant = out.filter((l) => l.startsWith('Instant: '));
      expect(instant).toHaveLength(1);
      expect(instant[0]).toBe(
        `Instant: not possible now (the metadata lock on ${db.name}.users was not granted within 1 s, a transaction holds it: Lock wait timeout exceeded; try restarting transaction); copying instead.`,
      );
      // The last plan line is printed right before the attempt.
      const planned = at.get(out.find((l) => l.startsWith('  creates:')) ?? '') ?? NaN;
      const gaveUp = at.get(instant[0] as string) ?? NaN;
      expect(gaveUp - planned).toBeGreaterThanOrEqual(900);
      expect(gaveUp - planned).toBeLessThan(3000);
      expect(out.at(-1)).toMatch(new RegExp(`^Done: ${db.name}\\.users migrated in [\\d.]+s; rows copied: ${ROWS}, `));
      expect(result).toMatchObject({ executed: true, instant: false, rowsCopied: ROWS });
      expect(await tables()).toEqual(['users']);
      expect(await columns()).toEqual([...COLUMNS, 'phone']);
    } finally {
      await (released ?? holder.query('ROLLBACK')).catch(() => undefined);
      await holder.end();
    }
  });

  it('does not try while the postpone flag file exists: it copies, and the change waits for the flag', async () => {
    const flag = join(hooksDir, 'postpone');
    writeFileSync(flag, '');
    let state: MigrationState | undefined;
    const out: string[] = [];
    const running = runMigration({
      config: config('ADD COLUMN phone VARCHAR(20)', ['--attempt-instant-ddl', '--postpone-cut-over-flag-file', flag]),
      log: silentLogger(),
      out: (l) => out.push(l),
      signal: new AbortController().signal,
      observe: (s) => (state = s),
    });
    await waitUntil(() => state?.phase === 'postponing cut-over', 60_000, 'the postponed cut-over');
    expect(await columns()).toEqual(COLUMNS);
    rmSync(flag);
    const result = await running;
    expect(out.filter((l) => l.startsWith('Instant'))).toEqual([`Instant: not tried while ${flag} exists (the cut-over is postponed); copying, so the change waits for it.`]);
    expect(result).toMatchObject({ executed: true, instant: false, rowsCopied: ROWS });
    expect(await columns()).toEqual([...COLUMNS, 'phone']);
  });

  it('always copies with --no-attempt-instant-ddl', async () => {
    const before = await content();
    const { result, out } = await migrate(config('ADD COLUMN phone VARCHAR(20)', ['--no-attempt-instant-ddl']));
    expect(out.filter((l) => l.startsWith('Instant'))).toEqual([]);
    expect(out.at(-1)).toMatch(new RegExp(`^Done: ${db.name}\\.users migrated in [\\d.]+s; rows copied: ${ROWS}, .*old table kept as _users_del\\.$`));
    expect(result).toMatchObject({ executed: true, instant: false, rowsCopied: ROWS });
    expect(await tables()).toEqual(['_users_del', 'users']);
    expect(await columns()).toEqual([...COLUMNS, 'phone']);
    expect(await content()).toEqual(before);
  });

  it('says in a dry run that it would try, and changes nothing', async () => {
    const hooksBefore = successHookRuns();
    const { result, out } = await migrate({ ...config('ADD COLUMN phone VARCHAR(20)', ['--attempt-instant-ddl']), execute: false });
    expect(out.slice(-2)).toEqual([
      'Instant: would try ALGORITHM=INSTANT first (--no-attempt-instant-ddl to always copy).',
      'Dry run: nothing was changed. Add --execute to run the migration.',
    ]);
    expect(result).toMatchObject({ executed: false, instant: false });
    expect(await tables()).toEqual(['users']);
    expect(await columns()).toEqual(COLUMNS);
    expect(successHookRuns()).toBe(hooksBefore);
  });
});
