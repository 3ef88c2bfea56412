import type { Connection } from '../db/connect.js';
import { queryRows } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { createUser, grantGlobal } from '../sql/privileges.js';
import { changeSource, showBinlogStatus, startReplica } from '../sql/replication.js';
import { createAppDatabase } from './databases.js';
import { waitForReplication } from './replication-wait.js';

export const SANDBOX_DATABASE = 'app';
export const APP_USER = 'oschange';
export const APP_PASSWORD = 'oschange';
const REPL_USER = 'repl';
const REPL_PASSWORD = 'repl-sandbox';

/**
 * Turns two freshly started servers into a sandbox pair: replication from primary to replica, the
 * least-privileged app user, and the `app` database. Shared by local processes and containers.
 * `sourceAddress` is the primary as the replica reaches it.
 */
export async function provisionPair(o: {
  version: ServerVersion;
  primary: Connection;
  replica: Connection;
  sourceAddress: { host: string; port: number };
  /** The replica reaches its source over TLS (a source started with require_secure_transport=ON). */
  replicationTls?: boolean;
}): Promise<void> {
  const { version, primary, replica } = o;
  // The replication account exists on the primary only, and is not itself replicated.
  await primary.query('SET SESSION sql_log_bin = 0');
  for (const s of [createUser(REPL_USER, '%', REPL_PASSWORD), grantGlobal(version.flavor, REPL_USER, '%', ['REPLICATION SLAVE'])]) {
    await primary.query(s.sql, [...s.params]);
  }
  await primary.query('SET SESSION sql_log_bin = 1');
  const [row] = await queryRows(primary, showBinlogStatus(version).sql);
  if (row === undefined) throw new Error('primary has binary logging off: its binlog status is empty');
  const change = changeSource(version, {
    ...o.sourceAddress,
    user: REPL_USER,
    password: REPL_PASSWORD,
    logFile: String(row['File']),
    logPos: Number(row['Position']),
    ssl: o.replicationTls === true,
  });
  await replica.query(change.sql, [...change.params]);
  await replica.query(startReplica(version).sql);

  // From here on everything is replicated: the app user and database exist on both servers.
  for (const s of [createUser(APP_USER, '%', APP_PASSWORD), grantGlobal(version.flavor, APP_USER, '%')]) {
    await primary.query(s.sql, [...s.params]);
  }
  await createAppDatabase(primary, SANDBOX_DATABASE, APP_USER);
  await waitForReplication(version, primary, replica);
}

export function appEndpoint(host: string, port: number): Endpoint {
  return { host, port, user: APP_USER, password: APP_PASSWORD, database: SANDBOX_DATABASE };
}
