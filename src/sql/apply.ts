import { keyIn, type KeyTuple } from './key-range.js';
import { atLeast, type ServerVersion } from '../db/flavor.js';
import { insertIgnoreRows } from './guard.js';
import { quoteId, quoteTable, type Statement } from './quote.js';

/** The applier deletes the keys a batch touches before it writes their final images (src/apply/batch-plan.ts). */
export function deleteRows(database: string, ghost: string, keyColumns: readonly string[], keys: readonly KeyTuple[]): Statement {
  const where = keyIn(keyColumns, keys);
  return { sql: `DELETE FROM ${quoteTable(database, ghost)} WHERE ${where.sql}`, params: where.params };
}

/**
 * Writes final images over whatever the ghost holds under the same shared key, in place: one row
 * event per row in the binlog (a delete and an insert would be two, and the replicas replay both).
 * Only for a ghost whose only unique key is the shared one — ON DUPLICATE KEY UPDATE updates the row
 * that collides on *any* unique key. IGNORE turns a value that does not fit into a warning the write
 * guard judges. MySQL 8.0.19+ names the new row with an alias (VALUES() is deprecated and warns);
 * MariaDB has only VALUES().
 * https://dev.mysql.com/doc/refman/9.4/en/insert-on-duplicate.html
 * https://mariadb.com/kb/en/insert-on-duplicate-key-update/
 */
export function upsertRows(o: { version: ServerVersion; database: string; ghost: string; columns: readonly string[]; keyColumns: readonly string[]; rows: readonly (readonly unknown[])[] }): Statement {
  const insert = insertIgnoreRows(o.database, o.ghost, o.columns, o.rows);
  const keys = new Set(o.keyColumns.map((c) => c.toLowerCase()));
  const updated = o.columns.filter((c) => !keys.has(c.toLowerCase()));
  const alias = o.version.flavor === 'mysql' && atLeast(o.version, 8, 0, 19);
  const assign = (c: string): string => `${quoteId(c)} = ${alias ? `${quoteId('new')}.${quoteId(c)}` : `VALUES(${quoteId(c)})`}`;
  // A table of key columns only has nothing to update: the key assigned to itself keeps the statement valid.
  const sets = updated.length > 0 ? updated.map(assign) : [`${quoteId(o.keyColumns[0] as string)} = ${quoteId(o.keyColumns[0] as string)}`];
  return { sql: `${insert.sql}${alias ? ` AS ${quoteId('new')}` : ''} ON DUPLICATE KEY UPDATE ${sets.join(', ')}`, params: insert.params };
}
