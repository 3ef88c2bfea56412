import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { OschangeError } from '../../src/errors.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const ROWS = 5000;
const ALTER = 'ADD COLUMN phone VARCHAR(20)';
const COLUMNS = 'id, email, name, score, balance, created_at, updated_at, bio';

/**
 * The checksum before the cut-over, end to end: the test changes the ghost behind the tool's back
 * while the cut-over is postponed; the migration must repair it, or refuse to cut over when the
 * damage keeps coming back, leaving the original table as it was.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('checksum before cut-over on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const dir = mkdtempSync(join(tmpdir(), 'oschange-checksum-'));
  const rows = async (table: string): Promise<unknown[]> => queryRows(admin, `SELECT ${COLUMNS} FROM \`${table}\` ORDER BY id`);
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.name])).map((r) => String(r['TABLE_NAME'])).sort();

  /** Runs a migration that stops at the postpone flag, lets `tamper` change the ghost, then goes on. */
  const migrateWithTampering = async (tamper: () => Promise<void>, table = 'users', alter = ALTER) => {
    const flag = join(dir, `postpone-${Math.random().toString(36).slice(2)}`);
    writeFileSync(flag, '');
    const config = configFromFlags(db.app, db.name, table, alter, ['--chunk-size', '500', '--checksum-chunk-size', '1000', '--postpone-cut-over-flag-file', flag]);
    const out: string[] = [];
    let state: MigrationState | undefined;
    const running = runMigration({ config, log: process.env['OSCHANGE_TEST_LOG'] ? createLogger({ destination: process.stderr, pretty: false, level: 'debug' }) : silentLogger(), out: (l) => out.push(l), signal: new AbortController().signal, observe: (s) => (state = s) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await waitUntil(() => state?.phase === 'postponing cut-over', 60_000, 'the cut-over to be postponed');
    try {
      await tamper();
    } finally {
      rmSync(flag);
    }
    const error = await running;
    return { out, error };
  };

  beforeAll(async () => {
    db = await freshDatabase(server, 'checksum');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a changed, a missing and an extra ghost row, re-copies their ranges, and cuts over with equal tables', async () => {
    await admin.query('DROP TABLE IF EXISTS users, _users_del, _users_gho, _users_ghc, _users_ghk');
    await seedUsers(admin, { database: db.name, rows: ROWS });
    const before = await rows('users');
    const { out, error } = await migrateWithTampering(async () => {
      await admin.query("UPDATE _users_gho SET name = 'changed behind the tool' WHERE id = 1234");
      await admin.query('DELETE FROM _users_gho WHERE id = 77');
      // A row the original never had, past its last key: the last range must cover it too.
      await admin.query(`INSERT INTO _users_gho (${COLUMNS}) SELECT id + 100000, CONCAT('extra-', email), name, score, balance, created_at, updated_at, bio FROM users WHERE id = 5`);
    });
    expect(error).toBeUndefined();
    const done = out.at(-1) ?? '';
    // Ranges of 1000 rows: 77 and 1234 lie in different ones, and the extra row in the last.
    expect(done).toMatch(/checksum equal \(\d+ chunks, 3 repaired, [\d.]+s\); /);
    expect(await rows('users')).toEqual(before);
    expect(await rows('_users_del')).toEqual(before);
    expect(await tables()).toEqual(['_users_del', 'users']);
  });

  it('refuses to cut over when a row still differs after its re-copies, and leaves the original table as it was', async () => {
    await admin.query('DROP TABLE IF EXISTS users, _users_del, _users_gho, _users_ghc, _users_ghk');
    await seedUsers(admin, { database: db.name, rows: ROWS });
    const before = await rows('users');
    const { error } = await migrateWithTampering(async () => {
      // Every re-copy of row 2500 is changed again on its way in.
      await admin.query("CREATE TRIGGER tamper BEFORE INSERT ON _users_gho FOR EACH ROW BEGIN IF NEW.id = 2500 THEN SET NEW.name = 'tampered'; END IF; END");
      await admin.query("UPDATE _users_gho SET name = 'tampered' WHERE id = 2500");
    });
    expect(error).toBeInstanceOf(OschangeError);
    expect((error as OschangeError).code).toBe('VERIFY_MISMATCH');
    expect((error as Error).message).toMatch(
      new RegExp(`^checksum: \`${db.name}\`\\.\`users\` and its ghost \`${db.name}\`\\.\`_users_gho\` still differ in the row with key \\(id\\) = \\(2500\\) after 3 re-copies; the original table is untouched and nothing was cut over`),
    );
    expect(await rows('users')).toEqual(before);
    expect(await tables()).toEqual(['_users_ghc', '_users_ghk', '_users_gho', 'users']);
  });

  it('compares a column whose type the ALTER changes, as the original value converted to the new type', async () => {
    await admin.query('DROP TABLE IF EXISTS users, _users_del, _users_gho, _users_ghc, _users_ghk');
    await seedUsers(admin, { database: db.name, rows: ROWS });
    const before = await rows('users');
    const { out, error } = await migrateWithTampering(
      async () => {
        await admin.query('UPDATE _users_gho SET balance = balance + 0.0001 WHERE id = 1234');
      },
      'users',
      'MODIFY balance DECIMAL(16,4) NOT NULL DEFAULT 0',
    );
    expect(error).toBeUndefined();
    expect(out.some((l) => l.includes('  checksum:    compares 8 columns (balance converted to the new type)'))).toBe(true);
    expect(out.at(-1)).toMatch(/checksum equal \(\d+ chunks, 1 repaired, [\d.]+s\); /);
    const after = (await rows('users')) as Record<string, unknown>[];
    expect(after.map((r) => ({ ...r, balance: Number(r['balance']).toFixed(2) }))).toEqual(before);
    expect((after.find((r) => Number(r['id']) === 1234) as Record<string, unknown>)['balance']).toMatch(/^\d+\.\d{2}00$/);
  });

  it('compares the whole table when the ALTER changes how the key sorts, and repairs a changed, a missing and an extra row', async () => {
    await admin.query('DROP TABLE IF EXISTS codes, _codes_del, _codes_gho, _codes_ghc, _codes_ghk');
    await admin.query('CREATE TABLE codes (code VARCHAR(20) NOT NULL, v INT NOT NULL, PRIMARY KEY (code)) ENGINE=InnoDB DEFAULT CHARSET=latin1 COLLATE latin1_swedish_ci');
    await admin.query("INSERT INTO codes SELECT CONCAT(CHAR(65 + n % 26 USING latin1), 'é-', n), n FROM (SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d AS n FROM " +
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2) a, (SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) b, ' +
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) c, ' +
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) e) s');
    const content = async (t: string): Promise<unknown[]> => queryRows(admin, `SELECT CAST(code AS CHAR CHARACTER SET utf8mb4) AS code, v FROM \`${t}\` ORDER BY v`);
    const before = await content('codes');
    const { out, error } = await migrateWithTampering(
      async () => {
        await admin.query("UPDATE _codes_gho SET v = -1 WHERE code = 'Bé-27'");
        await admin.query("DELETE FROM _codes_gho WHERE code = 'Cé-2'");
        await admin.query("INSERT INTO _codes_gho VALUES ('not in the original', 99999)");
      },
      'codes',
      'CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    );
    expect(error).toBeUndefined();
    expect(out.some((l) => l.includes('over the whole table (the key sorts differently after the ALTER)'))).toBe(true);
    expect(out.at(-1)).toMatch(/checksum equal \(\d+ chunks, 3 repaired, [\d.]+s\); /);
    expect(await content('codes')).toEqual(before);
  });

  it('with a key the ALTER widens: finds a second ghost row of an id (another score, or the same content under an added key column), re-copies it, and cuts over', async () => {
    await admin.query('DROP TABLE IF EXISTS users, _users_del, _users_gho, _users_ghc, _users_ghk');
    await seedUsers(admin, { database: db.name, rows: ROWS });
    const before = await rows('users');
    const { out, error } = await migrateWithTampering(
      async () => {
        // A stale version of row 1234 next to the current one: only the count and the shared key see it.
        await admin.query(`INSERT INTO _users_gho (${COLUMNS}) SELECT id, CONCAT('stale-', email), name, score + 1, balance, created_at, updated_at, bio FROM users WHERE id = 1234`);
        // Row 4321 twice with every compared column equal: they differ only in the added key column.
        await admin.query(`INSERT INTO _users_gho (${COLUMNS}, shard) SELECT ${COLUMNS}, 1 FROM users WHERE id = 4321`);
      },
      'users',
      'DROP PRIMARY KEY, ADD COLUMN shard INT NOT NULL DEFAULT 0, ADD PRIMARY KEY (id, score, shard), DROP INDEX email',
    );
    expect(error).toBeUndefined();
    expect(out.some((l) => l.includes('is wider than its PRIMARY KEY (id): rows are identified by (id) in both tables'))).toBe(true);
    expect(out.at(-1)).toMatch(/checksum equal \(\d+ chunks, 2 repaired, [\d.]+s\); /);
    expect(await rows('users')).toEqual(before);
    const [count] = await queryRows(admin, 'SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM users');
    expect([Number(count?.['n']), Number(count?.['ids'])]).toEqual([ROWS, ROWS]);
  });
});
