import type { ServerVersion } from '../db/flavor.js';
import { atLeast } from '../db/flavor.js';
import { keyCompare, keyEquals, orderBy, type KeyTuple } from './key-range.js';
import { quoteId, quoteTable, type Statement } from './quote.js';

/** The key the copy walks: its index name and columns, in index order. */
export interface ChunkKey {
  readonly indexName: string;
  readonly columns: readonly string[];
  /**
   * Columns read by their index number: ENUM and SET sort (and index) by member number, not by
   * label, so chunk bounds must be numbers for `>`/`<=` to agree with ORDER BY.
   * https://dev.mysql.com/doc/refman/9.4/en/enum.html#enum-sorting
   */
  readonly byNumber?: readonly boolean[];
}

function keyList(key: ChunkKey): string {
  return key.columns.map((c, i) => (key.byNumber?.[i] === true ? `${quoteId(c)} + 0 AS ${quoteId(c)}` : quoteId(c))).join(', ');
}

function forceIndex(key: ChunkKey): string {
  return `FORCE INDEX (${quoteId(key.indexName)})`;
}

/** The first or last key of the table: the range the copy covers (docs/design.md rule 3). */
export function keyBound(database: string, table: string, key: ChunkKey, which: 'min' | 'max'): Statement {
  return {
    sql: `SELECT ${keyList(key)} FROM ${quoteTable(database, table)} ${forceIndex(key)} ORDER BY ${orderBy(key.columns, which === 'min' ? 'ASC' : 'DESC')} LIMIT 1`,
    params: [],
  };
}

/**
 * The upper key of the next chunk: the `size`-th key after `after` (or from the start), not beyond
 * `max`. No row means fewer than `size` keys are left: the chunk ends at `max`.
 */
export function nextChunkEnd(o: { database: string; table: string; key: ChunkKey; after: KeyTuple | undefined; max: KeyTuple; size: number }): Statement {
  const conds: Statement[] = [];
  if (o.after !== undefined) conds.push(keyCompare(o.key.columns, '>', o.after));
  conds.push(keyCompare(o.key.columns, '<=', o.max));
  return {
    sql:
      `SELECT ${keyList(o.key)} FROM ${quoteTable(o.database, o.table)} ${forceIndex(o.key)} ` +
      `WHERE ${conds.map((c) => c.sql).join(' AND ')} ORDER BY ${orderBy(o.key.columns)} LIMIT 1 OFFSET ${Math.max(0, Math.floor(o.size) - 1)}`,
    params: conds.flatMap((c) => [...c.params]),
  };
}

/**
 * Copies one chunk: `INSERT IGNORE` so rows the binlog applier already wrote win (docs/design.md rule 2),
 * reading the range with a shared lock so no in-flight transaction's rows are copied half-way.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-locking-reads.html
 */
export function copyChunk(o: {
  version: ServerVersion;
  database: string;
  table: string;
  ghost: string;
  key: ChunkKey;
  /** Original-table columns and the ghost columns they go to, in the same order. */
  fromColumns: readonly string[];
  toColumns: readonly string[];
  after: KeyTuple | undefined;
  upTo: KeyTuple;
}): Statement {
  if (o.fromColumns.length !== o.toColumns.length) throw new Error('column lists differ in length');
  const where = chunkWhere(o.key, o.after, o.upTo);
  const lock = o.version.flavor === 'mysql' && atLeast(o.version, 8, 0, 1) ? 'FOR SHARE' : 'LOCK IN SHARE MODE';
  return {
    sql:
      `INSERT IGNORE INTO ${quoteTable(o.database, o.ghost)} (${o.toColumns.map(quoteId).join(', ')}) ` +
      `SELECT ${o.fromColumns.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.table)} ${forceIndex(o.key)} ` +
      `WHERE ${where.sql} ${lock}`,
    params: where.params,
  };
}

/** The key of the n-th row (0-based) of a chunk, in key order: the row a warning's "at row n+1" names. */
export function chunkRowAt(o: { database: string; table: string; key: ChunkKey; after: KeyTuple | undefined; upTo: KeyTuple; offset: number }): Statement {
  const where = chunkWhere(o.key, o.after, o.upTo);
  return {
    sql:
      `SELECT ${o.key.columns.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.table)} ${forceIndex(o.key)} ` +
      `WHERE ${where.sql} ORDER BY ${orderBy(o.key.columns)} LIMIT 1 OFFSET ${Math.max(0, Math.floor(o.offset))}`,
    params: where.params,
  };
}

/**
 * A chunk's range as a WHERE condition, for the write guard's look-ups (in chunkRowsMissingFromGhost
 * it stands in the outer query, where the original's columns need no alias).
 */
export function chunkWhere(key: ChunkKey, after: KeyTuple | undefined, upTo: KeyTuple): Statement {
  const conds: Statement[] = [];
  if (after !== undefined) conds.push(keyCompare(key.columns, '>', after));
  conds.push(keyCompare(key.columns, '<=', upTo));
  return { sql: conds.map((c) => c.sql).join(' AND '), params: conds.flatMap((c) => [...c.params]) };
}

/** Copies one row again, by key, exactly as copyChunk copies it. */
export function copyRow(o: { version: ServerVersion; database: string; table: string; ghost: string; key: ChunkKey; fromColumns: readonly string[]; toColumns: readonly string[]; keyValues: KeyTuple }): Statement {
  const where = keyEquals(o.key.columns, o.keyValues);
  const lock = o.version.flavor === 'mysql' && atLeast(o.version, 8, 0, 1) ? 'FOR SHARE' : 'LOCK IN SHARE MODE';
  return {
    sql:
      `INSERT IGNORE INTO ${quoteTable(o.database, o.ghost)} (${o.toColumns.map(quoteId).join(', ')}) ` +
      `SELECT ${o.fromColumns.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.table)} WHERE ${where.sql} ${lock}`,
    params: where.params,
  };
}
