import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The statements `oschange lint` runs with a connection. Nothing here touches the operator's table
 * except reads: the ALTER is tried on lint's own empty copy of it (`_T_ghl`, see src/lint/live/).
 */

/**
 * The operator's ALTER actions on lint's empty copy, with an algorithm (and lock) that the server
 * must honour or refuse (errors 1845/1846) without doing anything: how the server would run it.
 * The actions are the operator's own SQL, rebuilt without comments (src/alter/render.ts); they run
 * only against the copy, whose name we quote.
 * https://dev.mysql.com/doc/refman/9.4/en/alter-table.html#alter-table-performance
 */
export function alterWithAlgorithm(o: { database: string; table: string; algorithm: string; lock: string | undefined; actions: string }): Statement {
  if (!/^[A-Z]+$/.test(o.algorithm) || (o.lock !== undefined && !/^[A-Z]+$/.test(o.lock))) throw new Error(`not an algorithm or lock: ${o.algorithm} ${String(o.lock)}`);
  return stmt(`ALTER TABLE ${quoteTable(o.database, o.table)} ALGORITHM=${o.algorithm}${o.lock === undefined ? '' : `, LOCK=${o.lock}`}, ${o.actions}`);
}

/** The table's size as InnoDB estimates it (rows, bytes of data and of indexes) and its next AUTO_INCREMENT value. */
export function tableSize(database: string, table: string): Statement {
  return stmt(
    'SELECT TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length, AVG_ROW_LENGTH AS avg_row_length, AUTO_INCREMENT AS auto_increment ' +
      'FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  );
}

/**
 * Reads without locking the rows it reads: in READ COMMITTED an INSERT … SELECT reads its source
 * as a consistent read, where REPEATABLE READ would take shared next-key locks on the table.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-locks-set.html
 */
export function readCommitted(): Statement {
  return stmt('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
}

/**
 * A sample of the table's first rows in key order copied into lint's altered copy, to time what the
 * copy costs per row. INSERT IGNORE: the copy is a scratch table, whatever fits or not is dropped with it.
 */
export function sampleCopy(o: {
  database: string;
  from: string;
  to: string;
  pairs: readonly { readonly from: string; readonly to: string }[];
  keyColumns: readonly string[];
  limit: number;
}): Statement {
  if (o.pairs.length === 0) throw new Error('sampleCopy needs columns');
  return stmt(
    `INSERT IGNORE INTO ${quoteTable(o.database, o.to)} (${o.pairs.map((p) => quoteId(p.to)).join(', ')}) ` +
      `SELECT ${o.pairs.map((p) => quoteId(p.from)).join(', ')} FROM ${quoteTable(o.database, o.from)} ORDER BY ${o.keyColumns.map(quoteId).join(', ')} LIMIT ?`,
    [Math.floor(o.limit)],
  );
}

/** The highest value of one column (an index's end for a key column: cheap). */
export function maxValue(database: string, table: string, column: string): Statement {
  return stmt(`SELECT MAX(${quoteId(column)}) AS m FROM ${quoteTable(database, table)}`);
}

/** Whether performance_schema collects statement digests: the consumer `statements_digest`. */
export function digestConsumer(): Statement {
  return stmt("SELECT ENABLED AS enabled FROM performance_schema.setup_consumers WHERE NAME = 'statements_digest'");
}

/** Since when the digest table collects, and how many statements it could not record (the table was full). */
export function digestWindow(): Statement {
  return stmt(
    'SELECT MIN(FIRST_SEEN) AS since, SUM(CASE WHEN DIGEST IS NULL THEN COUNT_STAR ELSE 0 END) AS unrecorded FROM performance_schema.events_statements_summary_by_digest',
  );
}

/**
 * Statement digests whose text holds every one of these words (a table's and a column's name), most
 * recent first. LIKE only narrows; the caller matches whole names in the digest's tokens.
 * https://dev.mysql.com/doc/refman/9.4/en/performance-schema-statement-digests.html
 */
export function digestsMentioning(words: readonly string[], limit: number): Statement {
  if (words.length === 0) throw new Error('digestsMentioning needs a word');
  return stmt(
    'SELECT SCHEMA_NAME AS schema_name, DIGEST_TEXT AS digest_text, COUNT_STAR AS count_star, FIRST_SEEN AS first_seen, LAST_SEEN AS last_seen ' +
      `FROM performance_schema.events_statements_summary_by_digest WHERE ${words.map(() => 'DIGEST_TEXT LIKE ?').join(' AND ')} ` +
      `ORDER BY LAST_SEEN DESC, COUNT_STAR DESC LIMIT ${Math.floor(limit)}`,
    words.map((w) => `%${likeEscape(w)}%`),
  );
}

/** A LIKE pattern matching the text literally (`_` and `%` are wildcards otherwise). */
export function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
