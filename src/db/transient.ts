import { OschangeError } from '../errors.js';
import { errno } from './retry.js';

/**
 * Errors after which the same work can go on over a new connection: the connection or the server
 * went away (restart, network reset, KILL, wait_timeout). Deadlocks and lock-wait timeouts are not
 * here: they are retried in place by withRetries (retry.ts).
 * https://dev.mysql.com/doc/mysql-errors/9.4/en/client-error-reference.html
 */
const TRANSIENT_ERRNOS = new Set([
  1053, // ER_SERVER_SHUTDOWN
  1077, // ER_NORMAL_SHUTDOWN
  1317, // ER_QUERY_INTERRUPTED (KILL QUERY, or the connection's thread killed mid-statement)
  1927, // ER_CONNECTION_KILLED (MariaDB)
  2002, // CR_CONNECTION_ERROR (socket)
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
  3169, // ER_SESSION_WAS_KILLED (MySQL)
  4031, // ER_CLIENT_INTERACTION_TIMEOUT (MySQL: disconnected after wait_timeout)
]);

const TRANSIENT_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'BINLOG_CONNECTION_LOST',
  'BINLOG_START_TIMEOUT',
]);

/** True when `err`, or any error in its `cause` chain, says the connection was lost. */
export function isTransientError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 10; depth++) {
    if (typeof e !== 'object') return false;
    const n = errno(e);
    if (n !== undefined && TRANSIENT_ERRNOS.has(n)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    // mysql2 marks errors that closed the connection as fatal.
    if ((e as { fatal?: unknown }).fatal === true && !(e instanceof OschangeError)) return true;
    const message = e instanceof Error ? e.message : '';
    if (/closed state|connection is closed|Connection lost/i.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
