import type { ServerVersion } from '../db/flavor.js';
import { atLeast } from '../db/flavor.js';
import { stmt, type Statement } from './quote.js';

/**
 * Replication statements differ by flavor and version: MySQL 8.2 removed SHOW MASTER STATUS in
 * favour of SHOW BINARY LOG STATUS, and MySQL 8.0.22/8.0.23 renamed the replica statements.
 * https://dev.mysql.com/doc/refman/9.4/en/show-binary-log-status.html
 * https://mariadb.com/kb/en/change-master-to/
 */
export function showBinlogStatus(v: ServerVersion): Statement {
  if (v.flavor === 'mysql' && atLeast(v, 8, 2)) return stmt('SHOW BINARY LOG STATUS');
  return stmt('SHOW MASTER STATUS');
}

export function showReplicaStatus(v: ServerVersion): Statement {
  if (v.flavor === 'mysql' && !atLeast(v, 8, 0, 22)) return stmt('SHOW SLAVE STATUS');
  if (v.flavor === 'mariadb' && !atLeast(v, 10, 5, 1)) return stmt('SHOW SLAVE STATUS');
  return stmt('SHOW REPLICA STATUS');
}

export interface SourceOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly logFile: string;
  readonly logPos: number;
  /**
   * Replicate over TLS, for a source with require_secure_transport=ON (the certificate is not
   * verified: SOURCE_SSL alone). https://dev.mysql.com/doc/refman/9.4/en/replication-encrypted-connections.html
   */
  readonly ssl?: boolean;
}

/** Points a replica at its source, from a binlog file and position. */
export function changeSource(v: ServerVersion, o: SourceOptions): Statement {
  if (v.flavor === 'mysql' && atLeast(v, 8, 0, 23)) {
    return stmt(
      'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, ' +
        'SOURCE_LOG_FILE = ?, SOURCE_LOG_POS = ?, SOURCE_CONNECT_RETRY = 1, GET_SOURCE_PUBLIC_KEY = 1' +
        (o.ssl === true ? ', SOURCE_SSL = 1' : ''),
      [o.host, o.port, o.user, o.password, o.logFile, o.logPos],
    );
  }
  return stmt(
    'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
      'MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?, MASTER_CONNECT_RETRY = 1' +
      (o.ssl === true ? ', MASTER_SSL = 1' : ''),
    [o.host, o.port, o.user, o.password, o.logFile, o.logPos],
  );
}

export function startReplica(v: ServerVersion): Statement {
  if (v.flavor === 'mysql' && !atLeast(v, 8, 0, 22)) return stmt('START SLAVE');
  if (v.flavor === 'mariadb' && !atLeast(v, 10, 5, 1)) return stmt('START SLAVE');
  return stmt('START REPLICA');
}

export function stopReplica(v: ServerVersion, thread?: 'io' | 'sql'): Statement {
  const legacy = (v.flavor === 'mysql' && !atLeast(v, 8, 0, 22)) || (v.flavor === 'mariadb' && !atLeast(v, 10, 5, 1));
  const which = thread === undefined ? '' : thread === 'io' ? ' IO_THREAD' : ' SQL_THREAD';
  return stmt(`STOP ${legacy ? 'SLAVE' : 'REPLICA'}${which}`);
}

/** The replicas that registered with this primary (they need report-host). */
export function showReplicas(v: ServerVersion): Statement {
  if (v.flavor === 'mysql' && atLeast(v, 8, 0, 22)) return stmt('SHOW REPLICAS');
  return stmt('SHOW SLAVE HOSTS');
}

/**
 * Waits (on a replica) until its SQL thread has applied the source's binlog up to a position, for
 * at most `seconds`: the result is -1 on timeout, NULL when replication is not running.
 * https://dev.mysql.com/doc/refman/9.4/en/replication-functions-synchronization.html
 * https://mariadb.com/kb/en/master_pos_wait/
 */
export function waitForSourcePosition(v: ServerVersion, file: string, position: number, seconds: number): Statement {
  const fn = v.flavor === 'mysql' && atLeast(v, 8, 0, 26) ? 'SOURCE_POS_WAIT' : 'MASTER_POS_WAIT';
  return stmt(`SELECT ${fn}(?, ?, ?) AS ${'`'}waited${'`'}`, [file, position, seconds]);
}
