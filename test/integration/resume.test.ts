import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import { configFromFlags, runTestMigration } from '../helpers/migration.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];
const ALTER = 'ADD COLUMN phone VARCHAR(20)';

/**
 * --resume's decisions: it goes on only with the same migration (same ALTER, unchanged tables,
 * binlog still there), says exactly what differs otherwise, and every refusal leaves the server
 * as it was.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('--resume on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.name])).map((r) => String(r['TABLE_NAME'])).sort();
  const migrate = async (alter: string, extra: string[], o: { stopAfterRows?: number } = {}) => {
    const config = configFromFlags(db.app, db.name, 'users', alter, ['--chunk-size', '100', '--serve-socket-file', `/tmp/oschange-resume-${server.name}-${process.pid}.sock`, ...extra]);
    // With the copy under way when stopped (a stopped run saves its last checkpoint as it stops).
    return runTestMigration(config, o);
  };

  beforeAll(async () => {
    db = await freshDatabase(server, 'resume');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await seedUsers(admin, { database: db.name, rows: 20_000 });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('refuses a resume when there is nothing to resume', async () => {
    const { error } = await migrate(ALTER, ['--resume']);
    expect(error?.message).toBe(`--resume: there is no checkpoint table ${db.name}._users_ghk, so no interrupted migration of ${db.name}.users to go on with; run without --resume`);
    expect(await tables()).toEqual(['users']);
  });

  it('keeps an interrupted migration for --resume, refuses every mismatch without a change, then finishes it', async () => {
    const interrupted = await migrate(ALTER, ['--nice-ratio', '2'], { stopAfterRows: 2000 });
    expect(interrupted.error?.message).toBe(
      'stopped by signal; the original table is untouched (the ghost, changelog and checkpoint tables are kept: go on later with --resume, or start over with --initially-drop-ghost-table)',
    );
    const left = await tables();
    expect(left).toEqual(['_users_ghc', '_users_ghk', '_users_gho', 'users']);

    // Without --resume: told about it.
    const plain = await migrate(ALTER, []);
    expect(plain.error?.message).toBe(
      `table ${db.name}._users_gho already exists: an interrupted migration of ${db.name}.users left its ghost and checkpoint (_users_ghk); go on with it with --resume (same --alter), or start over with --initially-drop-ghost-table`,
    );
    // Another ALTER.
    const other = await migrate('ADD COLUMN fax VARCHAR(20)', ['--resume']);
    expect(other.error?.message).toBe(`--resume: --alter differs from the interrupted migration's ("${ALTER}"): resume with that --alter, or start over with --initially-drop-ghost-table (the copy begins again)`);
    // The table changed meanwhile.
    await admin.query('ALTER TABLE users ADD INDEX score_idx (score)');
    const changed = await migrate(ALTER, ['--resume']);
    expect(changed.error?.message).toBe(
      `--resume: table ${db.name}.users was altered since the interrupted migration began (its schema differs from the checkpoint's): start over with --initially-drop-ghost-table (the copy begins again)`,
    );
    await admin.query('ALTER TABLE users DROP INDEX score_idx');
    // The binlog it needs is gone (a name the server does not have stands in for a purged file).
    const [saved] = await queryRows(admin, 'SELECT binlog_file FROM _users_ghk');
    await admin.query("UPDATE _users_ghk SET binlog_file = 'binlog.000000'");
    const purged = await migrate(ALTER, ['--resume']);
    expect(purged.error?.message).toMatch(
      /^--resume: the binlog file binlog\.000000 the ghost table must be caught up from has been purged from the server \(it has \S+ … \S+\): start over with --initially-drop-ghost-table \(the copy begins again\), and keep binlogs longer \(binlog_expire_logs_seconds\)$/,
    );
    await admin.query('UPDATE _users_ghk SET binlog_file = ?', [String(saved?.['binlog_file'])]);
    expect(await tables()).toEqual(left);

    // A dry run of the resume says what it would do and changes nothing.
    const dry = await migrate(ALTER, ['--resume', '--no-execute']);
    expect(dry.error).toBeUndefined();
    expect(dry.out.find((l) => l.startsWith('Resume: '))).toMatch(/^Resume: going on from the checkpoint saved \d+s ago: [1-9]\d* rows copied, binlog from \S+:\d+; _users_gho is reused as it is\.$/);
    expect(dry.out.at(-1)).toBe('Dry run: nothing was changed. Add --execute to run the migration.');
    expect(await tables()).toEqual(left);

    // Writes meanwhile, then the resume finishes without copying the copied part again.
    await admin.query("UPDATE users SET name = CONCAT(name, '!') WHERE id % 7 = 0");
    await admin.query('DELETE FROM users WHERE id % 11 = 0');
    const resumed = await migrate(ALTER, ['--resume']);
    expect(resumed.error).toBeUndefined();
    const resumeLine = resumed.out.find((l) => l.startsWith('Resume: ')) ?? '';
    const before = Number(/: (\d+) rows copied/.exec(resumeLine)?.[1]);
    expect(before).toBeGreaterThanOrEqual(2000);
    const done = resumed.out.at(-1) ?? '';
    expect(done).toMatch(new RegExp(`^Done: ${db.name}\\.users migrated in [\\d.]+s; rows copied: \\d+ \\(${before} of them before the resume\\), .*checksum equal \\(\\d+ chunks, 0 repaired`));
    expect(resumed.out.some((l) => l.includes(`Resumed: from ${before} rows copied`))).toBe(true);
    const sum = async (t: string) => (await queryRows(admin, tableChecksum(db.name, t, COLUMNS).sql))[0];
    expect(await sum('users')).toEqual(await sum('_users_del'));
    expect(await tables()).toEqual(['_users_del', 'users']);
  });

  it('goes on after a connection lost before the first checkpoint: starts its copy over, in the same run', async () => {
    await admin.query('DROP TABLE IF EXISTS users, _users_del, _users_gho, _users_ghc, _users_ghk');
    await seedUsers(admin, { database: db.name, rows: 5000 });
    const before = await queryRows(admin, `SELECT ${COLUMNS.join(', ')} FROM users ORDER BY id`);
    process.env['OSCHANGE_TEST_LOSE_AT'] = `attempt:before-first-checkpoint#${server.name}`;
    try {
      const { out, error } = await migrate(ALTER, []);
      expect(error).toBeUndefined();
      expect(out.filter((l) => l.startsWith('Connection lost'))).toEqual([
        'Connection lost while preparing (Connection lost: the server closed the connection (test: attempt:before-first-checkpoint)); reconnecting to go on from the last checkpoint…',
      ]);
      expect(out.at(-1)).toMatch(/^Done: .* rows copied: 5000, .*checksum equal/);
    } finally {
      delete process.env['OSCHANGE_TEST_LOSE_AT'];
    }
    expect(await queryRows(admin, `SELECT ${COLUMNS.join(', ')} FROM users ORDER BY id`)).toEqual(before);
    expect(await tables()).toEqual(['_users_del', 'users']);
  });
});
