import { stmt, type Statement } from '../sql/quote.js';

/**
 * The sql_mode of every session oschange opens, whatever the server's global sql_mode. A session
 * inherits the global mode, and several modes change what oschange's statements mean:
 * - NO_BACKSLASH_ESCAPES: mysql2 escapes `?` values with backslashes, so a stored `a\b` or
 *   `O'Brien` would be corrupted, fail, or be read as SQL;
 * - ANSI_QUOTES: `"…"` in the operator's ALTER would become an identifier instead of a string;
 * - PAD_CHAR_TO_FULL_LENGTH (MySQL), EMPTY_STRING_IS_NULL (MariaDB): values would change on the way
 *   through INSERT … SELECT;
 * - no strict mode: a value that does not fit would be silently truncated instead of refused.
 * So the mode is set, not adjusted: strict for every table (a value that does not fit is an error,
 * or with INSERT IGNORE a warning the copy checks), zero dates writable (NO_ZERO_DATE and
 * NO_ZERO_IN_DATE left out: the original may hold them), and an id of 0 kept as 0 instead of taking
 * the next AUTO_INCREMENT value (NO_AUTO_VALUE_ON_ZERO).
 * https://dev.mysql.com/doc/refman/9.4/en/sql-mode.html
 * https://mariadb.com/kb/en/sql-mode/
 */
export const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,NO_AUTO_VALUE_ON_ZERO';

/**
 * The statements that set up a session: the sql_mode above and UTC (values travel exactly: time
 * zones are pinned, docs/design.md rule 5). The connection's charset, utf8mb4, is set by the
 * handshake (src/db/connect.ts).
 */
export function sessionSetup(): readonly Statement[] {
  return [stmt("SET SESSION sql_mode = ?, time_zone = '+00:00'", [SESSION_SQL_MODE])];
}

/**
 * For the sessions that copy and apply rows: READ COMMITTED, so a locking read (the copy's FOR SHARE,
 * the write guard's look-ups) locks the rows it reads and no gaps between them. In REPEATABLE READ
 * it would take next-key locks, and an application transaction inserting into a gap the copy had
 * passed could become a deadlock victim (1213). The copy needs no gap locks: a row inserted into a
 * range while it is read reaches the ghost through the binlog whether the read saw it or not
 * (docs/design.md, rules 1 and 2); a row read stays locked until its chunk is written, so a delete or
 * update of it waits for the chunk and then reaches the ghost through the binlog after it.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-transaction-isolation-levels.html#isolevel_read-committed
 */
export function readCommitted(): Statement {
  return stmt('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
}

/**
 * For the sessions that write the ghost (copy workers, the applier): READ COMMITTED (above), and
 * foreign_key_checks off. The ghost carries the table's own foreign keys (docs/design.md, "Foreign
 * keys"), and its rows are copies of rows the original already holds under the same keys: a check
 * would only take shared locks on the parents' rows — contention with the application — and could
 * refuse a row whose parent the application deleted after the original's row was read, which the
 * binlog then deletes from the ghost too.
 */
export function ghostWriterSetup(): readonly Statement[] {
  return [readCommitted(), stmt('SET SESSION foreign_key_checks = 0')];
}
