import type { Connection } from './connect.js';
import { connect, queryRows } from './connect.js';
import type { Endpoint } from './dsn.js';
import type { ServerVersion } from './flavor.js';
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
