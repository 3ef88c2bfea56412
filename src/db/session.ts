import type { Connection } from './connect.js';
import { queryValue } from './connect.js';

/**
 * Session settings for the sessions that write rows (copy and apply): values must land exactly as
 * they are in the original. Zero dates the original holds must be writable (NO_ZERO_DATE off), and
 * an id of 0 must stay 0 instead of taking the next auto-increment value (NO_AUTO_VALUE_ON_ZERO).
 * https://dev.mysql.com/doc/refman/9.4/en/sql-mode.html
 */
export function writerSqlMode(current: string): string {
  const modes = current
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '' && m !== 'NO_ZERO_DATE' && m !== 'NO_ZERO_IN_DATE');
  if (!modes.includes('NO_AUTO_VALUE_ON_ZERO')) modes.push('NO_AUTO_VALUE_ON_ZERO');
  return modes.join(',');
}

export async function prepareWriterSession(conn: Connection): Promise<void> {
  const current = String(await queryValue(conn, 'SELECT @@SESSION.sql_mode'));
  await conn.query('SET SESSION sql_mode = ?', [writerSqlMode(current)]);
}
