import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { configFromFlags } from '../helpers/migration.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * The lint rules gate --execute: the dry run shows what they find, with the safe path; --execute
 * stops at an error-level finding, leaving the server as it was, until the operator names the rule.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('the lint gate of a migration on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [db.name])).map((r) => String(r['t']));
  const migrate = async (alter: string, extra: readonly string[], execute = true) => {
    const out: string[] = [];
    const config = { ...configFromFlags(db.app, db.name, 't', alter, ['--serve-socket-file', `/tmp/oschange-gate-${db.name}.sock`, ...extra]), execute };
    const result = await runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: new AbortController().signal });
    return { result, out };
  };

  beforeAll(async () => {
    db = await freshDatabase(server, 'lintgate');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await admin.query('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, legacy_code VARCHAR(10) NULL, note VARCHAR(20) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    await admin.query("INSERT INTO t VALUES (1, 'a', 'x'), (2, 'b', 'y'), (3, NULL, 'z')");
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('the dry run shows the error with its safe path and the flag that accepts it', async () => {
    const { result, out } = await migrate('DROP COLUMN legacy_code', [], false);
    expect(result.executed).toBe(false);
    const lint = out.filter((l) => l.startsWith('  lint') || l.startsWith(' '.repeat(16)));
    expect(lint[0]).toBe('  lint error:   [drop-column] column legacy_code of t is dropped: code that still reads or writes it fails once the new table is in place, and the values are gone');
    expect(lint).toContain(`                2. Check that nothing names it any more (statement digests, on the primary and each replica): oschange lint --host PRIMARY --database ${db.name} --table t --alter "DROP COLUMN legacy_code"`);
    expect(lint).toContain('                --execute stops here; to run this ALTER as it is, name the rule: --allow drop-column');
    expect(out).toContain('Dry run: nothing was changed. Add --execute to run the migration.');
  });

  it('--execute stops before anything is created, naming the rule', async () => {
    const before = await tables();
    await expect(migrate('DROP COLUMN legacy_code', [])).rejects.toMatchObject({
      code: 'LINT_REFUSED',
      exitCode: 2,
      message: `[drop-column] column legacy_code of t is dropped: code that still reads or writes it fails once the new table is in place, and the values are gone. The dry run shows the safe path (and oschange lint --database ${db.name} --table t --alter "DROP COLUMN legacy_code"); to run it as it is, name the rule: --allow drop-column`,
    });
    expect(await tables()).toEqual(before);
  });

  it('--allow names it, and the migration runs; warnings never stop it', async () => {
    const { result, out } = await migrate('DROP COLUMN legacy_code, ADD COLUMN expires TIMESTAMP NULL', ['--allow', 'drop-column']);
    expect(result.executed).toBe(true);
    expect(out).toContain('  lint allowed: [drop-column] column legacy_code of t is dropped: code that still reads or writes it fails once the new table is in place, and the values are gone (--allow drop-column)');
    expect(out).toContain('  lint warning: [timestamp-2038] t.expires is TIMESTAMP: it cannot hold a time after 2038-01-19 03:14:07 UTC');
    expect((await queryRows(admin, 'SELECT * FROM t ORDER BY id')).map((r) => Object.keys(r))).toEqual([
      ['id', 'note', 'expires'],
      ['id', 'note', 'expires'],
      ['id', 'note', 'expires'],
    ]);
  });
});
