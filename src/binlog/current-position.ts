import { queryRows, type Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { showBinlogStatus } from '../sql/replication.js';
import type { BinlogPosition } from './types.js';

/**
 * The primary's current binlog position: where everything committed so far ends, a transaction
 * boundary and so a valid place to start a stream. Needs REPLICATION CLIENT / BINLOG MONITOR.
 */
export async function currentBinlogPosition(conn: Connection, version: ServerVersion): Promise<BinlogPosition> {
  const s = showBinlogStatus(version);
  const rows = await queryRows(conn, s.sql, s.params);
  const row = rows[0];
  if (row === undefined) throw new Error(`${s.sql} returned nothing: binary logging is off on this server`);
  return parseBinlogStatus(row);
}

/** File and Position of a SHOW BINARY LOG STATUS / SHOW MASTER STATUS row. */
export function parseBinlogStatus(row: Record<string, unknown>): BinlogPosition {
  const file = row['File'];
  const position = Number(row['Position']);
  if (typeof file !== 'string' || file === '' || !Number.isSafeInteger(position) || position < 4) {
    throw new Error(`unexpected binlog status row ${JSON.stringify(row)}`);
  }
  return { file, position };
}
