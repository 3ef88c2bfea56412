import type { RowValue } from '../binlog/types.js';
import { keyIn, type KeyTuple } from './key-range.js';
import { quoteId, quoteTable, type Statement } from './quote.js';

/**
 * The applier's statements. After-images are written with REPLACE (the binlog wins over the copy,
 * and replaying is harmless: DESIGN rule 2); deletes by shared key.
 */
export function replaceRows(database: string, ghost: string, columns: readonly string[], rows: readonly (readonly RowValue[])[]): Statement {
  if (rows.length === 0) throw new Error('replaceRows needs at least one row');
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return {
    sql: `REPLACE INTO ${quoteTable(database, ghost)} (${columns.map(quoteId).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`,
    params: rows.flatMap((r) => {
      if (r.length !== columns.length) throw new Error(`row has ${r.length} values for ${columns.length} columns`);
      return [...r];
    }),
  };
}

export function deleteRows(database: string, ghost: string, keyColumns: readonly string[], keys: readonly KeyTuple[]): Statement {
  const where = keyIn(keyColumns, keys);
  return { sql: `DELETE FROM ${quoteTable(database, ghost)} WHERE ${where.sql}`, params: where.params };
}
