import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../src/db/flavor.js';
import { deleteRows, upsertRows } from '../../src/sql/apply.js';
import { insertIgnoreRows } from '../../src/sql/guard.js';
import { copyChunk, keyBound, nextChunkEnd } from '../../src/sql/chunk.js';
import { keyCompare, keyIn } from '../../src/sql/key-range.js';
import { NumericLiteral, keyLiteral } from '../../src/sql/literals.js';
import { createSentry, lockTablesWrite, renameTables } from '../../src/sql/ghost.js';
import { writeChangelog } from '../../src/sql/changelog.js';

const mysql = parseServerVersion('9.7.4');
const maria = parseServerVersion('10.11.19-MariaDB');

describe('key comparisons', () => {
  it('writes a one-column comparison plainly', () => {
    expect(keyCompare(['id'], '>', [5])).toEqual({ sql: '`id` > ?', params: [5] });
  });
  it('expands composite keys into ORs of ANDs, strict on all but the last column', () => {
    expect(keyCompare(['a', 'b', 'c'], '<=', [1, 'x', 3])).toEqual({
      sql: '(`a` < ? OR (`a` = ? AND `b` < ?) OR (`a` = ? AND `b` = ? AND `c` <= ?))',
      params: [1, 1, 'x', 1, 'x', 3],
    });
  });
  it('refuses a tuple of the wrong size', () => {
    expect(() => keyCompare(['a', 'b'], '>', [1])).toThrow('key has 2 columns but 1 values');
  });
  it('matches sets of keys', () => {
    expect(keyIn(['id'], [[1], [2]])).toEqual({ sql: '`id` IN (?, ?)', params: [1, 2] });
    expect(keyIn(['a', 'b'], [[1, 'x'], [2, 'y']])).toEqual({ sql: '(`a` = ? AND `b` = ?) OR (`a` = ? AND `b` = ?)', params: [1, 'x', 2, 'y'] });
  });
});

describe('exact numbers in key comparisons', () => {
  it('writes big integers and decimals unquoted, and nothing else', () => {
    const big = keyLiteral('18446744073709551615', 'bigint');
    expect(big).toBeInstanceOf(NumericLiteral);
    expect((big as NumericLiteral).toSqlString()).toBe('18446744073709551615');
    expect(keyLiteral('-0.000000000000000000000000000001', 'decimal')).toEqual(new NumericLiteral('-0.000000000000000000000000000001'));
    expect(keyLiteral('abc', 'varchar')).toBe('abc');
    expect(() => new NumericLiteral('1; DROP TABLE t')).toThrow('not a decimal number');
  });
});

describe('chunk statements', () => {
  const key = { indexName: 'PRIMARY', columns: ['id'] };
  it('reads the range bounds through the key', () => {
    expect(keyBound('app', 'users', key, 'max').sql).toBe('SELECT `id` FROM `app`.`users` FORCE INDEX (`PRIMARY`) ORDER BY `id` DESC LIMIT 1');
  });
  it('finds the end of the next chunk within the range', () => {
    expect(nextChunkEnd({ database: 'app', table: 'users', key, after: [10], max: [99], size: 100 })).toEqual({
      sql: 'SELECT `id` FROM `app`.`users` FORCE INDEX (`PRIMARY`) WHERE `id` > ? AND `id` <= ? ORDER BY `id` ASC LIMIT 1 OFFSET 99',
      params: [10, 99],
    });
  });
  it('copies a chunk with INSERT IGNORE under a shared lock, per flavor', () => {
    const base = { database: 'app', table: 'select', ghost: '_select_gho', key, fromColumns: ['id', 'we`ird'], toColumns: ['id', 'new name'], after: undefined, upTo: [50] };
    expect(copyChunk({ ...base, version: mysql })).toEqual({
      sql: 'INSERT IGNORE INTO `app`.`_select_gho` (`id`, `new name`) SELECT `id`, `we``ird` FROM `app`.`select` FORCE INDEX (`PRIMARY`) WHERE `id` <= ? FOR SHARE',
      params: [50],
    });
    expect(copyChunk({ ...base, version: maria }).sql).toMatch(/ LOCK IN SHARE MODE$/);
  });
});

describe('apply statements', () => {
  it('writes final images with one multi-row INSERT IGNORE, whose warnings the guard then reads', () => {
    expect(insertIgnoreRows('app', '_t_gho', ['id', 'v'], [[1, 'a'], [2, null]])).toEqual({
      sql: 'INSERT IGNORE INTO `app`.`_t_gho` (`id`, `v`) VALUES (?, ?), (?, ?)',
      params: [1, 'a', 2, null],
    });
    expect(() => insertIgnoreRows('app', 't', ['a'], [[1, 2]])).toThrow('row has 2 values for 1 columns');
  });
  it('deletes by key', () => {
    expect(deleteRows('app', '_t_gho', ['id'], [[7]])).toEqual({ sql: 'DELETE FROM `app`.`_t_gho` WHERE `id` IN (?)', params: [7] });
  });
});

describe('cut-over and changelog statements', () => {
  it('renames several tables in one statement', () => {
    expect(renameTables('app', [['t', '_t_del'], ['_t_gho', 't']]).sql).toBe('RENAME TABLE `app`.`t` TO `app`.`_t_del`, `app`.`_t_gho` TO `app`.`t`');
    expect(lockTablesWrite('app', ['t', '_t_del']).sql).toBe('LOCK TABLES `app`.`t` WRITE, `app`.`_t_del` WRITE');
    expect(createSentry('app', '_t_del').sql).toMatch(/^CREATE TABLE `app`\.`_t_del` \(`id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY\)/);
  });
  it('upserts a changelog hint without VALUES()', () => {
    expect(writeChangelog('app', '_t_ghc', 'state', 'x')).toEqual({
      sql: 'INSERT INTO `app`.`_t_ghc` (`hint`, `value`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `value` = ?',
      params: ['state', 'x', 'x'],
    });
  });
});

describe('the applier’s in-place writes', () => {
  const mysql = { flavor: 'mysql', major: 9, minor: 7, patch: 4, raw: '9.7.4' } as const;
  const maria = { flavor: 'mariadb', major: 10, minor: 11, patch: 19, raw: '10.11.19' } as const;
  it('overwrite by the shared key with the new row’s values: an alias on MySQL, VALUES() on MariaDB', () => {
    expect(upsertRows({ version: mysql, database: 'app', ghost: '_t_gho', columns: ['id', 'v w'], keyColumns: ['id'], rows: [[1, 'a'], [2, null]] })).toEqual({
      sql: 'INSERT IGNORE INTO `app`.`_t_gho` (`id`, `v w`) VALUES (?, ?), (?, ?) AS `new` ON DUPLICATE KEY UPDATE `v w` = `new`.`v w`',
      params: [1, 'a', 2, null],
    });
    expect(upsertRows({ version: maria, database: 'app', ghost: '_t_gho', columns: ['id', 'v'], keyColumns: ['id'], rows: [[1, 'a']] }).sql).toBe(
      'INSERT IGNORE INTO `app`.`_t_gho` (`id`, `v`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `v` = VALUES(`v`)',
    );
    expect(upsertRows({ version: maria, database: 'app', ghost: 'g', columns: ['a', 'b'], keyColumns: ['a', 'b'], rows: [[1, 2]] }).sql).toBe('INSERT IGNORE INTO `app`.`g` (`a`, `b`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `a` = `a`');
  });
});
