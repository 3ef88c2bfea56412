import { keyIn, type KeyTuple } from './key-range.js';
import { quoteId, quoteTable, type Statement } from './quote.js';

/** The applier deletes the keys a batch touches before it writes their final images (src/apply/batch-plan.ts). */
export function deleteRows(database: string, ghost: string, keyColumns: readonly string[], keys: readonly KeyTuple[]): Statement {
  const where = keyIn(keyColumns, keys);
  return { sql: `DELETE FROM ${quoteTable(database, ghost)} WHERE ${where.sql}`, params: where.params };
}
