import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The checkpoint table `_T_ghk`: one row (id 1) saying how far an interrupted migration got — the
 * copy's key range and last completed key, and a binlog position up to which every event is in the
 * ghost table — plus what the migration was (the ALTER, both tables' schemas) so that a resume can
 * refuse when anything changed.
 */
export function createCheckpointTable(database: string, table: string): Statement {
  return stmt(
    `CREATE TABLE ${quoteTable(database, table)} (
  ${quoteId('id')} TINYINT UNSIGNED NOT NULL,
  ${quoteId('alter_statement')} MEDIUMTEXT CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('original_schema')} CHAR(64) CHARACTER SET ascii NOT NULL,
  ${quoteId('ghost_schema')} CHAR(64) CHARACTER SET ascii NOT NULL,
  ${quoteId('copy_range')} MEDIUMTEXT CHARACTER SET utf8mb4 NULL,
  ${quoteId('copied_up_to')} MEDIUMTEXT CHARACTER SET utf8mb4 NULL,
  ${quoteId('copy_done')} TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('rows_copied')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('binlog_file')} VARCHAR(512) CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('binlog_pos')} BIGINT UNSIGNED NOT NULL,
  ${quoteId('old_table')} VARCHAR(64) CHARACTER SET utf8mb4 NULL,
  ${quoteId('updated_at')} TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (${quoteId('id')})
) ENGINE=InnoDB COMMENT='oschange checkpoint'`,
  );
}

export interface CheckpointRow {
  readonly alterStatement: string;
  readonly originalSchema: string;
  readonly ghostSchema: string;
  readonly copyRange: string | null;
  readonly copiedUpTo: string | null;
  readonly copyDone: boolean;
  readonly rowsCopied: number;
  readonly binlogFile: string;
  readonly binlogPos: number;
  /** The old table's name after the swap (--timestamp-old-table stamps it per run): a resume keeps it. */
  readonly oldTable: string | null;
}

const COLUMNS = ['alter_statement', 'original_schema', 'ghost_schema', 'copy_range', 'copied_up_to', 'copy_done', 'rows_copied', 'binlog_file', 'binlog_pos', 'old_table'] as const;

/** Writes the one checkpoint row (replacing the previous one). */
export function writeCheckpoint(database: string, table: string, row: CheckpointRow): Statement {
  return stmt(`REPLACE INTO ${quoteTable(database, table)} (${quoteId('id')}, ${COLUMNS.map(quoteId).join(', ')}) VALUES (1, ${COLUMNS.map(() => '?').join(', ')})`, [
    row.alterStatement,
    row.originalSchema,
    row.ghostSchema,
    row.copyRange,
    row.copiedUpTo,
    row.copyDone ? 1 : 0,
    row.rowsCopied,
    row.binlogFile,
    row.binlogPos,
    row.oldTable,
  ]);
}

/** Reads it back, with its age in seconds by the server's clock. */
export function readCheckpoint(database: string, table: string): Statement {
  return stmt(
    `SELECT ${COLUMNS.map(quoteId).join(', ')}, TIMESTAMPDIFF(SECOND, ${quoteId('updated_at')}, CURRENT_TIMESTAMP(6)) AS ${quoteId('age_seconds')} ` +
      `FROM ${quoteTable(database, table)} WHERE ${quoteId('id')} = 1`,
  );
}

/** `SHOW CREATE TABLE`: the schema a resume compares with the one the checkpoint saw. */
export function showCreateTable(database: string, table: string): Statement {
  return stmt(`SHOW CREATE TABLE ${quoteTable(database, table)}`);
}

/** The binlog files the server still has (a resume needs the checkpoint's file). */
export function showBinaryLogs(): Statement {
  return stmt('SHOW BINARY LOGS');
}
