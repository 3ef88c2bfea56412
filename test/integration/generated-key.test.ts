import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKey } from '../../src/checkpoint/key-codec.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const ROWS = 20_000;
const ALTER = 'ADD COLUMN extra INT NOT NULL DEFAULT 7';

/**
 * A PRIMARY KEY that starts with a STORED generated column (docs/design.md, "The shared key"): the
 * checkpoint saves the generated value where the copy stopped, a resume goes on from it, and the
 * checksum compares the key's generated values. MySQL only: MariaDB allows neither a PRIMARY KEY
 * nor NOT NULL on a generated column, so no such key exists there (test/scenarios/fail-generated-unique-key-mariadb).
 */
describe.each(testServers().filter((s) => s.version.flavor === 'mysql').map((s) => [label(s), s] as const))('a key with a STORED generated column on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;

  beforeAll(async () => {
    db = await freshDatabase(server, 'genkey');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  const migrate = async (extra: string[], stopAfterRows?: number): Promise<{ out: string[]; error: unknown }> => {
    const config = configFromFlags(db.app, db.name, 't', ALTER, ['--chunk-size', '100', ...extra]);
    const out: string[] = [];
    const stop = new AbortController();
    let state: MigrationState | undefined;
    const running = runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: stop.signal, observe: (s) => (state = s) });
    if (stopAfterRows !== undefined) {
      await waitUntil(() => (state?.rowsCopied ?? 0) >= stopAfterRows, 30_000, 'the copy to get going');
      stop.abort();
    }
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    return { out, error };
  };
  const content = async (table: string): Promise<unknown[]> => queryRows(admin, `SELECT code, id, region, amount FROM \`${table}\` ORDER BY id`);

  it('resumes an interrupted copy from a checkpoint that holds the generated value, and cuts over with equal tables', async () => {
    await admin.query(
      'CREATE TABLE t (id INT NOT NULL, region VARCHAR(10) NOT NULL, amount DECIMAL(10,2) NOT NULL, ' +
        "code VARCHAR(24) AS (CONCAT(UPPER(region), '-', id % 7)) STORED NOT NULL, PRIMARY KEY (code, id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    );
    await admin.query(
      "INSERT INTO t (id, region, amount) SELECT n + 1, ELT(1 + n % 3, 'eu', 'ñandú', 'us'), n / 4 FROM (SELECT a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d AS n FROM " +
        ['a', 'b', 'c', 'e', 'f'].map((x) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${x}`).join(', ') +
        `) s WHERE n < ${ROWS}`,
    );
    const before = await content('t');

    const interrupted = await migrate(['--nice-ratio', '2'], 2000);
    expect(String(interrupted.error)).toMatch(/stopped by signal/);
    const [saved] = await queryRows(admin, 'SELECT copied_up_to FROM _t_ghk');
    const upTo = decodeKey(String(saved?.['copied_up_to']));
    // (code, id): the generated value first, as the copy read it.
    expect(upTo).toHaveLength(2);
    expect(String(upTo[0])).toMatch(/^(EU|ÑANDÚ|US)-[0-6]$/);

    // Rows change while nothing runs: the resumed stream brings them, keys moved included.
    await admin.query("UPDATE t SET region = 'us' WHERE id % 50 = 1");
    await admin.query('DELETE FROM t WHERE id % 97 = 3');
    await admin.query("INSERT INTO t (id, region, amount) VALUES (900001, 'eu', 1.5), (900002, 'ñandú', 2.25)");
    const changed = await content('t');
    expect(changed).not.toEqual(before);

    const resumed = await migrate(['--resume']);
    expect(resumed.error).toBeUndefined();
    expect(resumed.out.some((l) => l.includes('  shared key:  PRIMARY (code, id)'))).toBe(true);
    expect(resumed.out.some((l) => l.includes('  checksum:    compares 4 columns'))).toBe(true);
    expect(resumed.out.at(-1)).toMatch(/checksum equal/);
    expect(await content('t')).toEqual(changed);
    expect(await content('_t_del')).toEqual(changed);
    const [odd] = await queryRows(admin, 'SELECT COUNT(*) AS n FROM t WHERE extra <> 7');
    expect(Number(odd?.['n'])).toBe(0);
  });
});
