import { keyEquals, keyIn, type KeyTuple } from './key-range.js';
import type { SqlValue } from './literals.js';
import type { ServerVersion } from '../db/flavor.js';
import { quoteId, quoteTable, stmt, type Statement } from './quote.js';
import { sharedLockClause } from './verify.js';

/**
 * Statements of the write guard (src/guard/): finding the rows an INSERT IGNORE into the ghost
 * dropped, the ghost rows they collided with, and whether those are still current in the original.
 */

/** `c1 <=> ? AND c2 <=> ?`: equality that also matches NULL with NULL. */
function nullSafeEquals(columns: readonly string[], values: readonly SqlValue[]): Statement {
  if (columns.length !== values.length) throw new Error(`${columns.length} columns but ${values.length} values`);
  return stmt(columns.map((c) => `${quoteId(c)} <=> ?`).join(' AND '), [...values]);
}

/** Which of these keys the ghost holds now. */
export function ghostKeysPresent(database: string, ghost: string, keyColumns: readonly string[], keys: readonly KeyTuple[]): Statement {
  const where = keyIn(keyColumns, keys);
  return stmt(`SELECT ${keyColumns.map(quoteId).join(', ')} FROM ${quoteTable(database, ghost)} WHERE ${where.sql}`, where.params);
}

/** Ghost rows holding these values in a unique key's columns: their shared key and those values. */
export function ghostRowsWithValues(o: { database: string; ghost: string; keyColumns: readonly string[]; columns: readonly string[]; values: readonly SqlValue[] }): Statement {
  const where = keyEquals(o.columns, o.values);
  const select = [...new Set([...o.keyColumns, ...o.columns])];
  return stmt(`SELECT ${select.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.ghost)} WHERE ${where.sql} LIMIT 10`, where.params);
}

/**
 * The original's row with this key, if any, and whether it holds these values (`held` = 1). A locking read: a
 * transaction whose binlog events the applier already has may not be visible yet to a plain read
 * (the binlog is written before the engine commits), but it still holds its row locks, so this waits
 * for it and reads what it committed.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-locking-reads.html
 */
export function originalRowHolds(o: { database: string; table: string; keyColumns: readonly string[]; key: KeyTuple; columns: readonly string[]; values: readonly SqlValue[]; version: ServerVersion }): Statement {
  const key = keyEquals(o.keyColumns, o.key);
  const held = nullSafeEquals(o.columns, o.values);
  return stmt(`SELECT (${held.sql}) AS ${quoteId('held')} FROM ${quoteTable(o.database, o.table)} WHERE ${key.sql} ${sharedLockClause(o.version)}`, [...held.params, ...key.params]);
}

/** Deletes a ghost row only while it still holds the stale values (the applier may have rewritten it meanwhile). */
export function deleteGhostRowIfHolds(o: { database: string; ghost: string; keyColumns: readonly string[]; key: KeyTuple; columns: readonly string[]; values: readonly SqlValue[] }): Statement {
  const key = keyEquals(o.keyColumns, o.key);
  const held = nullSafeEquals(o.columns, o.values);
  return stmt(`DELETE FROM ${quoteTable(o.database, o.ghost)} WHERE ${key.sql} AND ${held.sql}`, [...key.params, ...held.params]);
}

/** The original's current row (these columns) with this key, by a locking read (see originalRowHolds). */
export function originalRow(o: { database: string; table: string; keyColumns: readonly string[]; key: KeyTuple; columns: readonly string[]; version: ServerVersion }): Statement {
  const key = keyEquals(o.keyColumns, o.key);
  return stmt(`SELECT ${o.columns.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.table)} WHERE ${key.sql} ${sharedLockClause(o.version)}`, key.params);
}

/**
 * Keys of a copied chunk's rows that are not in the ghost: rows the chunk's INSERT IGNORE dropped
 * (or rows written after the chunk was read, which the applier brings); at most a chunk of them.
 */
export function chunkRowsMissingFromGhost(o: {
  database: string;
  table: string;
  ghost: string;
  keyColumns: readonly string[];
  ghostKeyColumns: readonly string[];
  where: Statement;
}): Statement {
  const join = o.keyColumns.map((c, i) => `g.${quoteId(o.ghostKeyColumns[i] as string)} = o.${quoteId(c)}`).join(' AND ');
  return stmt(
    `SELECT ${o.keyColumns.map((c) => `o.${quoteId(c)}`).join(', ')} FROM ${quoteTable(o.database, o.table)} AS o ` +
      `WHERE ${o.where.sql} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(o.database, o.ghost)} AS g WHERE ${join}) ` +
      `ORDER BY ${o.keyColumns.map((c) => `o.${quoteId(c)}`).join(', ')}`,
    o.where.params,
  );
}

/** INSERT IGNORE of whole rows; every warning is then read and judged (src/guard/warnings.ts). */
export function insertIgnoreRows(database: string, ghost: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Statement {
  if (rows.length === 0) throw new Error('insertIgnoreRows needs at least one row');
  for (const r of rows) if (r.length !== columns.length) throw new Error(`row has ${r.length} values for ${columns.length} columns`);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return stmt(`INSERT IGNORE INTO ${quoteTable(database, ghost)} (${columns.map(quoteId).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`, rows.flatMap((r) => [...r]));
}

export function showWarnings(): Statement {
  return stmt('SHOW WARNINGS');
}
