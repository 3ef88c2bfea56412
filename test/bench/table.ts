/**
 * The benchmark table: a pristine seeded copy (`sbtest_seed`) made once, and a working copy
 * (`sbtest1`) made afresh from it before each run, so every tool starts from the same rows, the
 * same schema and a warm buffer pool — and the replica has caught up, so no tool starts throttled.
 */
import { queryValue, type Connection } from '../../src/db/connect.js';
import type { ServerVersion } from '../../src/db/flavor.js';
import { waitForReplication } from '../../src/sandbox/replication-wait.js';
import { analyzeTable, copyAllRows, createSbtest, createTableLike, dropTableIfExists, insertSbtestRows, leftoverTables, SEED_CHUNK, setBufferPool } from './sql.js';

export const SEED_TABLE = 'sbtest_seed';
export const TABLE = 'sbtest1';

export interface BenchServers {
  readonly version: ServerVersion;
  readonly database: string;
  /** root on the primary. */
  readonly primary: Connection;
  readonly replica: Connection;
}

export async function seedTable(s: BenchServers, o: { table: string; rows: number; onProgress?: (done: number) => void }): Promise<void> {
  await s.primary.query(dropTableIfExists(s.database, o.table).sql);
  await s.primary.query(createSbtest(s.database, o.table).sql);
  for (let from = 0; from < o.rows; from += SEED_CHUNK) {
    const to = Math.min(from + SEED_CHUNK, o.rows);
    const st = insertSbtestRows(s.database, o.table, from, to, o.rows);
    await s.primary.query(st.sql, [...st.params]);
    o.onProgress?.(to);
  }
  await caughtUp(s);
}

/** `table` := a fresh copy of `from` (dropping what is left of earlier runs first). */
export async function freshCopy(s: BenchServers, o: { table: string; from: string }): Promise<void> {
  await dropLeftovers(s, o.table);
  await s.primary.query(dropTableIfExists(s.database, o.table).sql);
  await s.primary.query(createTableLike(s.database, o.table, o.from).sql);
  await s.primary.query(copyAllRows(s.database, o.table, o.from).sql);
  await s.primary.query(analyzeTable(s.database, o.table).sql);
  await caughtUp(s);
}

/** The helper tables a stopped tool leaves: `_sbtest1_gho`, `_sbtest1_new`, … */
export async function dropLeftovers(s: BenchServers, table: string): Promise<void> {
  const q = leftoverTables(s.database, table);
  const [rows] = await s.primary.query(q.sql, [...q.params]);
  for (const r of rows as { name: string }[]) await s.primary.query(dropTableIfExists(s.database, r.name).sql);
}

/** Every write so far has reached the replica (a row-based million-row copy takes it a while). */
export function caughtUp(s: BenchServers): Promise<void> {
  return waitForReplication(s.version, s.primary, s.replica, 600_000);
}

/**
 * The sandbox's 256 MB buffer pool holds one copy of the million-row table (~250 MB); the bench keeps
 * up to three side by side (seed, working copy, ghost or floor copy), so it gives both servers 1 GB.
 * innodb_buffer_pool_size is dynamic on both flavors:
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-buffer-pool-resize.html
 * https://mariadb.com/kb/en/setting-innodb-buffer-pool-size-dynamically/
 */
export async function growBufferPool(s: BenchServers, bytes: number): Promise<number> {
  for (const c of [s.primary, s.replica]) await c.query(setBufferPool(bytes).sql);
  return Number(await queryValue(s.primary, 'SELECT @@innodb_buffer_pool_size'));
}
