import { describe, expect, it } from 'vitest';
import { timestamp2038 } from '../../../src/lint/rules/timestamp-2038.js';
import { codes, column, findings, MARIADB, table } from './helpers.js';

describe('timestamp-2038', () => {
  it('fires on a new TIMESTAMP column, and shows the DATETIME', async () => {
    const [f] = await findings(timestamp2038, 'ALTER TABLE users ADD COLUMN expires_at TIMESTAMP(3) NULL DEFAULT NULL', { database: 'app' });
    expect(f).toMatchObject({ severity: 'warning', code: 'TIMESTAMP_2038', message: 'users.expires_at is TIMESTAMP: it cannot hold a time after 2038-01-19 03:14:07 UTC' });
    expect(f?.steps?.[0]).toBe(
      'Use DATETIME, storing UTC (set the session\'s time_zone to \'+00:00\', as oschange\'s own sessions do): oschange --database app --table users --alter "ADD COLUMN expires_at DATETIME(3) NULL DEFAULT NULL" --execute',
    );
  });
  it.each(['ALTER TABLE t ADD COLUMN ts TIMESTAMP', 'ALTER TABLE t MODIFY d TIMESTAMP NOT NULL', 'ALTER TABLE t CHANGE d ts TIMESTAMP', 'CREATE TABLE t (id INT, created TIMESTAMP DEFAULT CURRENT_TIMESTAMP)'])('fires: %s', async (sql) => {
    expect(await codes(timestamp2038, sql)).toEqual(['warning TIMESTAMP_2038']);
  });
  it.each(['ALTER TABLE t ADD COLUMN ts DATETIME(6)', 'ALTER TABLE t ADD COLUMN ts DATETIME DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP', 'ALTER TABLE t MODIFY other INT'])('stays silent: %s', async (sql) => {
    expect(await codes(timestamp2038, sql)).toEqual([]);
  });
  it('stays silent when the column already was a TIMESTAMP, and on MariaDB 11.5+ (TIMESTAMP reaches 2106)', async () => {
    const shape = table('t', [column('ts', 'timestamp')]);
    expect(await codes(timestamp2038, 'ALTER TABLE t MODIFY ts TIMESTAMP NOT NULL', { shapes: { before: shape, after: shape } })).toEqual([]);
    expect(await codes(timestamp2038, 'ALTER TABLE t ADD COLUMN ts TIMESTAMP', { version: { ...MARIADB, major: 11, minor: 5 } })).toEqual([]);
    expect(await codes(timestamp2038, 'ALTER TABLE t ADD COLUMN ts TIMESTAMP', { version: MARIADB })).toEqual(['warning TIMESTAMP_2038']);
  });
});
