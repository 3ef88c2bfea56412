import type { ChunkKey } from './chunk.js';
import { keyCompare, orderBy, type KeyTuple } from './key-range.js';
import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The statements of `oschange backfill` (docs/design.md, "Backfill"). oschange writes the table,
 * the key, every identifier (quoted here) and every bound (a placeholder); the operator's --set and
 * --where go in as checked expressions (src/backfill/expressions.ts), each in parentheses.
 */
declare const checked: unique symbol;

/** Operator text that passed src/backfill/expressions.ts: nothing else is put into a statement unquoted. */
export type SqlExpression = { readonly text: string } & { readonly [checked]: true };

/** One `column = expression` of --set ('default': the keyword DEFAULT, which takes no parentheses). */
export interface Assignment {
  readonly column: string;
  readonly expression: SqlExpression | 'default';
}

export interface BackfillTarget {
  readonly database: string;
  readonly table: string;
  /** The key the walk follows: the PRIMARY KEY, or else a unique key on NOT NULL columns. */
  readonly key: ChunkKey;
}

function keyList(key: ChunkKey): string {
  // ENUM/SET keys sort by member number: their bounds are read as numbers (see ChunkKey.byNumber).
  return key.columns.map((c, i) => (key.byNumber?.[i] === true ? `${quoteId(c)} + 0 AS ${quoteId(c)}` : quoteId(c))).join(', ');
}

function forceIndex(key: ChunkKey): string {
  return `FORCE INDEX (${quoteId(key.indexName)})`;
}

/** `phone` = (''), `n` = DEFAULT */
export function setList(set: readonly Assignment[]): string {
  if (set.length === 0) throw new Error('a backfill needs at least one assignment');
  return set.map((a) => `${quoteId(a.column)} = ${a.expression === 'default' ? 'DEFAULT' : `(${a.expression.text})`}`).join(', ');
}

/**
 * The upper key of the next chunk: the `size`-th key after `after` (or from the start). No row
 * means fewer than `size` keys are left, and the chunk is the last one, open above — so rows the
 * application inserts beyond the end while the walk runs are in it too.
 */
export function backfillChunkEnd(o: BackfillTarget & { after: KeyTuple | undefined; size: number }): Statement {
  const lower = o.after === undefined ? undefined : keyCompare(o.key.columns, '>', o.after);
  return {
    sql:
      `SELECT ${keyList(o.key)} FROM ${quoteTable(o.database, o.table)} ${forceIndex(o.key)}` +
      `${lower === undefined ? '' : ` WHERE ${lower.sql}`} ORDER BY ${orderBy(o.key.columns)} LIMIT 1 OFFSET ${Math.max(0, Math.floor(o.size) - 1)}`,
    params: lower?.params ?? [],
  };
}

/**
 * One chunk: `UPDATE t SET <set> WHERE <key range> AND (<where>)`. The server evaluates the WHERE
 * and the SET on each row as it updates it, holding the row's lock (an UPDATE reads the newest
 * committed version, whatever the isolation level): a row the application changed so that it no
 * longer matches is left alone, and the SET sees the row's current values. The index is forced so
 * that a --where on another index cannot turn each chunk into a scan of that index.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-locking-reads.html
 */
export function backfillChunk(o: BackfillTarget & { set: readonly Assignment[]; where: SqlExpression; after: KeyTuple | undefined; upTo: KeyTuple | undefined }): Statement {
  const range = keyRange(o.key, o.after, o.upTo);
  return {
    sql: `UPDATE ${quoteTable(o.database, o.table)} ${forceIndex(o.key)} SET ${setList(o.set)} WHERE ${[...range.map((r) => r.sql), `(${o.where.text})`].join(' AND ')}`,
    params: range.flatMap((r) => [...r.params]),
  };
}

function keyRange(key: ChunkKey, after: KeyTuple | undefined, upTo: KeyTuple | undefined): Statement[] {
  const out: Statement[] = [];
  if (after !== undefined) out.push(keyCompare(key.columns, '>', after));
  if (upTo !== undefined) out.push(keyCompare(key.columns, '<=', upTo));
  return out;
}

/**
 * Whether --set is valid for the table, without changing anything: EXPLAIN resolves every name and
 * type of the statement (unknown columns, functions, syntax, a subquery the server refuses) and
 * runs nothing; `WHERE FALSE` keeps even the plan trivial. Checked on its own so that an error names
 * the flag it comes from.
 * https://dev.mysql.com/doc/refman/9.4/en/explain.html
 */
export function explainSet(o: BackfillTarget & { set: readonly Assignment[] }): Statement {
  return stmt(`EXPLAIN UPDATE ${quoteTable(o.database, o.table)} SET ${setList(o.set)} WHERE FALSE`);
}

/** The same for --where: the column assigned to itself, so only the condition can be wrong. */
export function explainWhere(o: BackfillTarget & { column: string; where: SqlExpression }): Statement {
  return stmt(`EXPLAIN UPDATE ${quoteTable(o.database, o.table)} SET ${quoteId(o.column)} = ${quoteId(o.column)} WHERE (${o.where.text}) AND FALSE`);
}

/**
 * The rows of the table and those --where matches now: one scan, a consistent read that takes no
 * row locks. It runs with a time limit (src/sql/throttle.ts); on a table too big for it the plan
 * says the count was not made.
 */
export function countMatching(o: { database: string; table: string; where: SqlExpression }): Statement {
  return stmt(
    `SELECT COUNT(*) AS ${quoteId('rows_total')}, COALESCE(SUM(CASE WHEN (${o.where.text}) THEN 1 ELSE 0 END), 0) AS ${quoteId('rows_matching')} ` +
      `FROM ${quoteTable(o.database, o.table)}`,
  );
}

/** The session's binlog format: READ COMMITTED needs row events (src/backfill/walker.ts). */
export function sessionBinlogFormat(): Statement {
  return stmt('SELECT @@SESSION.binlog_format AS `format`');
}

/**
 * The chunk session: READ COMMITTED where the binlog allows it, so an UPDATE locks only the rows it
 * changes (rows the key range holds that do not match are unlocked at once) and no gaps; short lock
 * waits, so a chunk stuck behind an application's transaction gives up and is retried rather than
 * holding its own locks for 50 s.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-transaction-isolation-levels.html#isolevel_read-committed
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-parameters.html#sysvar_innodb_lock_wait_timeout
 */
export function backfillSessionSetup(o: { readCommitted: boolean; rowLockWaitSeconds: number; metadataLockWaitSeconds: number }): readonly Statement[] {
  return [
    ...(o.readCommitted ? [stmt('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED')] : []),
    stmt('SET SESSION innodb_lock_wait_timeout = ?, lock_wait_timeout = ?', [o.rowLockWaitSeconds, o.metadataLockWaitSeconds]),
  ];
}
