/**
 * The floor for any copying ALTER: what the server itself needs to build the new table and fill it
 * with the same rows in one statement — `CREATE TABLE … LIKE`, the ALTER on the empty table, and
 * `INSERT … SELECT`. No tool that copies rows through SQL can beat it by much.
 */
import { alterTable, copyAllRows, createTableLike, dropTableIfExists } from './sql.js';
import { caughtUp, type BenchServers } from './table.js';

export interface FloorResult {
  readonly seconds: number;
  readonly createAndAlterSeconds: number;
  readonly insertSelectSeconds: number;
  /**
   * Until the replica holds the copy too. The floor's one INSERT … SELECT reaches the replica only
   * once it commits, so the replica's work comes after the floor's time; a tool's chunks replicate
   * while it copies, and on a small machine the replica then shares the cores with the copy.
   */
  readonly withReplicaSeconds?: number;
}

export async function measureFloor(s: BenchServers, o: { table: string; alter: string }): Promise<FloorResult> {
  const copy = `${o.table}_floor`;
  const db = s.database;
  await s.primary.query(dropTableIfExists(db, copy).sql);
  await caughtUp(s);
  const t0 = performance.now();
  await s.primary.query(createTableLike(db, copy, o.table).sql);
  await s.primary.query(alterTable(db, copy, o.alter).sql);
  const t1 = performance.now();
  await s.primary.query(copyAllRows(db, copy, o.table).sql);
  const t2 = performance.now();
  await caughtUp(s);
  const t3 = performance.now();
  await s.primary.query(dropTableIfExists(db, copy).sql);
  await caughtUp(s);
  return { seconds: (t2 - t0) / 1000, createAndAlterSeconds: (t1 - t0) / 1000, insertSelectSeconds: (t2 - t1) / 1000, withReplicaSeconds: (t3 - t0) / 1000 };
}
