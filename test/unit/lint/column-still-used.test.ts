import { describe, expect, it } from 'vitest';
import { isOwnStatement, namesIn } from '../../../src/lint/live/digests.js';
import { columnStillUsed } from '../../../src/lint/rules/column-still-used.js';
import { codes } from './helpers.js';

describe('column-still-used (the server side is tested in test/integration/lint-digests.test.ts)', () => {
  it('reads the names of a digest, MySQL’s quoted ones and MariaDB’s bare keywords alike', () => {
    expect([...namesIn('SELECT `legacy_code` FROM `app` . `users` WHERE ID = ?')]).toEqual(['select', 'legacy_code', 'from', 'app', 'users', 'where', 'id']);
    expect(namesIn('SELECT `a` , `b` FROM `t` WHERE `very_long_na').has('a')).toBe(true);
  });
  it("leaves out oschange's own statements: DDL, its helper tables, its probes and checksums", () => {
    expect(isOwnStatement('ALTER TABLE `users` DROP COLUMN `legacy_code`', 'users')).toBe(true);
    expect(isOwnStatement('INSERT IGNORE INTO `app` . `_users_gho` ( `id` , `legacy_code` ) SELECT `id` , `legacy_code` FROM `app` . `users` WHERE ...', 'users')).toBe(true);
    expect(isOwnStatement('INSERT IGNORE INTO `app` . `_users_ghla1b2c3` ( `legacy_code` ) SELECT `legacy_code` FROM `app` . `users` ORDER BY `id` LIMIT ?', 'users')).toBe(true);
    expect(isOwnStatement('SELECT `id` , `legacy_code` AS `__value` FROM `app` . `users` WHERE CHAR_LENGTH ( `legacy_code` ) > ? ORDER BY `id` LIMIT ?', 'users')).toBe(true);
    expect(isOwnStatement('SELECT COUNT ( * ) , BIT_XOR ( CRC32 ( CONCAT_WS ( ? , `id` , `legacy_code` ) ) ) FROM `app` . `users`', 'users')).toBe(true);
    expect(isOwnStatement('SELECT ( `legacy_code` <=> ? ) AS `held` FROM `app` . `users` WHERE `id` = ? FOR SHARE', 'users')).toBe(true);
    expect(isOwnStatement('SET STATEMENT max_statement_time = ? FOR SELECT `legacy_code` FROM `users`', 'users')).toBe(true);
    expect(isOwnStatement('SELECT `legacy_code` FROM `users` WHERE `id` = ?', 'users')).toBe(false);
    expect(isOwnStatement('UPDATE `users` SET `legacy_code` = ? WHERE `id` = ?', 'users')).toBe(false);
  });
  it('asks the server nothing when the statement drops or renames nothing', async () => {
    for (const sql of ['ALTER TABLE t ADD COLUMN c INT', 'ALTER TABLE t DROP COLUMN c, ADD COLUMN c INT', 'ALTER TABLE t CHANGE c c BIGINT', 'CREATE TABLE t (a INT); ALTER TABLE t DROP COLUMN a', 'DROP TEMPORARY TABLE x', 'RENAME TABLE t TO t_old, t_old TO t']) {
      expect(await codes(columnStillUsed, sql)).toEqual([]);
    }
  });
});
