import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The revert's read-only checks (src/revert/exactness.ts): each finds the first row of the table
 * (new schema) whose content the old table cannot take back unchanged, by its key, and stops there.
 */

/** A column's default and nullability, to tell a value someone wrote from one the column got by itself. */
export function columnDefaults(database: string, table: string): Statement {
  return stmt(
    'SELECT COLUMN_NAME AS name, COLUMN_DEFAULT AS column_default, IS_NULLABLE AS is_nullable, EXTRA AS extra ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [database, table],
  );
}

/**
 * Which values of a column the old table has no place for count as written:
 * - `not-null`: a nullable column without a default — any value but NULL;
 * - `not-default`: a column with a literal default — any value but it (`DEFAULT(c)`);
 * - `any`: a NOT NULL column without a literal default — every value (nothing tells an unwritten one).
 */
export type WrittenTest = 'not-null' | 'not-default' | 'any';

/** The first row whose column `column` holds a written value (see WrittenTest), with the value as `__value`. */
export function writtenValueProbe(o: { database: string; table: string; keyColumns: readonly string[]; column: string; test: WrittenTest }): Statement {
  const key = o.keyColumns.map(quoteId).join(', ');
  const c = quoteId(o.column);
  const where = o.test === 'not-null' ? `${c} IS NOT NULL` : o.test === 'not-default' ? `NOT (${c} <=> DEFAULT(${c}))` : 'TRUE';
  return stmt(`SELECT ${key}, ${c} AS ${quoteId('__value')} FROM ${quoteTable(o.database, o.table)} WHERE ${where} ORDER BY ${key} LIMIT 1`);
}

/** How long ago (µs, by the server's clock) the changelog's heartbeat was written: a running reverse sync writes it every 100 ms. */
export function heartbeatAge(database: string, changelog: string): Statement {
  return stmt(
    `SELECT TIMESTAMPDIFF(MICROSECOND, ${quoteId('last_update')}, CURRENT_TIMESTAMP(6)) AS ${quoteId('age_us')} FROM ${quoteTable(database, changelog)} WHERE ${quoteId('hint')} = ?`,
    ['heartbeat'],
  );
}
