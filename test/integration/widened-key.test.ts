import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Applier } from '../../src/apply/applier.js';
import { BinlogStream, currentBinlogPosition } from '../../src/binlog/stream.js';
import type { BinlogPosition } from '../../src/binlog/types.js';
import { writeMarker } from '../../src/changelog/heartbeat.js';
import { copyRows, readCopyRange } from '../../src/copy/copier.js';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import { guardTables, type GuardTables } from '../../src/guard/tables.js';
import { tableNames } from '../../src/inspect/names.js';
import { findSharedKey, ghostKeyIsWider, mapColumns } from '../../src/inspect/shared-key.js';
import { readTableInfo, type TableInfo } from '../../src/inspect/table-info.js';
import { columnChanges } from '../../src/alter/columns.js';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { silentLogger } from '../../src/log.js';
import { createChangelogTable } from '../../src/sql/changelog.js';
import { MigrationState } from '../../src/state.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const ALTER = 'DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)';
const ROWS = 60;

/**
 * The race docs/design.md ("The shared key") reasons about, made to happen: with the ghost's key
 * widened to (id, i), the applier has written row 5 as (5, i=1); the row then changes to i=2 in the
 * original, and the copy reads it before the applier replays that change — so the ghost holds (5, 1)
 * and (5, 2), and no unique key objects. The pending event must leave one row: the applier deletes
 * every ghost row of id 5 before it writes id 5. Real servers, a real binlog stream, the real copy.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('a key widened by the ALTER on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let conn: Connection;
  let copyConn: Connection;
  let applyConn: Connection;

  beforeAll(async () => {
    db = await freshDatabase(server, 'widen');
    conn = await connect(db.app);
    copyConn = await connect(db.app);
    applyConn = await connect(db.app);
  });
  afterAll(async () => {
    for (const c of [conn, copyConn, applyConn]) await c?.end();
    await db?.drop();
  });

  const content = async (table: string): Promise<unknown[]> => queryRows(conn, `SELECT id, i, name FROM \`${table}\` ORDER BY id, i`);

  /** Builds w and its ghost (the ALTER applied), and the guard the migration would use. */
  async function setUp(table: string): Promise<{ guard: GuardTables; original: TableInfo; pairs: readonly { from: string; to: string }[]; start: BinlogPosition; names: ReturnType<typeof tableNames> }> {
    const names = tableNames(table);
    await conn.query(`CREATE TABLE \`${table}\` (id INT NOT NULL, i INT NOT NULL, name VARCHAR(40) CHARACTER SET utf8mb4 NOT NULL, PRIMARY KEY (id))`);
    await conn.query(`INSERT INTO \`${table}\` (id, i, name) VALUES ${Array.from({ length: ROWS }, (_, k) => `(${k + 1}, 0, 'row ${k + 1}')`).join(', ')}`);
    await conn.query(`CREATE TABLE \`${names.ghost}\` LIKE \`${table}\``);
    await conn.query(`ALTER TABLE \`${names.ghost}\` ${ALTER}`);
    await conn.query(createChangelogTable(db.name, names.changelog).sql);
    const original = (await readTableInfo(conn, db.name, table)) as TableInfo;
    const ghost = (await readTableInfo(conn, db.name, names.ghost)) as TableInfo;
    const mapping = mapColumns(original, ghost, columnChanges(parseAlterStatement(ALTER), original.columns.map((c) => c.name)));
    const sharedKey = findSharedKey(original, ghost, mapping);
    if (sharedKey === undefined) throw new Error('no shared key');
    expect(sharedKey.ghostColumns).toEqual(['id']);
    expect(ghostKeyIsWider(sharedKey)).toBe(true);
    const guard = guardTables({ version: server.version, names, original, ghost, mapping, sharedKey, keyTypes: ['int'] }, db.name, new Set());
    return { guard, original, pairs: mapping.pairs, names, start: await currentBinlogPosition(conn, server.version) };
  }

  /** Applies the stream's events up to a marker written now, then stops the applier. */
  async function applyUntilNow(stream: BinlogStream, guard: GuardTables, pairs: readonly { from: string; to: string }[], changelog: string): Promise<void> {
    const state = new MigrationState({ nowMs: Date.now(), chunkSize: 10, dmlBatchSize: 100 });
    const applier = new Applier({ conn: applyConn, source: stream, guard, pairs, state, log: silentLogger(), retries: 3 });
    const stop = new AbortController();
    const running = applier.run(stop.signal);
    try {
      const token = `t${Math.random().toString(36).slice(2)}`;
      const reached = applier.waitForMarker('state', token, 60_000);
      await writeMarker(conn, db.name, changelog, 'state', token);
      await reached;
    } finally {
      stop.abort();
      await running;
    }
  }

  /** The race: applied (5, 1); the original moves to (5, 2); the copy reads it; then the applier goes on. */
  async function race(table: string, guardOf: (g: GuardTables) => GuardTables): Promise<{ duplicated: number; afterApply: number; names: ReturnType<typeof tableNames>; start: BinlogPosition; guard: GuardTables; pairs: readonly { from: string; to: string }[] }> {
    const set = await setUp(table);
    const guard = guardOf(set.guard);
    const { names, pairs } = set;
    const stream = await BinlogStream.open({ endpoint: db.app, serverId: 30_000 + Math.floor(Math.random() * 20_000), database: db.name, table, changelogTable: names.changelog, start: set.start, log: silentLogger() });
    try {
      await conn.query(`UPDATE \`${table}\` SET i = 1, name = 'version 1' WHERE id = 5`);
      await applyUntilNow(stream, guard, pairs, names.changelog);
      expect(await content(names.ghost)).toEqual([{ id: 5, i: 1, name: 'version 1' }]);
      // Committed before the copy reads the row, replayed after the copy wrote it.
      await conn.query(`UPDATE \`${table}\` SET i = 2, name = 'version 2' WHERE id = 5`);
      await conn.query(`UPDATE \`${table}\` SET i = 7 WHERE id IN (10, 11)`);
      const state = new MigrationState({ nowMs: Date.now(), chunkSize: 10, dmlBatchSize: 100 });
      const copy = {
        conn,
        workers: [copyConn],
        version: server.version,
        database: db.name,
        table,
        ghost: names.ghost,
        key: { indexName: 'PRIMARY', columns: ['id'], byNumber: [false] },
        keyTypes: ['int'],
        pairs,
        guard,
        state,
        minChunkRows: 1,
        log: silentLogger(),
        retries: 3,
      };
      await copyRows(copy, await readCopyRange(copy), new AbortController().signal);
      const duplicated = Number(await queryValue(conn, `SELECT COUNT(*) FROM \`${names.ghost}\` WHERE id = 5`));
      await applyUntilNow(stream, guard, pairs, names.changelog);
      const afterApply = Number(await queryValue(conn, `SELECT COUNT(*) FROM \`${names.ghost}\` WHERE id = 5`));
      return { duplicated, afterApply, names, start: set.start, guard, pairs };
    } finally {
      await stream.close();
    }
  }

  it('a stale version next to the copied one: the applier deletes every ghost row of the key before it writes it, and a replay from the start changes nothing', async () => {
    const r = await race('w', (g) => g);
    // The hazard happened: two rows with id 5, no unique key objected.
    expect(r.duplicated).toBe(2);
    expect(r.afterApply).toBe(1);
    expect(await content(r.names.ghost)).toEqual(await content('w'));
    expect(await content('w')).toContainEqual({ id: 5, i: 2, name: 'version 2' });

    // A resume replays from an earlier position: every event again, the same rows after it.
    const stream = await BinlogStream.open({ endpoint: db.app, serverId: 30_000 + Math.floor(Math.random() * 20_000), database: db.name, table: 'w', changelogTable: r.names.changelog, start: r.start, log: silentLogger() });
    try {
      await applyUntilNow(stream, r.guard, r.pairs, r.names.changelog);
    } finally {
      await stream.close();
    }
    expect(await content(r.names.ghost)).toEqual(await content('w'));
  });

  it('an applier that overwrote rows in place would keep the stale version (why a wider ghost key is never upserted)', async () => {
    const r = await race('u', (g) => ({ ...g, ghostKeyWider: false }));
    expect(r.duplicated).toBe(2);
    // INSERT … ON DUPLICATE KEY UPDATE finds (5, 2) and leaves (5, 1) alone.
    expect(r.afterApply).toBe(2);
  });
});
