import { connect, queryRows, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { errno } from '../db/retry.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import { backfillTableNames, type BackfillTableNames } from './names.js';
import { candidateKeys } from '../inspect/shared-key.js';
import { readTableInfo, type TableInfo } from '../inspect/table-info.js';
import { countMatching, explainSet, explainWhere, type BackfillTarget } from '../sql/backfill.js';
import { throttleSessionLimits } from '../sql/throttle.js';
import type { BackfillConfig } from './config.js';

/** What the backfill works on, found by reading only. */
export interface BackfillPlan {
  readonly table: TableInfo;
  readonly target: BackfillTarget;
  /** Data types of the key's columns, in key order (exact numbers are compared unquoted). */
  readonly keyTypes: readonly string[];
  readonly names: BackfillTableNames;
}

/**
 * The table, the key the walk follows, and --set/--where judged against them: first by oschange
 * (the columns it assigns), then by the server (EXPLAIN UPDATE, which resolves every name and
 * runs nothing). Nothing is created or changed.
 */
export async function planBackfill(o: { conn: Connection; config: BackfillConfig }): Promise<BackfillPlan> {
  const { conn, config } = o;
  const where = `${config.database}.${config.table}`;
  const table = await readTableInfo(conn, config.database, config.table);
  if (table === undefined) {
    throw new OschangeError('NO_SUCH_TABLE', `table ${where} does not exist (or ${config.connection.user} cannot see it)`, { exitCode: ExitCode.usage });
  }
  if (table.engine.toLowerCase() !== 'innodb') {
    throw new OschangeError('UNSUPPORTED_ENGINE', `table ${where} uses the ${table.engine} engine; a backfill updates in transactions, which needs InnoDB`, { exitCode: ExitCode.usage });
  }
  const index = candidateKeys(table)[0];
  if (index === undefined) {
    throw new OschangeError(
      'NO_UNIQUE_KEY',
      `table ${where} has no PRIMARY KEY or UNIQUE key on NOT NULL columns to walk in chunks; add a primary key first (oschange --alter "ADD PRIMARY KEY (…)" or an AUTO_INCREMENT id column)`,
      { exitCode: ExitCode.usage },
    );
  }
  const byName = new Map(table.columns.map((c) => [c.name.toLowerCase(), c]));
  const keyTypes = index.columns.map((c) => byName.get(c.toLowerCase())?.dataType ?? '');
  const target: BackfillTarget = {
    database: config.database,
    table: config.table,
    key: { indexName: index.name, columns: index.columns, byNumber: keyTypes.map((t) => t === 'enum' || t === 'set') },
  };
  refuseAssignments(config, table, index.name, index.columns);
  await explainOrRefuse(conn, '--set', where, explainSet({ ...target, set: config.expressions.set }));
  const firstColumn = config.expressions.set[0]?.column ?? index.columns[0] ?? '';
  await explainOrRefuse(conn, '--where', where, explainWhere({ ...target, column: firstColumn, where: config.expressions.where }));
  return { table, target, keyTypes, names: backfillTableNames(config.table) };
}

/** What oschange can tell about the assigned columns without asking the server. */
function refuseAssignments(config: BackfillConfig, table: TableInfo, keyName: string, keyColumns: readonly string[]): void {
  const where = `${config.database}.${config.table}`;
  for (const a of config.expressions.set) {
    const column = table.columns.find((c) => c.name.toLowerCase() === a.column.toLowerCase());
    if (column === undefined) {
      throw new OschangeError('BACKFILL_INVALID', `--set assigns ${a.column}, but ${where} has no such column; nothing was changed`, { exitCode: ExitCode.usage });
    }
    if (column.generated) {
      throw new OschangeError('BACKFILL_INVALID', `--set assigns ${column.name}, a generated column of ${where}: the server computes it; assign the columns it is computed from`, { exitCode: ExitCode.usage });
    }
    if (keyColumns.some((k) => k.toLowerCase() === a.column.toLowerCase())) {
      throw new OschangeError(
        'BACKFILL_INVALID',
        `--set assigns ${column.name}, a column of the key the backfill walks (${keyName}): a row would move along the walk and be updated twice or missed; change key columns with a migration instead`,
        { exitCode: ExitCode.usage },
      );
    }
  }
}

async function explainOrRefuse(conn: Connection, flag: string, where: string, s: { sql: string; params: readonly unknown[] }): Promise<void> {
  try {
    await conn.query(s.sql, [...s.params]);
  } catch (err) {
    // Only the server's judgement of the statement is a refusal; a lost connection is not.
    if (errno(err) === undefined) throw err;
    throw new OschangeError('BACKFILL_INVALID', `${flag} is not valid for ${where}: ${describeError(err)}; nothing was changed`, { exitCode: ExitCode.usage, cause: err });
  }
}

export interface RowCount {
  readonly total: number;
  /** Rows --where matches now; undefined when the count was given up (too big for its time limit). */
  readonly matching: number | undefined;
  readonly counted: boolean;
}

/**
 * Rows of the table and rows --where matches, by one scan under a time limit on a session of its
 * own (MySQL: max_execution_time, MariaDB: max_statement_time). Past the limit the table's
 * statistics stand in for the total and the matching rows are not known until the end line.
 */
export async function countRows(o: { endpoint: Endpoint; version: ServerVersion; config: BackfillConfig; estimate: number }): Promise<RowCount> {
  const conn = await connect(o.endpoint);
  try {
    for (const s of throttleSessionLimits(o.version, { statementMs: o.config.countTimeoutMs, lockWaitSeconds: Math.ceil(o.config.countTimeoutMs / 1000) })) await conn.query(s.sql, [...s.params]);
    const s = countMatching({ database: o.config.database, table: o.config.table, where: o.config.expressions.where });
    const [row] = await queryRows(conn, s.sql, s.params);
    return { total: Number(row?.['rows_total'] ?? 0), matching: Number(row?.['rows_matching'] ?? 0), counted: true };
  } catch (err) {
    // ER_QUERY_TIMEOUT (MySQL), ER_STATEMENT_TIMEOUT (MariaDB): the table is too big to count in time.
    if (errno(err) === 3024 || errno(err) === 1969) return { total: o.estimate, matching: undefined, counted: false };
    throw err;
  } finally {
    await conn.end().catch(() => undefined);
  }
}
