import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * An online schema change must not make the application's transactions fail. The copy reads each
 * chunk with a shared lock; in REPEATABLE READ that lock covers the gaps between the rows too, so an
 * application transaction that holds a row the copy waits for, and then inserts into a gap the copy
 * has already passed, waits for the copy while the copy waits for it: a deadlock, whose victim is the
 * application (it has done less work). The copy reads in READ COMMITTED, which locks rows only.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('the copy and an application transaction on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let app: Connection;
  beforeAll(async () => {
    db = await freshDatabase(server, 'locks');
    admin = await connect({ ...server.primary.admin, database: db.name });
    app = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await app?.end();
    await admin?.end();
    await db?.drop();
  });

  it('do not deadlock: the application inserts into a gap the waiting copy has passed, and both go on', async () => {
    await admin.query('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
    await admin.query(
      'INSERT INTO t SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d + 1, 0 FROM ' +
        ['a', 'b', 'c', 'e'].map((x) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${x}`).join(', ') +
        ' WHERE a.d < 2',
    );
    await admin.query('DELETE FROM t WHERE id = 450');
    // The application holds row 500, which the copy will have to wait for.
    await app.query('BEGIN');
    await app.query('UPDATE t SET v = v + 1 WHERE id = 500');
    // One chunk over the whole table, one copy thread: the copy locks rows 1…499 in key order and waits at 500.
    const config = configFromFlags(db.app, db.name, 't', 'ADD COLUMN w INT NULL', ['--chunk-size', '5000', '--chunk-time-millis', '0', '--copy-threads', '1', '--serve-socket-file', `/tmp/oschange-locks-${db.name}.sock`]);
    const migration = runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal });
    const outcome = migration.then(
      () => undefined,
      (e: unknown) => e,
    );
    await waitUntil(
      async () =>
        (await queryRows(admin, "SELECT trx_id FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT' AND trx_query LIKE 'INSERT IGNORE INTO%'")).length > 0,
      60_000,
      'the copy to wait for row 500',
    );
    // Into the gap at 450, behind the copy: REPEATABLE READ made this the deadlock's victim (1213).
    await app.query('INSERT INTO t VALUES (450, 7)');
    await app.query('COMMIT');
    expect(await outcome).toBeUndefined();
    expect(await queryRows(admin, 'SELECT id, v FROM t WHERE id IN (450, 500) ORDER BY id')).toEqual([
      { id: 450, v: 7 },
      { id: 500, v: 1 },
    ]);
    expect(await queryRows(admin, 'SELECT COUNT(*) AS n, SUM(v) AS s FROM t')).toEqual([{ n: '2000', s: '8' }]);
  });
});
