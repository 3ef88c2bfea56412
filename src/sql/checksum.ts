import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * An order-independent content checksum of some columns: BIT_XOR of each row's CRC32. NULL and
 * the empty string differ (ISNULL flags), and a separator that cannot start a value keeps
 * ('a','bc') apart from ('ab','c'). HEX() makes binary values and charsets compare byte for byte.
 */
export function tableChecksum(database: string, table: string, columns: readonly string[]): Statement {
  if (columns.length === 0) throw new Error('checksum needs columns');
  const parts = columns.map((c) => `ISNULL(${quoteId(c)}), HEX(${quoteId(c)})`).join(', ');
  return stmt(`SELECT COUNT(*) AS row_count, BIT_XOR(CRC32(CONCAT_WS('|', ${parts}))) AS checksum FROM ${quoteTable(database, table)}`);
}
