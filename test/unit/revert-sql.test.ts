import { describe, expect, it } from 'vitest';
import { columnDefaults, heartbeatAge, writtenValueProbe } from '../../src/sql/revert.js';

describe('the revert\'s checks as SQL', () => {
  it('reads each column\'s default, nullability and EXTRA', () => {
    expect(columnDefaults('app', 'users')).toEqual({
      sql: 'SELECT COLUMN_NAME AS name, COLUMN_DEFAULT AS column_default, IS_NULLABLE AS is_nullable, EXTRA AS extra FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      params: ['app', 'users'],
    });
  });
  it('finds the first row holding a written value, by key, for each way of telling one', () => {
    const o = { database: 'app', table: 'users', keyColumns: ['id'], column: 'note' };
    expect(writtenValueProbe({ ...o, test: 'not-null' })).toEqual({ sql: 'SELECT `id`, `note` AS `__value` FROM `app`.`users` WHERE `note` IS NOT NULL ORDER BY `id` LIMIT 1', params: [] });
    expect(writtenValueProbe({ ...o, test: 'not-default' }).sql).toBe('SELECT `id`, `note` AS `__value` FROM `app`.`users` WHERE NOT (`note` <=> DEFAULT(`note`)) ORDER BY `id` LIMIT 1');
    expect(writtenValueProbe({ ...o, test: 'any' }).sql).toBe('SELECT `id`, `note` AS `__value` FROM `app`.`users` WHERE TRUE ORDER BY `id` LIMIT 1');
  });
  it('quotes names with backticks, spaces and keywords', () => {
    expect(writtenValueProbe({ database: 'my db', table: 'or`der', keyColumns: ['select', 'a b'], column: 'x`y', test: 'not-default' }).sql).toBe(
      'SELECT `select`, `a b`, `x``y` AS `__value` FROM `my db`.`or``der` WHERE NOT (`x``y` <=> DEFAULT(`x``y`)) ORDER BY `select`, `a b` LIMIT 1',
    );
  });
  it('reads the age of the changelog\'s heartbeat by the server\'s clock', () => {
    expect(heartbeatAge('app', '_users_ghc')).toEqual({
      sql: "SELECT TIMESTAMPDIFF(MICROSECOND, `last_update`, CURRENT_TIMESTAMP(6)) AS `age_us` FROM `app`.`_users_ghc` WHERE `hint` = ?",
      params: ['heartbeat'],
    });
  });
});
