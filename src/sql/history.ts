import type { MigrationStatus } from '../queue/states.js';
import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The history and queue table, `<schema>.migrations` (schema `oschange` unless the operator names
 * another): one row per migration, queued or run directly — what changed which table, when, who
 * asked, and how it ended. Times are the server's (every session runs in UTC, src/db/session.ts).
 */
export const HISTORY_TABLE = 'migrations';

export function createHistorySchema(schema: string): Statement {
  return stmt(`CREATE DATABASE IF NOT EXISTS ${quoteId(schema)} DEFAULT CHARACTER SET utf8mb4`);
}

export function createHistoryTable(schema: string): Statement {
  return stmt(
    `CREATE TABLE IF NOT EXISTS ${quoteTable(schema, HISTORY_TABLE)} (
  ${quoteId('id')} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ${quoteId('database_name')} VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('table_name')} VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('alter_statement')} MEDIUMTEXT CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('args')} MEDIUMTEXT CHARACTER SET utf8mb4 NOT NULL COMMENT 'JSON array of the migration flags (never connection flags or a password)',
  ${quoteId('source')} VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'queue or direct',
  ${quoteId('requested_by')} VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL,
  ${quoteId('state')} VARCHAR(16) CHARACTER SET ascii NOT NULL,
  ${quoteId('not_before')} DATETIME(6) NULL,
  ${quoteId('cancel_requested')} TINYINT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('attempts')} INT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('runner')} VARCHAR(255) CHARACTER SET utf8mb4 NULL,
  ${quoteId('created_at')} DATETIME(6) NOT NULL,
  ${quoteId('started_at')} DATETIME(6) NULL,
  ${quoteId('finished_at')} DATETIME(6) NULL,
  ${quoteId('updated_at')} DATETIME(6) NOT NULL,
  ${quoteId('rows_copied')} BIGINT UNSIGNED NULL,
  ${quoteId('rows_estimate')} BIGINT UNSIGNED NULL,
  ${quoteId('lock_ms')} INT UNSIGNED NULL,
  ${quoteId('checksum')} VARCHAR(255) CHARACTER SET utf8mb4 NULL,
  ${quoteId('error')} MEDIUMTEXT CHARACTER SET utf8mb4 NULL,
  PRIMARY KEY (${quoteId('id')}),
  KEY ${quoteId('due')} (${quoteId('state')}, ${quoteId('not_before')}),
  KEY ${quoteId('by_table')} (${quoteId('database_name')}, ${quoteId('table_name')})
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='oschange: every migration, queued or run directly'`,
  );
}

export interface NewMigrationRow {
  readonly database: string;
  readonly table: string;
  readonly alter: string;
  readonly args: readonly string[];
  readonly source: 'queue' | 'direct';
  readonly requestedBy: string;
  readonly state: MigrationStatus;
  readonly runner: string | undefined;
}

export function insertMigration(schema: string, r: NewMigrationRow): Statement {
  const running = r.state === 'running';
  return stmt(
    `INSERT INTO ${quoteTable(schema, HISTORY_TABLE)} (${quoteId('database_name')}, ${quoteId('table_name')}, ${quoteId('alter_statement')}, ${quoteId('args')}, ` +
      `${quoteId('source')}, ${quoteId('requested_by')}, ${quoteId('state')}, ${quoteId('runner')}, ${quoteId('attempts')}, ${quoteId('created_at')}, ` +
      `${quoteId('started_at')}, ${quoteId('updated_at')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(6), ${running ? 'NOW(6)' : 'NULL'}, NOW(6))`,
    [r.database, r.table, r.alter, JSON.stringify(r.args), r.source, r.requestedBy, r.state, r.runner ?? null, running ? 1 : 0],
  );
}

/** Every column, in the order of MigrationRecord (src/queue/history.ts reads them). */
export const HISTORY_COLUMNS = [
  'id', 'database_name', 'table_name', 'alter_statement', 'args', 'source', 'requested_by', 'state', 'not_before', 'cancel_requested', 'attempts',
  'runner', 'created_at', 'started_at', 'finished_at', 'updated_at', 'rows_copied', 'rows_estimate', 'lock_ms', 'checksum', 'error',
] as const;

const SELECT_ALL = HISTORY_COLUMNS.map(quoteId).join(', ');

export function selectMigration(schema: string, id: number): Statement {
  return stmt(`SELECT ${SELECT_ALL} FROM ${quoteTable(schema, HISTORY_TABLE)} WHERE ${quoteId('id')} = ?`, [id]);
}

/** The newest first; `states` narrows, `table` narrows to one table's history. */
export function selectMigrations(schema: string, o: { states?: readonly MigrationStatus[]; table?: { database: string; table: string }; limit: number }): Statement {
  const where: string[] = [];
  const params: unknown[] = [];
  if (o.states !== undefined && o.states.length > 0) {
    where.push(`${quoteId('state')} IN (${o.states.map(() => '?').join(', ')})`);
    params.push(...o.states);
  }
  if (o.table !== undefined) {
    where.push(`${quoteId('database_name')} = ? AND ${quoteId('table_name')} = ?`);
    params.push(o.table.database, o.table.table);
  }
  return stmt(
    `SELECT ${SELECT_ALL} FROM ${quoteTable(schema, HISTORY_TABLE)}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${quoteId('id')} DESC LIMIT ?`,
    [...params, o.limit],
  );
}

/**
 * The queue's due migrations, oldest first: queued, interrupted (to go on with --resume), and
 * postponed ones whose time has come. A direct run that was interrupted is history, not queue.
 */
export function selectDue(schema: string, limit: number): Statement {
  return stmt(
    `SELECT ${quoteId('id')}, ${quoteId('database_name')}, ${quoteId('table_name')} FROM ${quoteTable(schema, HISTORY_TABLE)} ` +
      `WHERE ${quoteId('source')} = 'queue' AND (${quoteId('state')} IN ('queued', 'interrupted') OR (${quoteId('state')} = 'postponed' AND ${quoteId('not_before')} <= NOW(6))) ` +
      `ORDER BY ${quoteId('id')} LIMIT ?`,
    [limit],
  );
}

/** Running rows nobody has touched for `staleSeconds`: candidates for a runner that is gone. */
export function selectStaleRunning(schema: string, staleSeconds: number): Statement {
  return stmt(
    `SELECT ${quoteId('id')}, ${quoteId('runner')} FROM ${quoteTable(schema, HISTORY_TABLE)} WHERE ${quoteId('state')} = 'running' AND ${quoteId('updated_at')} < NOW(6) - INTERVAL ? SECOND`,
    [staleSeconds],
  );
}

/** The table's rows still marked running: whoever holds the table's lock knows their runners are gone. */
export function selectRunningOfTable(schema: string, database: string, table: string): Statement {
  return stmt(
    `SELECT ${quoteId('id')}, ${quoteId('runner')} FROM ${quoteTable(schema, HISTORY_TABLE)} WHERE ${quoteId('state')} = 'running' AND ${quoteId('database_name')} = ? AND ${quoteId('table_name')} = ?`,
    [database, table],
  );
}

/** Columns a state change may set besides the state. */
export type HistoryUpdate = Partial<{
  readonly runner: string | null;
  readonly not_before: string | null;
  readonly cancel_requested: number;
  readonly rows_copied: number | null;
  readonly rows_estimate: number | null;
  readonly lock_ms: number | null;
  readonly checksum: string | null;
  readonly error: string | null;
}>;

/**
 * One state change: `UPDATE … SET state = to … WHERE id = ? AND state IN (from…)`. It changes no
 * row when another process changed the state first (affectedRows tells). `started` stamps
 * started_at and counts an attempt; `finished` stamps finished_at (or clears it when false).
 */
export function updateState(
  schema: string,
  o: { id: number; from: readonly MigrationStatus[]; to: MigrationStatus; set?: HistoryUpdate; started?: boolean; finished?: boolean },
): Statement {
  const sets = [`${quoteId('state')} = ?`, `${quoteId('updated_at')} = NOW(6)`];
  const params: unknown[] = [o.to];
  if (o.started === true) sets.push(`${quoteId('started_at')} = NOW(6)`, `${quoteId('attempts')} = ${quoteId('attempts')} + 1`);
  if (o.finished === true) sets.push(`${quoteId('finished_at')} = NOW(6)`);
  if (o.finished === false) sets.push(`${quoteId('finished_at')} = NULL`);
  for (const [column, value] of Object.entries(o.set ?? {})) {
    sets.push(`${quoteId(column)} = ?`);
    params.push(value);
  }
  return stmt(
    `UPDATE ${quoteTable(schema, HISTORY_TABLE)} SET ${sets.join(', ')} WHERE ${quoteId('id')} = ? AND ${quoteId('state')} IN (${o.from.map(() => '?').join(', ')})`,
    [...params, o.id, ...o.from],
  );
}

/** A running migration's runner says it is alive, and learns whether it is asked to stop. */
export function touchRunning(schema: string, id: number): Statement {
  return stmt(`UPDATE ${quoteTable(schema, HISTORY_TABLE)} SET ${quoteId('updated_at')} = NOW(6) WHERE ${quoteId('id')} = ? AND ${quoteId('state')} = 'running'`, [id]);
}

export function selectCancelRequested(schema: string, id: number): Statement {
  return stmt(`SELECT ${quoteId('cancel_requested')} FROM ${quoteTable(schema, HISTORY_TABLE)} WHERE ${quoteId('id')} = ?`, [id]);
}

/** `queue cancel` of a running migration: its runner sees this and stops it. */
export function requestCancel(schema: string, id: number): Statement {
  return stmt(
    `UPDATE ${quoteTable(schema, HISTORY_TABLE)} SET ${quoteId('cancel_requested')} = 1, ${quoteId('updated_at')} = NOW(6) WHERE ${quoteId('id')} = ? AND ${quoteId('state')} = 'running'`,
    [id],
  );
}

// --- named locks (no privilege needed; released when the session ends, so a dead runner frees them)
// https://dev.mysql.com/doc/refman/9.4/en/locking-functions.html · https://mariadb.com/kb/en/get_lock/

/** Waits up to `timeoutSeconds` (0: not at all); 1 when taken, 0 when another session holds it. */
export function getLock(name: string, timeoutSeconds: number): Statement {
  return stmt('SELECT GET_LOCK(?, ?) AS got', [name, timeoutSeconds]);
}

export function releaseLock(name: string): Statement {
  return stmt('SELECT RELEASE_LOCK(?) AS released', [name]);
}

export function isFreeLock(name: string): Statement {
  return stmt('SELECT IS_FREE_LOCK(?) AS free', [name]);
}
