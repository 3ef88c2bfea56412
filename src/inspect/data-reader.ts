import { currentBinlogPosition } from '../binlog/current-position.js';
import type { MigrationConfig } from '../config.js';
import { connect, queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { parseServerVersion, type ServerVersion } from '../db/flavor.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { tableExists } from '../sql/inspect.js';
import { waitForSourcePosition } from '../sql/replication.js';
import { discoverReplicas } from '../throttle/replica-lag.js';

export interface DataReader {
  readonly conn: Connection;
  readonly version: ServerVersion;
  /** `replica 127.0.0.1:3307` or `the primary`. */
  readonly where: string;
  close(): Promise<void>;
}

/** How long the data checks wait for a replica to catch up with the primary before reading on the primary instead. */
const CATCH_UP_SECONDS = 5;

/**
 * Where the data checks read: a replica when one is known (named with --throttle-control-replicas,
 * or registered with the primary), so their scans do not load the primary — but only once it has
 * applied everything the primary had committed when the checks began, so they see the same rows.
 * Otherwise the primary.
 */
export async function openDataReader(o: { primary: Connection; endpoint: Endpoint; version: ServerVersion; config: MigrationConfig; log: Logger }): Promise<DataReader> {
  const onPrimary: DataReader = { conn: o.primary, version: o.version, where: 'the primary', close: async () => undefined };
  const candidates = o.config.throttleControlReplicas.length > 0 ? o.config.throttleControlReplicas : await discoverReplicas(o.primary, o.version).catch(() => []);
  for (const r of candidates) {
    const where = `replica ${r.host}:${r.port}`;
    let conn: Connection | undefined;
    try {
      conn = await connect({ ...o.endpoint, host: r.host, port: r.port }, { connectTimeoutMs: 3000 });
      const version = parseServerVersion(String(await queryValue(conn, 'SELECT VERSION()')));
      const at = await currentBinlogPosition(o.primary, o.version);
      const wait = waitForSourcePosition(version, at.file, at.position, CATCH_UP_SECONDS);
      const waited = await queryValue(conn, wait.sql, wait.params);
      if (waited === null || waited === undefined || Number(waited) < 0) throw new Error(`it has not applied the primary's ${at.file}:${at.position} within ${CATCH_UP_SECONDS} s`);
      const exists = tableExists(o.config.database, o.config.table);
      if (Number(await queryValue(conn, exists.sql, exists.params)) === 0) throw new Error(`it has no table ${o.config.database}.${o.config.table}`);
      const reader = conn;
      return { conn: reader, version, where, close: () => reader.end().catch(() => undefined) };
    } catch (err) {
      o.log.info({ replica: `${r.host}:${r.port}`, reason: describeError(err) }, 'data checks read on the primary: the replica cannot serve them');
      await conn?.end().catch(() => undefined);
    }
  }
  return onPrimary;
}
