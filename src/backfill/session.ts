import { connect, queryRows, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { Logger } from '../log.js';
import { backfillSessionSetup, sessionBinlogFormat } from '../sql/backfill.js';
import type { BackfillConfig } from './config.js';

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
