import { quoteTable, stmt, type Statement } from './quote.js';

/**
 * The operator's ALTER on the original table itself, allowed only as an instant (metadata-only)
 * change: with ALGORITHM=INSTANT the server either does it without touching a row, or refuses
 * (errors 1845/1846) without doing anything. This is the only ALTER oschange ever runs on the
 * original table, and never without ALGORITHM=INSTANT. The algorithm comes first and the actions
 * after it are rebuilt from the parsed ALTER without comments (src/alter/render.ts), so nothing the
 * operator wrote — a `-- comment`, a `#`, a quote — can hide it. The actions are the operator's own
 * SQL (the same text the ghost ALTER ran, see ghost.ts alterTable) and cannot be a placeholder.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-online-ddl-operations.html
 * https://mariadb.com/kb/en/innodb-online-ddl-operations-with-the-instant-alter-algorithm/
 */
export function alterTableInstant(database: string, table: string, actions: string): Statement {
  return stmt(`ALTER TABLE ${quoteTable(database, table)} ALGORITHM=INSTANT, ${actions}`);
}

/**
 * How long a statement of this session waits for a metadata lock (seconds). An ALTER waiting for
 * its exclusive metadata lock queues every later query on the table behind it, so the instant
 * attempt keeps this short.
 * https://dev.mysql.com/doc/refman/9.4/en/server-system-variables.html#sysvar_lock_wait_timeout
 */
export function setLockWaitTimeout(seconds: number): Statement {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`lock_wait_timeout must be a whole number of seconds >= 1, not ${seconds}`);
  return stmt('SET SESSION lock_wait_timeout = ?', [seconds]);
}
