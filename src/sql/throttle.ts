import type { ServerVersion } from '../db/flavor.js';
import { stmt, type Statement } from './quote.js';

/**
 * Session settings for the throttler's own sessions. The client gives each check a few seconds and
 * then drops the session; these make the server give up too, so an abandoned check does not stay
 * behind on the server waiting for a lock or running on:
 * - lock_wait_timeout bounds waits for metadata and table locks (a `LOCK TABLES … WRITE` on the
 *   changelog table), which max_execution_time does not cover;
 * - max_execution_time (MySQL, ms, SELECTs only) / max_statement_time (MariaDB, seconds) bounds the
 *   statement itself. Set on the session rather than per statement so that it also covers a
 *   `--throttle-query` that does not start with SELECT, where a hint could not go.
 * https://dev.mysql.com/doc/refman/9.4/en/server-system-variables.html#sysvar_max_execution_time
 * https://mariadb.com/kb/en/aborting-statements/
 */
export function throttleSessionLimits(v: ServerVersion, o: { statementMs?: number; lockWaitSeconds: number }): readonly Statement[] {
  const lockWait = stmt('SET SESSION lock_wait_timeout = ?', [Math.max(1, Math.ceil(o.lockWaitSeconds))]);
  if (o.statementMs === undefined) return [lockWait];
  if (v.flavor === 'mariadb') return [lockWait, stmt('SET SESSION max_statement_time = ?', [o.statementMs / 1000])];
  return [lockWait, stmt('SET SESSION max_execution_time = ?', [Math.max(1, Math.round(o.statementMs))])];
}

/**
 * The throttle query's transaction: whatever the text says, it cannot change data (a write fails
 * with ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION), and it ends with a rollback.
 * https://dev.mysql.com/doc/refman/9.4/en/commit.html
 */
export function startReadOnlyTransaction(): Statement {
  return stmt('START TRANSACTION READ ONLY');
}

export function endReadOnlyTransaction(): Statement {
  return stmt('ROLLBACK');
}
