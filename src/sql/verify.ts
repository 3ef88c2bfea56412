import { atLeast, type ServerVersion } from '../db/flavor.js';
import { copyChunk, type ChunkKey } from './chunk.js';
import { keyCompare, keyEquals, keyIn, type KeyTuple } from './key-range.js';
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

/**
 * How the checksum reads an original column whose type the ALTER changes: converted to the ghost
 * column's type, so both sides give the same bytes for a value that made it across unchanged.
 */
export type Conversion =
  | { readonly kind: 'signed' | 'unsigned' | 'float' | 'double' | 'date' | 'json' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'datetime' | 'time'; readonly fsp: number }
  | { readonly kind: 'charset'; readonly charset: string }
  | { readonly kind: 'binary'; readonly length: number | undefined };

/** One compared column of one side: its name there and, on the original's side, the conversion. */
export interface ComparedColumn {
  readonly name: string;
  readonly as?: Conversion;
}

function whole(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new Error(`not a type size: ${n}`);
  return n;
}

/** `CAST(c AS DECIMAL(14,4))`, `CONVERT(c USING latin1)`, … */
export function convertedColumn(c: ComparedColumn): string {
  const id = quoteId(c.name);
  const as = c.as;
  if (as === undefined) return id;
  switch (as.kind) {
    case 'signed':
      return `CAST(${id} AS SIGNED)`;
    case 'unsigned':
      return `CAST(${id} AS UNSIGNED)`;
    case 'float':
      return `CAST(${id} AS FLOAT)`;
    case 'double':
      return `CAST(${id} AS DOUBLE)`;
    case 'date':
      return `CAST(${id} AS DATE)`;
    case 'json':
      return `CAST(${id} AS JSON)`;
    case 'decimal':
      return `CAST(${id} AS DECIMAL(${whole(as.precision)},${whole(as.scale)}))`;
    case 'datetime':
      return `CAST(${id} AS DATETIME(${whole(as.fsp)}))`;
    case 'time':
      return `CAST(${id} AS TIME(${whole(as.fsp)}))`;
    case 'charset':
      if (!/^[A-Za-z0-9_]+$/.test(as.charset)) throw new Error(`not a charset name: ${JSON.stringify(as.charset)}`);
      return `CONVERT(${id} USING ${as.charset})`;
    case 'binary':
      return as.length === undefined ? `CAST(${id} AS BINARY)` : `CAST(${id} AS BINARY(${whole(as.length)}))`;
  }
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

/** One row's content checksum: CRC32 over each compared value's NULL flag and bytes (see rangeChecksum). */
export function rowHash(columns: readonly ComparedColumn[]): string {
  if (columns.length === 0) throw new Error('checksum needs columns');
  return `CRC32(CONCAT_WS('|', ${columns.map((c) => `ISNULL(${quoteId(c.name)}), HEX(CAST(${convertedColumn(c)} AS BINARY))`).join(', ')}))`;
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
  /** The compared columns of this table, in the same order on both sides (the original's converted to the ghost's types). */
  columns: readonly ComparedColumn[];
  range: KeyRange;
  locking?: ServerVersion | undefined;
}): Statement {
  const where = rangeWhere(o.key.columns, o.range);
  const lock = o.locking === undefined ? '' : ` ${sharedLockClause(o.locking)}`;
  return stmt(
    `SELECT COUNT(*) AS row_count, BIT_XOR(${rowHash(o.columns)}) AS checksum ` +
      `FROM ${quoteTable(o.database, o.table)}${forceIndex(o.key.indexName)}${where.sql}${lock}`,
    where.params,
  );
}

/**
 * Each row of a range with its checksum (`h`) and its key (`k0`, `k1`, …): the rows of a range that
 * differs are compared one by one, to find the few a write changed between the two reads.
 */
export function rangeRowHashes(o: { database: string; table: string; key: SideKey; columns: readonly ComparedColumn[]; range: KeyRange }): Statement {
  const where = rangeWhere(o.key.columns, o.range);
  const keys = o.key.columns.map((c, i) => `${quoteId(c)} AS ${quoteId(`k${i}`)}`).join(', ');
  return stmt(`SELECT ${keys}, ${rowHash(o.columns)} AS ${quoteId('h')} FROM ${quoteTable(o.database, o.table)}${forceIndex(o.key.indexName)}${where.sql}`, where.params);
}

/** The same for the rows with these keys. */
export function rowHashesByKeys(o: { database: string; table: string; keyColumns: readonly string[]; columns: readonly ComparedColumn[]; keys: readonly KeyTuple[] }): Statement {
  const where = keyIn(o.keyColumns, o.keys);
  const keys = o.keyColumns.map((c, i) => `${quoteId(c)} AS ${quoteId(`k${i}`)}`).join(', ');
  return stmt(`SELECT ${keys}, ${rowHash(o.columns)} AS ${quoteId('h')} FROM ${quoteTable(o.database, o.table)} WHERE ${where.sql}`, where.params);
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

/**
 * The whole-table comparison (src/verify/whole-table.ts), for an ALTER after which the ghost sorts
 * the key differently: rows are grouped into buckets by a hash of their key as the ghost holds it
 * (the original's key converted), so a row falls in the same bucket on both sides whatever the order.
 */
export interface BucketSpec {
  /** The key columns of this side, converted to the ghost's form on the original's side. */
  readonly key: readonly ComparedColumn[];
  readonly buckets: number;
}

function bucketOf(b: BucketSpec): string {
  if (!Number.isInteger(b.buckets) || b.buckets < 1) throw new Error(`not a bucket count: ${b.buckets}`);
  return `CRC32(CONCAT_WS('|', ${b.key.map((k) => `HEX(CAST(${convertedColumn(k)} AS BINARY))`).join(', ')})) % ${b.buckets}`;
}

/** Row count and checksum per bucket, over the whole table or the buckets named. */
export function bucketSums(o: { database: string; table: string; columns: readonly ComparedColumn[]; bucket: BucketSpec; only?: readonly number[] }): Statement {
  const where = o.only === undefined ? '' : ` WHERE ${bucketOf(o.bucket)} IN (${o.only.map(() => '?').join(', ')})`;
  return stmt(
    `SELECT ${bucketOf(o.bucket)} AS bucket, COUNT(*) AS row_count, BIT_XOR(${rowHash(o.columns)}) AS checksum FROM ${quoteTable(o.database, o.table)}${where} GROUP BY bucket`,
    o.only === undefined ? [] : [...o.only],
  );
}

/**
 * The rows of one bucket: their key in the ghost's form (`k0`, `k1`, …), their own key columns as
 * stored (`own0`, …), and their checksum (`h`).
 */
export function bucketRows(o: { database: string; table: string; columns: readonly ComparedColumn[]; bucket: BucketSpec; own: readonly string[]; which: number }): Statement {
  const keys = o.bucket.key.map((k, i) => `${convertedColumn(k)} AS ${quoteId(`k${i}`)}`);
  const own = o.own.map((c, i) => `${quoteId(c)} AS ${quoteId(`own${i}`)}`);
  return stmt(`SELECT ${[...keys, ...own].join(', ')}, ${rowHash(o.columns)} AS ${quoteId('h')} FROM ${quoteTable(o.database, o.table)} WHERE ${bucketOf(o.bucket)} = ?`, [o.which]);
}

/** One row's checksum by key (the original's own key, read with a shared lock; or the ghost's key). */
export function rowHashByKey(o: { database: string; table: string; columns: readonly ComparedColumn[]; keyColumns: readonly string[]; key: KeyTuple; locking?: ServerVersion | undefined }): Statement {
  const where = keyEquals(o.keyColumns, o.key);
  const lock = o.locking === undefined ? '' : ` ${sharedLockClause(o.locking)}`;
  return stmt(`SELECT ${rowHash(o.columns)} AS ${quoteId('h')} FROM ${quoteTable(o.database, o.table)} WHERE ${where.sql}${lock}`, where.params);
}

/**
 * Whether the original holds the row a ghost key names, read with a shared lock by the original's
 * own key (the ghost's value converted back to the original column's charset, where it changed):
 * under the lock, no write of that key can commit until the transaction ends.
 */
export function originalRowForGhostKey(o: { database: string; table: string; keyColumns: readonly string[]; charsets: readonly (string | undefined)[]; values: KeyTuple; locking: ServerVersion }): Statement {
  const conds = o.keyColumns.map((c, i) => {
    const cs = o.charsets[i];
    if (cs !== undefined && !/^[A-Za-z0-9_]+$/.test(cs)) throw new Error(`not a charset name: ${JSON.stringify(cs)}`);
    return `${quoteId(c)} = ${cs === undefined ? '?' : `CONVERT(? USING ${cs})`}`;
  });
  return stmt(`SELECT 1 AS ${quoteId('found')} FROM ${quoteTable(o.database, o.table)} WHERE ${conds.join(' AND ')} ${sharedLockClause(o.locking)}`, [...o.values]);
}

/** Deletes one ghost row by its key. */
export function deleteGhostRow(database: string, ghost: string, keyColumns: readonly string[], key: KeyTuple): Statement {
  const where = keyEquals(keyColumns, key);
  return stmt(`DELETE FROM ${quoteTable(database, ghost)} WHERE ${where.sql}`, where.params);
}
