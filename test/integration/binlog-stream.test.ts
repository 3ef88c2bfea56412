import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinlogStream, currentBinlogPosition, type BinlogStreamOptions } from '../../src/binlog/stream.js';
import { BinlogStreamError } from '../../src/binlog/stream-errors.js';
import { comparePositions, type StreamEvent } from '../../src/binlog/types.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';
import { silentLogger } from '../../src/log.js';
import { createChangelogTable, writeChangelog, writeHeartbeat } from '../../src/sql/changelog.js';
import { createUser, grantGlobal, grantOnDatabase, quoteAccount } from '../../src/sql/privileges.js';
import { quoteTable } from '../../src/sql/quote.js';
import { adminConnection, freshDatabase, label, testServers } from '../helpers/servers.js';

/** The stream's contract: order, kinds, images, changelog events, positions, backpressure, failures, cleanup. */
describe.each(testServers().map((s) => [label(s), s] as const))('%s: binlog stream', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let writer: Connection;
  let admin: Connection;
  const users: string[] = [];
  let nextServerId = 6100;

  const options = (o: Partial<BinlogStreamOptions> & { start: BinlogStreamOptions['start'] }): BinlogStreamOptions => ({
    endpoint: db.app,
    serverId: nextServerId++,
    database: db.name,
    table: 'items',
    changelogTable: '_items_ghc',
    log: silentLogger(),
    ...o,
  });

  /** A user of its own, so the test can find (and kill) exactly its stream's connection. */
  async function makeUser(name: string, globals: readonly string[]): Promise<Endpoint> {
    const user = `${name}_${Math.random().toString(16).slice(2, 8)}`;
    users.push(user);
    const statements = [createUser(user, '%', 'pw-' + user), grantOnDatabase(db.name, user, '%', ['SELECT'])];
    if (globals.length > 0) statements.push(grantGlobal(server.version.flavor, user, '%', globals));
    for (const s of statements) await admin.query(s.sql, [...s.params]);
    return { ...db.app, user, password: 'pw-' + user };
  }

  beforeAll(async () => {
    db = await freshDatabase(server, 'blstr');
    writer = await connect(db.app);
    admin = await adminConnection(server);
    await writer.query(`CREATE TABLE ${quoteTable(db.name, 'items')} (id INT PRIMARY KEY, name VARCHAR(50), qty INT)`);
    await writer.query(`CREATE TABLE ${quoteTable(db.name, 'other')} (id INT PRIMARY KEY, v INT)`);
    await writer.query(createChangelogTable(db.name, '_items_ghc').sql);
  });
  afterAll(async () => {
    for (const u of users) await admin?.query(`DROP USER IF EXISTS ${quoteAccount(u, '%')}`);
    await writer?.end();
    await admin?.end();
    await db?.drop();
  });

  /**
   * readPosition comes to equal SHOW BINARY LOG STATUS. Other test files write to the same server,
   * so the status is read again on each try until the two meet in a quiet moment.
   */
  async function caughtUp(stream: BinlogStream, conn: Connection): Promise<void> {
    let status = await currentBinlogPosition(conn, server.version);
    const deadline = Date.now() + 20_000;
    while (comparePositions(stream.readPosition, status) !== 0) {
      if (Date.now() > deadline) throw new Error(`readPosition ${JSON.stringify(stream.readPosition)} never met the binlog status ${JSON.stringify(status)}`);
      await sleep(10);
      status = await currentBinlogPosition(conn, server.version);
    }
    expect(stream.readPosition).toEqual(status);
  }

  const items = (): string => quoteTable(db.name, 'items');
  const other = (): string => quoteTable(db.name, 'other');
  const marker = async (value: string): Promise<void> => {
    const s = writeChangelog(db.name, '_items_ghc', 'test', value);
    await writer.query(s.sql, [...s.params]);
  };

  it('delivers row changes in binlog order with their images, skips other tables, and turns changelog rows into heartbeats and markers', async () => {
    await writer.query(`DELETE FROM ${items()}`);
    const start = await currentBinlogPosition(writer, server.version);
    const stream = await BinlogStream.open(options({ start }));
    try {
      await writer.query(`INSERT INTO ${items()} VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)`);
      await writer.query(`INSERT INTO ${other()} VALUES (1, 1)`);
      const hb = writeHeartbeat(db.name, '_items_ghc', 1_700_000_000_123);
      await writer.query(hb.sql, [...hb.params]);
      await writer.query(`UPDATE ${items()} SET qty = qty * 10 WHERE id IN (1, 2)`);
      await writer.beginTransaction();
      await writer.query(`UPDATE ${other()} SET v = 2`);
      await writer.query(`DELETE FROM ${items()} WHERE id = 3`);
      await writer.query(`UPDATE ${items()} SET id = 4 WHERE id = 2`);
      await writer.commit();
      await writer.query(`DELETE FROM ${quoteTable(db.name, '_items_ghc')} WHERE hint = 'heartbeat'`);
      await marker('first done');

      const events = await takeUntilMarker(stream, 'first done');
      expect(events.map(summary)).toEqual([
        'insert {"id":1,"name":"a","qty":1}',
        'insert {"id":2,"name":"b","qty":2}',
        'insert {"id":3,"name":"c","qty":3}',
        'heartbeat 1700000000123',
        'update {"id":1,"name":"a","qty":1} -> {"id":1,"name":"a","qty":10}',
        'update {"id":2,"name":"b","qty":2} -> {"id":2,"name":"b","qty":20}',
        'delete {"id":3,"name":"c","qty":3}',
        'update {"id":2,"name":"b","qty":20} -> {"id":4,"name":"b","qty":20}',
        'marker test=first done',
      ]);
      // One multi-row statement is one binlog event: its rows share a position.
      expect(new Set(events.slice(0, 3).map((e) => e.position.position)).size).toBe(1);
    } finally {
      await stream.close();
    }
  });

  it('reports positions that never go back, start after the start position and end where the server does', async () => {
    const start = await currentBinlogPosition(writer, server.version);
    const stream = await BinlogStream.open(options({ start }));
    try {
      for (let i = 0; i < 20; i++) await writer.query(`INSERT INTO ${items()} VALUES (?, 'p', ?) ON DUPLICATE KEY UPDATE qty = qty + 1`, [100 + (i % 7), i]);
      await marker('positions done');
      const events = await takeUntilMarker(stream, 'positions done', true);
      expect(events.length).toBe(21);
      let previous = start;
      for (const e of events) {
        expect(comparePositions(e.position, previous)).toBeGreaterThanOrEqual(0);
        previous = e.position;
      }
      expect(comparePositions(events[0]!.position, start)).toBeGreaterThan(0);
      const end = await currentBinlogPosition(writer, server.version);
      // The last event's position is the end of its rows event; the commit follows it.
      expect(comparePositions(previous, end)).toBeLessThanOrEqual(0);
      await caughtUp(stream, writer);
    } finally {
      await stream.close();
    }
  });

  it('follows the binlog into the next file when the server rotates it', async () => {
    const start = await currentBinlogPosition(writer, server.version);
    const stream = await BinlogStream.open(options({ start }));
    try {
      await writer.query(`INSERT INTO ${items()} VALUES (-1, 'old file', 0)`);
      await admin.query('FLUSH BINARY LOGS');
      await writer.query(`INSERT INTO ${items()} VALUES (-2, 'new file', 0)`);
      await marker('rotation done');
      const events = await takeUntilMarker(stream, 'rotation done');
      const [before, after] = events;
      expect(before?.position.file).toBe(start.file);
      expect(after?.position.file).not.toBe(start.file);
      expect(comparePositions(after!.position, before!.position)).toBeGreaterThan(0);
      await caughtUp(stream, writer);
    } finally {
      await stream.close();
    }
  });

  it('pauses reading above the high-water mark, keeps memory bounded, then delivers every row once, in order', async () => {
    const table = quoteTable(db.name, 'items');
    await writer.query(`DELETE FROM ${table}`);
    const start = await currentBinlogPosition(writer, server.version);
    const highWaterMark = 5_000;
    const stream = await BinlogStream.open(options({ start, highWaterMark }));
    try {
      let maxBacklog = 0;
      const watcher = setInterval(() => (maxBacklog = Math.max(maxBacklog, stream.backlog)), 5);
      const total = 50_000;
      for (let from = 1; from <= total; from += 1_000) {
        const rows = Array.from({ length: 1_000 }, (_, i) => [from + i, `row ${from + i}`, i]);
        await writer.query(`INSERT INTO ${table} VALUES ?`, [rows]);
      }
      const end = await currentBinlogPosition(writer, server.version);
      // Nobody takes: reading stops once the backlog passes the mark.
      await sleep(1_500);
      clearInterval(watcher);
      maxBacklog = Math.max(maxBacklog, stream.backlog);
      expect(stream.backlog).toBeGreaterThanOrEqual(highWaterMark);
      expect(comparePositions(stream.readPosition, end)).toBeLessThan(0);

      const ids: number[] = [];
      const rowsPerEvent = new Map<string, number>();
      while (ids.length < total) {
        const batch = await stream.take(2_000, 5_000);
        if (batch.length === 0) throw new Error(`stalled after ${ids.length} rows`);
        for (const e of batch) {
          if (e.kind !== 'insert') continue;
          ids.push(Number(e.after['id']));
          const key = `${e.position.file}:${e.position.position}`;
          rowsPerEvent.set(key, (rowsPerEvent.get(key) ?? 0) + 1);
        }
      }
      const largestEvent = Math.max(...rowsPerEvent.values());
      expect(maxBacklog).toBeLessThanOrEqual(highWaterMark + largestEvent);
      expect(ids).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(stream.backlog).toBe(0);
    } finally {
      await stream.close();
    }
  });

  it('rejects take() with a clear error when its connection is killed, after handing over what it had read', async () => {
    const endpoint = await makeUser('blkill', server.version.flavor === 'mariadb' ? ['REPLICATION SLAVE', 'BINLOG MONITOR'] : ['REPLICATION SLAVE', 'REPLICATION CLIENT']);
    const start = await currentBinlogPosition(writer, server.version);
    const stream = await BinlogStream.open(options({ start, endpoint }));
    try {
      await writer.query(`INSERT INTO ${items()} VALUES (-900, 'before the kill', 0)`);
      await waitFor(() => stream.backlog > 0, 'the row to be read');
      // SHOW PROCESSLIST, not information_schema.PROCESSLIST: on MySQL the latter converts every
      // thread's statement to utf8mb3 and fails when another test's statement holds an emoji.
      const dumps = (await queryRows(admin, 'SHOW PROCESSLIST'))
        .filter((r) => r['User'] === endpoint.user && String(r['Command']).startsWith('Binlog Dump'))
        .map((r) => ({ id: r['Id'] }));
      expect(dumps).toHaveLength(1);
      await admin.query(`KILL ${Number(dumps[0]!['id'])}`);

      const first = await stream.take(10, 1_000);
      expect(first.map(summary)).toEqual(['insert {"id":-900,"name":"before the kill","qty":0}']);
      const failure = await stream.take(10, 5_000).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(BinlogStreamError);
      expect((failure as BinlogStreamError).code).toBe('BINLOG_CONNECTION_LOST');
      expect((failure as BinlogStreamError).message).toMatch(/binlog connection to .* lost/);
      // It stays failed.
      await expect(stream.take(1, 100)).rejects.toThrow(/lost/);
    } finally {
      await stream.close();
    }
  });

  it('says so when a second reader takes over its server id', async () => {
    const start = await currentBinlogPosition(writer, server.version);
    const serverId = nextServerId++;
    const first = await BinlogStream.open(options({ start, serverId }));
    const second = await BinlogStream.open(options({ start, serverId }));
    try {
      const err = await first.take(10, 5_000).catch((e: unknown) => e);
      expect((err as BinlogStreamError).code).toBe('BINLOG_DUPLICATE_SERVER_ID');
      expect((err as BinlogStreamError).message).toMatch(new RegExp(`server id ${serverId}.*Give every reader its own server id`));
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('refuses to open without the privilege to list binlogs, naming the grant', async () => {
    const endpoint = await makeUser('blnopriv', []);
    const start = await currentBinlogPosition(writer, server.version);
    const err = await BinlogStream.open(options({ start, endpoint })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinlogStreamError);
    expect((err as BinlogStreamError).code).toBe('BINLOG_PRIVILEGE');
    expect((err as BinlogStreamError).message).toMatch(/may not read the binlog.*GRANT REPLICATION SLAVE/);
  });

  it('refuses to open without REPLICATION SLAVE (the dump itself is denied), naming the grant', async () => {
    const endpoint = await makeUser('blnoslave', [server.version.flavor === 'mariadb' ? 'BINLOG MONITOR' : 'REPLICATION CLIENT']);
    const start = await currentBinlogPosition(writer, server.version);
    const err = await BinlogStream.open(options({ start, endpoint })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BinlogStreamError);
    expect((err as BinlogStreamError).code).toBe('BINLOG_PRIVILEGE');
    expect((err as BinlogStreamError).message).toMatch(/REPLICATION SLAVE/);
  });

  it('refuses to open from a purged binlog file or a position past its end, saying what to do', async () => {
    const here = await currentBinlogPosition(writer, server.version);
    const purged = await BinlogStream.open(options({ start: { file: 'binlog.000000', position: 4 } })).catch((e: unknown) => e);
    expect((purged as BinlogStreamError).code).toBe('BINLOG_NOT_FOUND');
    expect((purged as BinlogStreamError).message).toMatch(/binlog\.000000 is not on .* purged .*SHOW BINARY LOG STATUS/);
    const beyond = await BinlogStream.open(options({ start: { file: here.file, position: here.position + 1_000_000_000 } })).catch((e: unknown) => e);
    expect((beyond as BinlogStreamError).code).toBe('BINLOG_NOT_FOUND');
    expect((beyond as BinlogStreamError).message).toMatch(/beyond the end/);
  });

  it('refuses to open on a table that does not exist', async () => {
    const start = await currentBinlogPosition(writer, server.version);
    const err = await BinlogStream.open(options({ start, table: 'no_such_table' })).catch((e: unknown) => e);
    expect((err as BinlogStreamError).code).toBe('BINLOG_TABLE_NOT_FOUND');
  });

  it('closes cleanly: idempotent, pending takes end empty, no sockets or timers left behind', async () => {
    const before = handles();
    const start = await currentBinlogPosition(writer, server.version);
    const stream = await BinlogStream.open(options({ start }));
    const pending = stream.take(10, 60_000);
    await Promise.all([stream.close(), stream.close()]);
    await expect(pending).resolves.toEqual([]);
    await expect(stream.take(10, 10)).resolves.toEqual([]);
    await waitFor(() => handles() <= before, `open handles to return to ${before} (now ${handles()})`);
  });
});

/** Sockets and timers this process holds. */
function handles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
}

function summary(e: StreamEvent): string {
  switch (e.kind) {
    case 'insert':
      return `insert ${JSON.stringify(e.after)}`;
    case 'update':
      return `update ${JSON.stringify(e.before)} -> ${JSON.stringify(e.after)}`;
    case 'delete':
      return `delete ${JSON.stringify(e.before)}`;
    case 'heartbeat':
      return `heartbeat ${e.writtenAtMs}`;
    case 'marker':
      return `marker ${e.hint}=${e.value}`;
  }
}

/** Events up to the test marker with this value (included when `inclusive`). */
async function takeUntilMarker(stream: BinlogStream, value: string, inclusive = true): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const e of await stream.take(1_000, 500)) {
      const last = e.kind === 'marker' && e.hint === 'test' && e.value === value;
      if (!last || inclusive) out.push(e);
      if (last) return out;
    }
  }
  throw new Error(`marker ${value} did not arrive; got ${out.length} events`);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
