import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/** DDL for the ghost, changelog and old tables. */
export function createTableLike(database: string, table: string, like: string): Statement {
  return stmt(`CREATE TABLE ${quoteTable(database, table)} LIKE ${quoteTable(database, like)}`);
}

/**
 * The operator's ALTER, applied to the ghost. The clause is the operator's own SQL and cannot be a
 * placeholder; it runs only against the ghost table, whose name we quote.
 */
export function alterTable(database: string, table: string, alterClause: string): Statement {
  return stmt(`ALTER TABLE ${quoteTable(database, table)} ${alterClause}`);
}

export function dropTable(database: string, table: string): Statement {
  return stmt(`DROP TABLE IF EXISTS ${quoteTable(database, table)}`);
}

/** Empties a table (the ghost, when a run starts its copy over). */
export function truncateTable(database: string, table: string): Statement {
  return { sql: `TRUNCATE TABLE ${quoteTable(database, table)}`, params: [] };
}

/** One atomic RENAME of several tables. */
export function renameTables(database: string, pairs: readonly (readonly [from: string, to: string])[]): Statement {
  return stmt(`RENAME TABLE ${pairs.map(([f, t]) => `${quoteTable(database, f)} TO ${quoteTable(database, t)}`).join(', ')}`);
}

/** The cut-over sentry: a placeholder holding the old table's name until the swap. */
export function createSentry(database: string, table: string): Statement {
  return stmt(
    `CREATE TABLE ${quoteTable(database, table)} (${quoteId('id')} INT NOT NULL AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB COMMENT='oschange cut-over sentry'`,
  );
}

export function lockTablesWrite(database: string, tables: readonly string[]): Statement {
  return stmt(`LOCK TABLES ${tables.map((t) => `${quoteTable(database, t)} WRITE`).join(', ')}`);
}

export function showCreateTable(database: string, table: string): Statement {
  return stmt(`SHOW CREATE TABLE ${quoteTable(database, table)}`);
}

/**
 * Fresh index statistics for the ghost before it takes the table's place (gh-ost's
 * --analyze-ghost-table-before-cutover): a table filled by inserts may carry estimates the
 * optimizer misjudges right after the swap.
 * https://dev.mysql.com/doc/refman/9.4/en/analyze-table.html
 */
export function analyzeTable(database: string, table: string): Statement {
  return stmt(`ANALYZE TABLE ${quoteTable(database, table)}`);
}

/** The next AUTO_INCREMENT value a table will hand out (NULL without an AUTO_INCREMENT column). */
export function autoIncrementOf(database: string, table: string): Statement {
  return stmt('SELECT AUTO_INCREMENT AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [database, table]);
}

/** Sets the next AUTO_INCREMENT value: in place, metadata only. */
export function setAutoIncrement(database: string, table: string, next: bigint): Statement {
  if (next < 1n) throw new Error(`not an AUTO_INCREMENT value: ${next}`);
  return stmt(`ALTER TABLE ${quoteTable(database, table)} AUTO_INCREMENT = ${next.toString()}`);
}
