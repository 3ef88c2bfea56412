import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The backfill's checkpoint table `_T_bfk`: one row (id 1) saying what the backfill is (--set,
 * --where, the key it walks) and how far it got. The row is written in each chunk's own transaction
 * (src/backfill/walker.ts), so it names exactly the chunks that committed: a resume neither skips
 * one nor runs one twice (docs/design.md, "Backfill").
 */
export function createBackfillCheckpointTable(database: string, table: string): Statement {
  return stmt(
    `CREATE TABLE ${quoteTable(database, table)} (
  ${quoteId('id')} TINYINT UNSIGNED NOT NULL,
  ${quoteId('set_expression')} MEDIUMTEXT CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('where_expression')} MEDIUMTEXT CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('key_name')} VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('key_columns')} TEXT CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('done_up_to')} MEDIUMTEXT CHARACTER SET utf8mb4 NULL,
  ${quoteId('done')} TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('rows_walked')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('rows_matched')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('rows_changed')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('chunks')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('busy_ms')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('throttled_ms')} BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('started_at')} TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  ${quoteId('updated_at')} TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (${quoteId('id')})
) ENGINE=InnoDB COMMENT='oschange backfill checkpoint'`,
  );
}

/** What the backfill is: written once, compared by --resume. */
export interface BackfillIdentityRow {
  readonly setExpression: string;
  readonly whereExpression: string;
  readonly keyName: string;
  /** JSON list of the key's columns. */
  readonly keyColumns: string;
}

/** How far it got. */
export interface BackfillProgressRow {
  /** The last key of the last committed chunk (src/checkpoint/key-codec.ts), or null before the first. */
  readonly doneUpTo: string | null;
  readonly done: boolean;
  readonly rowsWalked: number;
  readonly rowsMatched: number;
  readonly rowsChanged: number;
  readonly chunks: number;
  readonly busyMs: number;
  readonly throttledMs: number;
}

const PROGRESS = ['done_up_to', 'done', 'rows_walked', 'rows_matched', 'rows_changed', 'chunks', 'busy_ms', 'throttled_ms'] as const;

function progressParams(p: BackfillProgressRow): unknown[] {
  return [p.doneUpTo, p.done ? 1 : 0, p.rowsWalked, p.rowsMatched, p.rowsChanged, p.chunks, Math.round(p.busyMs), Math.round(p.throttledMs)];
}

export function insertBackfillCheckpoint(database: string, table: string, identity: BackfillIdentityRow, progress: BackfillProgressRow): Statement {
  const columns = ['id', 'set_expression', 'where_expression', 'key_name', 'key_columns', ...PROGRESS];
  return stmt(`INSERT INTO ${quoteTable(database, table)} (${columns.map(quoteId).join(', ')}) VALUES (1, ${columns.slice(1).map(() => '?').join(', ')})`, [
    identity.setExpression,
    identity.whereExpression,
    identity.keyName,
    identity.keyColumns,
    ...progressParams(progress),
  ]);
}

export function writeBackfillProgress(database: string, table: string, progress: BackfillProgressRow): Statement {
  return stmt(`UPDATE ${quoteTable(database, table)} SET ${PROGRESS.map((c) => `${quoteId(c)} = ?`).join(', ')} WHERE ${quoteId('id')} = 1`, progressParams(progress));
}

/** The row, with its age in seconds by the server's clock. */
export function readBackfillCheckpoint(database: string, table: string): Statement {
  const columns = ['set_expression', 'where_expression', 'key_name', 'key_columns', ...PROGRESS];
  return stmt(
    `SELECT ${columns.map(quoteId).join(', ')}, TIMESTAMPDIFF(SECOND, ${quoteId('updated_at')}, CURRENT_TIMESTAMP(6)) AS ${quoteId('age_seconds')} ` +
      `FROM ${quoteTable(database, table)} WHERE ${quoteId('id')} = 1`,
  );
}
