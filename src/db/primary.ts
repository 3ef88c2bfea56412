import type { Connection } from './connect.js';
import { connect, queryRows, queryValue } from './connect.js';
import type { Endpoint } from './dsn.js';
import { describeVersion, parseServerVersion, type ServerVersion } from './flavor.js';
import { errno } from './retry.js';
import { ExitCode, OschangeError, describeError } from '../errors.js';
import { showReplicaStatus } from '../sql/replication.js';
import type { Logger } from '../log.js';

/**
 * oschange runs on the primary. Pointed at a replica, it follows SHOW REPLICA STATUS to the
 * replica's primary (or to --assume-master-host), with the same credentials, and says so.
 * Returns the connection to use: `conn` itself when it is already the primary.
 */
export async function resolvePrimary(o: {
  conn: Connection;
  version: ServerVersion;
  endpoint: Endpoint;
  assumeMasterHost: { host: string; port: number } | undefined;
  log: Logger;
}): Promise<{ conn: Connection; endpoint: Endpoint }> {
  let rows: Record<string, unknown>[];
  try {
    rows = await queryRows(o.conn, showReplicaStatus(o.version).sql);
  } catch (err) {
    if (errno(err) === 1227) return { conn: o.conn, endpoint: o.endpoint }; // reported by the privilege check
    throw err;
  }
  const status = rows[0];
  if (status === undefined && o.assumeMasterHost === undefined) return { conn: o.conn, endpoint: o.endpoint };
  const here = `${o.endpoint.host}:${o.endpoint.port}`;
  const target =
    o.assumeMasterHost ??
    ({
      host: String(status?.['Source_Host'] ?? status?.['Master_Host'] ?? ''),
      port: Number(status?.['Source_Port'] ?? status?.['Master_Port'] ?? 3306),
    } as const);
  const endpoint: Endpoint = { ...o.endpoint, host: target.host, port: target.port };
  let primary: Connection;
  try {
    primary = await connect(endpoint);
  } catch (err) {
    throw new OschangeError(
      'REPLICA_NO_PRIMARY',
      `${here} is a replica of ${target.host}:${target.port}, which cannot be reached as ${o.endpoint.user} (${describeError(err)}): connect to the primary directly, or name it with --assume-master-host`,
      { exitCode: ExitCode.environment },
    );
  }
  o.log.info({ replica: here, primary: `${target.host}:${target.port}` }, o.assumeMasterHost ? 'using --assume-master-host as the primary' : 'connected to a replica: migrating on its primary');
  await o.conn.end();
  return { conn: primary, endpoint };
}

/** The primary a run works on: its session, address and version. */
export interface Primary {
  readonly conn: Connection;
  readonly endpoint: Endpoint;
  readonly version: ServerVersion;
  /** `host:port` */
  readonly where: string;
}

/**
 * Connects as the operator asked and follows a replica to its primary (resolvePrimary): the first
 * step of a migration, a revert and a backfill alike. Logs the server it reached.
 */
export async function connectToPrimary(o: { endpoint: Endpoint; database: string; assumeMasterHost: { host: string; port: number } | undefined; log: Logger }): Promise<Primary> {
  const given = { ...o.endpoint, database: o.database };
  const first = await connect(given);
  let conn = first;
  try {
    const version = parseServerVersion(String(await queryValue(first, 'SELECT VERSION()')));
    const primary = await resolvePrimary({ conn: first, version, endpoint: given, assumeMasterHost: o.assumeMasterHost, log: o.log });
    conn = primary.conn;
    const v = conn === first ? version : parseServerVersion(String(await queryValue(conn, 'SELECT VERSION()')));
    const where = `${primary.endpoint.host}:${primary.endpoint.port}`;
    o.log.info({ server: describeVersion(v), where }, 'connected');
    return { conn, endpoint: primary.endpoint, version: v, where };
  } catch (err) {
    conn.destroy();
    if (conn !== first) first.destroy();
    throw err;
  }
}
