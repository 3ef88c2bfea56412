import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { quoteTable } from '../../src/sql/quote.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const servers = testServers();

describe.each(servers.map((s) => [label(s), s] as const))('%s primary + replica', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let primary: Connection;
  let replica: Connection;

  beforeAll(async () => {
    db = await freshDatabase(server, 'repl');
    primary = await connect(db.app);
    if (server.replica === undefined) throw new Error('this test needs a replica (OSCHANGE_TEST_REPLICA_DSN)');
    replica = await connect({ ...server.replica.app, database: db.name }).catch(async () => {
      // The database may not have reached the replica yet.
      await sleep(500);
      return connect({ ...server.replica!.app, database: db.name });
    });
  });
  afterAll(async () => {
    await primary?.end();
    await replica?.end();
    await db?.drop();
  });

  it('runs the version the suite was asked for', () => {
    if (server.name === 'mysql') expect(`${server.version.major}.${server.version.minor}`).toBe('9.7');
    if (server.name === 'mariadb') expect(`${server.version.major}.${server.version.minor}`).toBe('10.11');
  });

  it('logs binary row images in full', async () => {
    const rows = await queryRows(primary, "SELECT CAST(@@global.log_bin AS CHAR) AS log_bin, @@global.binlog_format AS format, @@global.binlog_row_image AS image");
    // MySQL reports log_bin as 1, MariaDB as ON.
    expect(rows[0]).toEqual({ log_bin: server.version.flavor === 'mariadb' ? 'ON' : '1', format: 'ROW', image: 'FULL' });
  });

  it('replicates a row written on the primary to the replica', async () => {
    const t = quoteTable(db.name, 'ping');
    await primary.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, note VARCHAR(50) CHARACTER SET utf8mb4, at DATETIME(6))`);
    await primary.query(`INSERT INTO ${t} VALUES (1, ?, ?)`, ['hello from the primary \u{1F680}', '2026-11-24 12:34:56.123456']);
    let seen: Record<string, unknown>[] = [];
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      seen = await queryRows(replica, `SELECT id, note, at FROM ${t}`).catch(() => []);
      if (seen.length > 0) break;
      await sleep(50);
    }
    expect(seen).toEqual([{ id: 1, note: 'hello from the primary \u{1F680}', at: '2026-11-24 12:34:56.123456' }]);
  });
});
