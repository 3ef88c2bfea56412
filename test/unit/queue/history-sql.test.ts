import { describe, expect, it } from 'vitest';
import { migrationLockName, slotLockName, tableLockName } from '../../../src/queue/lock-names.js';
import {
  createHistorySchema,
  createHistoryTable,
  getLock,
  insertMigration,
  isFreeLock,
  releaseLock,
  requestCancel,
  selectDue,
  selectMigrations,
  selectRunningOfTable,
  selectStaleRunning,
  touchRunning,
  updateState,
} from '../../../src/sql/history.js';

const T = '`oschange`.`migrations`';

describe('history and queue statements', () => {
  it('creates the schema and the table, names quoted', () => {
    expect(createHistorySchema('oschange').sql).toBe('CREATE DATABASE IF NOT EXISTS `oschange` DEFAULT CHARACTER SET utf8mb4');
    expect(createHistorySchema('ops`db').sql).toBe('CREATE DATABASE IF NOT EXISTS `ops``db` DEFAULT CHARACTER SET utf8mb4');
    const t = createHistoryTable('my schema').sql;
    expect(t.startsWith('CREATE TABLE IF NOT EXISTS `my schema`.`migrations` (\n  `id` BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,')).toBe(true);
    expect(t).toContain('  KEY `due` (`state`, `not_before`),\n  KEY `by_table` (`database_name`, `table_name`)\n) ENGINE=InnoDB');
  });

  it('inserts a queued row and a direct run born running, values as placeholders', () => {
    const row = { database: 'app', table: 'users', alter: 'ADD COLUMN x INT', args: ['--database', 'app'], source: 'queue' as const, requestedBy: 'ann@db1', state: 'queued' as const, runner: undefined };
    expect(insertMigration('oschange', row)).toEqual({
      sql:
        `INSERT INTO ${T} (\`database_name\`, \`table_name\`, \`alter_statement\`, \`args\`, \`source\`, \`requested_by\`, \`state\`, \`runner\`, \`attempts\`, \`created_at\`, ` +
        '`started_at`, `updated_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(6), NULL, NOW(6))',
      params: ['app', 'users', 'ADD COLUMN x INT', '["--database","app"]', 'queue', 'ann@db1', 'queued', null, 0],
    });
    const direct = insertMigration('oschange', { ...row, source: 'direct', state: 'running', runner: 'h:1' });
    expect(direct.sql.endsWith('VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(6), NOW(6), NOW(6))')).toBe(true);
    expect(direct.params).toEqual(['app', 'users', 'ADD COLUMN x INT', '["--database","app"]', 'direct', 'ann@db1', 'running', 'h:1', 1]);
  });

  it('changes a state only from the states it may come from', () => {
    expect(updateState('oschange', { id: 7, from: ['queued', 'postponed'], to: 'running', started: true, finished: false, set: { runner: 'h:1', error: null } })).toEqual({
      sql:
        `UPDATE ${T} SET \`state\` = ?, \`updated_at\` = NOW(6), \`started_at\` = NOW(6), \`attempts\` = \`attempts\` + 1, \`finished_at\` = NULL, \`runner\` = ?, \`error\` = ? ` +
        'WHERE `id` = ? AND `state` IN (?, ?)',
      params: ['running', 'h:1', null, 7, 'queued', 'postponed'],
    });
    expect(updateState('oschange', { id: 7, from: ['running'], to: 'succeeded', finished: true, set: { rows_copied: 10, lock_ms: 12, checksum: 'equal (1 chunks, 0 repaired)' } })).toEqual({
      sql: `UPDATE ${T} SET \`state\` = ?, \`updated_at\` = NOW(6), \`finished_at\` = NOW(6), \`rows_copied\` = ?, \`lock_ms\` = ?, \`checksum\` = ? WHERE \`id\` = ? AND \`state\` IN (?)`,
      params: ['succeeded', 10, 12, 'equal (1 chunks, 0 repaired)', 7, 'running'],
    });
  });

  it('finds due migrations: queued, interrupted, and postponed ones whose time has come, of the queue only', () => {
    expect(selectDue('oschange', 100)).toEqual({
      sql:
        `SELECT \`id\`, \`database_name\`, \`table_name\` FROM ${T} WHERE \`source\` = 'queue' AND (\`state\` IN ('queued', 'interrupted') OR (\`state\` = 'postponed' AND \`not_before\` <= NOW(6))) ORDER BY \`id\` LIMIT ?`,
      params: [100],
    });
    expect(selectStaleRunning('oschange', 30)).toEqual({
      sql: `SELECT \`id\`, \`runner\` FROM ${T} WHERE \`state\` = 'running' AND \`updated_at\` < NOW(6) - INTERVAL ? SECOND`,
      params: [30],
    });
    expect(selectRunningOfTable('oschange', 'app', 'users')).toEqual({
      sql: `SELECT \`id\`, \`runner\` FROM ${T} WHERE \`state\` = 'running' AND \`database_name\` = ? AND \`table_name\` = ?`,
      params: ['app', 'users'],
    });
  });

  it('lists, narrowed by state and table', () => {
    const q = selectMigrations('oschange', { states: ['failed', 'cancelled'], table: { database: 'app', table: 'users' }, limit: 5 });
    expect(q.sql.endsWith(`FROM ${T} WHERE \`state\` IN (?, ?) AND \`database_name\` = ? AND \`table_name\` = ? ORDER BY \`id\` DESC LIMIT ?`)).toBe(true);
    expect(q.params).toEqual(['failed', 'cancelled', 'app', 'users', 5]);
    expect(selectMigrations('oschange', { limit: 50 }).sql.endsWith(`FROM ${T} ORDER BY \`id\` DESC LIMIT ?`)).toBe(true);
  });

  it('keeps a running row alive and asks it to stop', () => {
    expect(touchRunning('oschange', 3)).toEqual({ sql: `UPDATE ${T} SET \`updated_at\` = NOW(6) WHERE \`id\` = ? AND \`state\` = 'running'`, params: [3] });
    expect(requestCancel('oschange', 3)).toEqual({ sql: `UPDATE ${T} SET \`cancel_requested\` = 1, \`updated_at\` = NOW(6) WHERE \`id\` = ? AND \`state\` = 'running'`, params: [3] });
  });

  it('named locks: names of at most 64 characters whatever the schema and table', () => {
    expect(getLock('x', 0)).toEqual({ sql: 'SELECT GET_LOCK(?, ?) AS got', params: ['x', 0] });
    expect(releaseLock('x')).toEqual({ sql: 'SELECT RELEASE_LOCK(?) AS released', params: ['x'] });
    expect(isFreeLock('x')).toEqual({ sql: 'SELECT IS_FREE_LOCK(?) AS free', params: ['x'] });
    const long = 'a'.repeat(64);
    for (const name of [tableLockName(long, long), migrationLockName(long, 123456789), slotLockName(long, 99)]) expect(name.length).toBeLessThanOrEqual(64);
    expect(tableLockName('app', 'users')).toBe(tableLockName('app', 'users'));
    // `a.b`.`c` and `a`.`b.c` are different tables.
    expect(tableLockName('a.b', 'c')).not.toBe(tableLockName('a', 'b.c'));
    expect(migrationLockName('oschange', 1)).not.toBe(migrationLockName('other', 1));
  });
});
