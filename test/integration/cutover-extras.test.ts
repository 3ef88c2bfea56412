import { setTimeout as sleep } from 'node:timers/promises';
import yargs from 'yargs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import type { MigrationConfig } from '../../src/config.js';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import { configFromFlags, runTestMigration } from '../helpers/migration.js';
import { exited, spawnCli } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];

/** A UTC yyyymmddhhmmss stamp, as --timestamp-old-table writes it. */
const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

/**
 * What the cut-over keeps and names: the AUTO_INCREMENT counter (a deleted top id is never handed
 * out again), the old table's name with --timestamp-old-table (kept by a resume), and migrations
 * given as the statements people write (--statement).
 */
describe.each(testServers().map((s) => [label(s), s] as const))('cut-over extras on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const socket = (): string => `/tmp/oschange-extras-${server.name}-${process.pid}.sock`;
  const run = (config: MigrationConfig, o: { stopAfterRows?: number } = {}) => runTestMigration(config, o);
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.name])).map((r) => String(r['TABLE_NAME'])).sort();
  const createTable = async (table: string): Promise<string> => String((await queryRows(admin, `SHOW CREATE TABLE \`${table}\``))[0]?.['Create Table']);
  /** The config the CLI builds from these flags (the migration's own, plus where to connect). */
  const statementConfig = (extra: readonly string[]): MigrationConfig => {
    const a = db.app;
    const argv = ['--host', a.host, '--port', String(a.port), '--user', a.user, '--password', a.password, '--execute', '--ok-to-drop-table', '--serve-socket-file', socket(), '--replica-server-id', String(10_000 + Math.floor(Math.random() * 50_000)), ...extra];
    const parsed = parseMigrationOptions(migrationFlags(yargs(argv)).strict().parseSync(), { env: {}, readFile: () => '' });
    if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
    return parsed.config;
  };

  beforeAll(async () => {
    db = await freshDatabase(server, 'extras');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('keeps the AUTO_INCREMENT counter: after deleting the top rows, the next id is the one the original would have given', async () => {
    await admin.query('CREATE TABLE counters (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v VARCHAR(10) NOT NULL) ENGINE=InnoDB');
    await admin.query(`INSERT INTO counters (v) VALUES ${Array.from({ length: 100 }, (_, i) => `('r${i + 1}')`).join(', ')}`);
    await admin.query('DELETE FROM counters WHERE id > 90');
    // What the original would hand out next (MySQL caches information_schema's counter unless told not to).
    await admin.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
    const expected = Number(await queryValue(admin, 'SELECT AUTO_INCREMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [db.name, 'counters']));
    expect(expected).toBe(101);
    const r = await run(configFromFlags(db.app, db.name, 'counters', 'ADD COLUMN c INT', ['--serve-socket-file', socket()]));
    expect(r.error).toBeUndefined();
    await admin.query("INSERT INTO counters (v) VALUES ('after')");
    expect(Number(await queryValue(admin, "SELECT id FROM counters WHERE v = 'after'"))).toBe(101);
    expect(Number(await queryValue(admin, 'SELECT COUNT(*) FROM counters'))).toBe(91);
  });

  it('--timestamp-old-table keeps the old table as _T_<UTC start>_del, and a resume keeps the name of the run it goes on with', async () => {
    await seedUsers(admin, { database: db.name, rows: 20_000 });
    const alter = 'ADD COLUMN phone VARCHAR(20)';
    const flags = ['--chunk-size', '100', '--nice-ratio', '2', '--serve-socket-file', socket(), '--timestamp-old-table'];
    const startedBefore = Date.now();
    const interrupted = await run(configFromFlags(db.app, db.name, 'users', alter, flags), { stopAfterRows: 2000 });
    expect(interrupted.error?.message).toMatch(/^stopped by signal; the original table is untouched/);
    const old = String(await queryValue(admin, 'SELECT old_table FROM _users_ghk'));
    const at = /^_users_(\d{14})_del$/.exec(old)?.[1] ?? '';
    expect(at >= stamp(startedBefore - 1000) && at <= stamp(Date.now())).toBe(true);
    expect(interrupted.out).toContain(`  creates:     _users_gho (ghost), _users_ghc (changelog); the old table is then kept as ${old}`);

    // A second later a new run would stamp another name; the resume takes the checkpoint's, with the flag or without.
    await sleep(1100);
    const before = (await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0];
    const resumed = await run(configFromFlags(db.app, db.name, 'users', alter, ['--chunk-size', '500', '--serve-socket-file', socket(), '--resume']));
    expect(resumed.error).toBeUndefined();
    expect(resumed.out.at(-1)).toMatch(new RegExp(`old table kept as ${old}\\.$`));
    expect(await tables()).toEqual([old, '_counters_del', 'counters', 'users'].sort());
    expect((await queryRows(admin, tableChecksum(db.name, old, COLUMNS).sql))[0]).toEqual(before);
    expect((await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0]).toEqual(before);

    // The next migration of the table does not collide with the old table.
    const again = await run(configFromFlags(db.app, db.name, 'users', 'ADD COLUMN note VARCHAR(10)', ['--serve-socket-file', socket(), '--timestamp-old-table']));
    expect(again.error).toBeUndefined();
    const olds = (await tables()).filter((t) => /^_users_\d{14}_del$/.test(t));
    expect(olds).toHaveLength(2);
    expect(olds).toContain(old);
  });

  it('--timestamp-old-table refuses a table whose stamped old name would pass 64 characters, before anything is created', async () => {
    const long = 'l'.repeat(45);
    await admin.query(`CREATE TABLE ${long} (id INT NOT NULL PRIMARY KEY)`);
    const before = await tables();
    for (const execute of [false, true]) {
      const r = await run(configFromFlags(db.app, db.name, long, 'ADD COLUMN c INT', ['--serve-socket-file', socket(), '--timestamp-old-table', ...(execute ? [] : ['--no-execute'])]));
      expect(r.error?.message).toMatch(
        new RegExp(`^table name ${long} is too long: its helper table _${long}_\\d{14}_del would exceed MySQL's 64-character limit \\(with --timestamp-old-table; without it the old table is _${long}_del, 50 characters\\)$`),
      );
    }
    expect(await tables()).toEqual(before);
    await admin.query(`DROP TABLE ${long}`);
  });

  it('runs CREATE INDEX, CREATE UNIQUE INDEX and DROP INDEX given as --statement, like the ALTER they are', async () => {
    await admin.query('CREATE TABLE items (id INT NOT NULL PRIMARY KEY, sku VARCHAR(20) NOT NULL, price INT NOT NULL, KEY old_price (price)) ENGINE=InnoDB');
    await admin.query(`INSERT INTO items VALUES ${Array.from({ length: 200 }, (_, i) => `(${i + 1}, 'sku-${i + 1}', ${i % 17})`).join(', ')}`);
    const create = await run(statementConfig(['--database', db.name, '--statement', 'CREATE INDEX by_sku_price ON items (sku, price)']));
    expect(create.error).toBeUndefined();
    expect(create.out).toContain('  statement:   CREATE INDEX by_sku_price ON items (sku, price) (run as the ALTER below)');
    expect(create.out).toContain('  alter:       ADD INDEX by_sku_price (sku, price)');
    expect(await createTable('items')).toContain('KEY `by_sku_price` (`sku`,`price`)');

    // db.t names the database itself.
    const unique = await run(statementConfig(['--statement', `CREATE UNIQUE INDEX u_sku ON ${db.name}.items (sku);`]));
    expect(unique.error).toBeUndefined();
    expect(await createTable('items')).toContain('UNIQUE KEY `u_sku` (`sku`)');

    const drop = await run(statementConfig(['--database', db.name, '--statement', 'DROP INDEX old_price ON items']));
    expect(drop.error).toBeUndefined();
    expect(await createTable('items')).not.toContain('old_price');
    expect(Number(await queryValue(admin, 'SELECT COUNT(*) FROM items'))).toBe(200);

    const alter = await run(statementConfig(['--database', db.name, '--statement', 'ALTER TABLE items ADD COLUMN note VARCHAR(10) NULL']));
    expect(alter.error).toBeUndefined();
    expect(await createTable('items')).toContain('`note` varchar(10)');
  });

  it('refuses another kind of statement, or --statement with --table, with one line and exit code 2', async () => {
    const a = server.primary.app;
    const cli = async (args: string[]) => {
      const child = spawnCli(['--host', a.host, '--port', String(a.port), '--user', a.user, '--database', db.name, ...args], { OSCHANGE_PASSWORD: a.password });
      let err = '';
      child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
      const code = await exited(child);
      return { code, last: err.trim().split('\n').pop() ?? '' };
    };
    const before = await tables();
    const dropTable = await cli(['--statement', 'DROP TABLE items', '--execute']);
    expect(dropTable).toEqual({ code: 2, last: 'oschange: --statement: DROP TABLE is not a change oschange runs online; give one ALTER TABLE, CREATE [UNIQUE] INDEX or DROP INDEX statement' });
    // A list is several tables in one cut-over: each statement must be a change too, and each table named once.
    const two = await cli(['--statement', 'CREATE INDEX i ON items (price); DROP TABLE items', '--execute']);
    expect(two).toEqual({ code: 2, last: 'oschange: --statement: DROP TABLE is not a change oschange runs online; give one ALTER TABLE, CREATE [UNIQUE] INDEX or DROP INDEX statement' });
    const twice = await cli(['--statement', 'CREATE INDEX i ON items (price); DROP INDEX j ON items', '--execute']);
    expect(twice).toEqual({ code: 2, last: 'oschange: items is named twice: give each table once (one ALTER can hold several changes, separated by commas)' });
    const both = await cli(['--statement', 'CREATE INDEX i ON items (price)', '--table', 'items', '--execute']);
    expect(both).toEqual({ code: 2, last: 'oschange: --statement names its table and its change: give it without --table' });
    expect(await tables()).toEqual(before);
  });
});
