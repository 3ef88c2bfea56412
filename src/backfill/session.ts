import { connect, queryRows, queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { describeVersion, parseServerVersion, type ServerVersion } from '../db/flavor.js';
import { resolvePrimary } from '../db/primary.js';
import type { Logger } from '../log.js';
import { backfillSessionSetup, sessionBinlogFormat } from '../sql/backfill.js';
import type { BackfillConfig } from './config.js';

export interface Primary {
  readonly conn: Connection;
  readonly endpoint: Endpoint;
  readonly version: ServerVersion;
  /** `host:port` */
  readonly where: string;
}

/** The primary (followed from a replica, as for a migration: src/db/primary.ts). */
export async function connectPrimary(config: BackfillConfig, log: Logger): Promise<Primary> {
  const given = { ...config.connection, database: config.database };
  const first = await connect(given);
  try {
    const version = parseServerVersion(String(await queryValue(first, 'SELECT VERSION()')));
    const primary = await resolvePrimary({ conn: first, version, endpoint: given, assumeMasterHost: undefined, log });
    const v = primary.conn === first ? version : parseServerVersion(String(await queryValue(primary.conn, 'SELECT VERSION()')));
    const where = `${primary.endpoint.host}:${primary.endpoint.port}`;
    log.info({ server: describeVersion(v), where }, 'connected');
    return { conn: primary.conn, endpoint: primary.endpoint, version: v, where };
  } catch (err) {
    first.destroy();
    throw err;
  }
}

/**
 * The chunk session: READ COMMITTED unless the binlog is statement-based (the server refuses
 * READ COMMITTED writes then: statements replayed on a replica need REPEATABLE READ's locks).
 * https://dev.mysql.com/doc/refman/9.4/en/binary-log-setting.html
 */
export async function openChunkSession(endpoint: Endpoint, config: BackfillConfig, log: Logger): Promise<Connection> {
  const conn = await connect(endpoint);
  const format = String((await queryRows(conn, sessionBinlogFormat().sql).catch(() => [{ format: 'ROW' }]))[0]?.['format'] ?? 'ROW').toUpperCase();
  const readCommitted = format !== 'STATEMENT';
  if (!readCommitted) log.warn('binlog_format is STATEMENT: chunks run in REPEATABLE READ, which locks the gaps of each chunk\'s key range too');
  for (const s of backfillSessionSetup({ readCommitted, rowLockWaitSeconds: config.lockWaitSeconds, metadataLockWaitSeconds: 10 })) await conn.query(s.sql, [...s.params]);
  return conn;
}
