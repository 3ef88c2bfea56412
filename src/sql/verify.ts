import { atLeast, type ServerVersion } from '../db/flavor.js';
import { copyChunk, type ChunkKey } from './chunk.js';
import { keyCompare, type KeyTuple } from './key-range.js';
import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * A key range `(after, upTo]` for the pre-cut-over checksum. A missing bound is open: the first
 * range starts at the beginning of the key, the last one has no end, so together the ranges cover
 * every row of both tables — ghost rows below the original's first key or beyond its last included.
 */
export interface KeyRange {
  readonly after: KeyTuple | undefined;
  readonly upTo: KeyTuple | undefined;
}

/** The key of one side: its column names there and, when known, the index to force. */
export interface SideKey {
  readonly columns: readonly string[];
  readonly indexName: string | undefined;
}

/**
 * The locking read clause: `FOR SHARE` from MySQL 8.0.1, `LOCK IN SHARE MODE` before and on MariaDB
 * (which has no FOR SHARE). Same choice as copyChunk.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-locking-reads.html
 * https://mariadb.com/kb/en/lock-in-share-mode/
 */
export function sharedLockClause(version: ServerVersion): string {
  return version.flavor === 'mysql' && atLeast(version, 8, 0, 1) ? 'FOR SHARE' : 'LOCK IN SHARE MODE';
}

/** `WHERE …` for a range ('' when both ends are open). Bounds compare as chunk.ts does (ENUM/SET by number). */
export function rangeWhere(keyColumns: readonly string[], range: KeyRange): Statement {
  const conds: Statement[] = [];
  if (range.after !== undefined) conds.push(keyCompare(keyColumns, '>', range.after));
  if (range.upTo !== undefined) conds.push(keyCompare(keyColumns, '<=', range.upTo));
  if (conds.length === 0) return stmt('');
  return stmt(` WHERE ${conds.map((c) => c.sql).join(' AND ')}`, conds.flatMap((c) => [...c.params]));
}

function forceIndex(indexName: string | undefined): string {
  return indexName === undefined ? '' : ` FORCE INDEX (${quoteId(indexName)})`;
}

/**
 * Row count and content checksum of a key range: the style of checksum.ts, but each value is
 * hexed as `CAST(c AS BINARY)` — HEX() of a number hexes it as a BIGINT, so 1.25 and 1.24 (DECIMAL,
 * FLOAT, DOUBLE) would look alike, while the binary cast keeps every digit and is byte-identical to
 * HEX(c) for strings (and, unlike CONCAT, accepts MySQL's VECTOR).
 * https://dev.mysql.com/doc/refman/9.4/en/string-functions.html#function_hex
 * With `locking`, the range is read with a shared lock: concurrent writers to it wait until COMMIT.
 */
export function rangeChecksum(o: {
  database: string;
  table: string;
  key: SideKey;
  /** The compared columns of this table, in the same order on both sides. */
  columns: readonly string[];
  range: KeyRange;
  locking?: ServerVersion | undefined;
}): Statement {
  if (o.columns.length === 0) throw new Error('checksum needs columns');
  const parts = o.columns.map((c) => `ISNULL(${quoteId(c)}), HEX(CAST(${quoteId(c)} AS BINARY))`).join(', ');
  const where = rangeWhere(o.key.columns, o.range);
  const lock = o.locking === undefined ? '' : ` ${sharedLockClause(o.locking)}`;
  return stmt(
    `SELECT COUNT(*) AS row_count, BIT_XOR(CRC32(CONCAT_WS('|', ${parts}))) AS checksum ` +
      `FROM ${quoteTable(o.database, o.table)}${forceIndex(o.key.indexName)}${where.sql}${lock}`,
    where.params,
  );
}

/** Removes a key range from the ghost before it is copied again (the ghost's key column names). */
export function deleteRange(database: string, ghost: string, ghostKeyColumns: readonly string[], range: KeyRange): Statement {
  const where = rangeWhere(ghostKeyColumns, range);
  return stmt(`DELETE FROM ${quoteTable(database, ghost)}${where.sql}`, where.params);
}

/**
 * Copies a key range again: copyChunk itself for a bounded range (the very statement the copy
 * runs), and the same statement without an upper bound for the open last range.
 */
export function recopyRange(o: {
  version: ServerVersion;
  database: string;
  table: string;
  ghost: string;
  key: ChunkKey;
  fromColumns: readonly string[];
  toColumns: readonly string[];
  range: KeyRange;
}): Statement {
  const { range, ...rest } = o;
  if (range.upTo !== undefined) return copyChunk({ ...rest, after: range.after, upTo: range.upTo });
  if (o.fromColumns.length !== o.toColumns.length) throw new Error('column lists differ in length');
  const where = rangeWhere(o.key.columns, range);
  return stmt(
    `INSERT IGNORE INTO ${quoteTable(o.database, o.ghost)} (${o.toColumns.map(quoteId).join(', ')}) ` +
      `SELECT ${o.fromColumns.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.table)}${forceIndex(o.key.indexName)}` +
      `${where.sql} ${sharedLockClause(o.version)}`,
    where.params,
  );
}

/**
 * Opens the locked check's transaction. REPEATABLE READ is asked for explicitly: under READ
 * COMMITTED a locking read takes no gap locks, and inserts into the checked range would not wait.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-next-key-locking.html
 */
export function beginLocked(): readonly Statement[] {
  return [stmt('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ'), stmt('START TRANSACTION')];
}

export function commit(): Statement {
  return stmt('COMMIT');
}

export function rollback(): Statement {
  return stmt('ROLLBACK');
}
