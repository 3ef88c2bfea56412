import { format, type SqlValue as Mysql2Value } from 'mysql2';
import { describe, expect, it } from 'vitest';
import { parseSet, checkExpression, type SqlExpression } from '../../src/backfill/expressions.js';
import { readHeader, describeRange } from '../../src/backfill/walker.js';
import { backfillChunk, backfillChunkEnd, backfillSessionSetup, countMatching, explainSet, explainWhere, setList, type Assignment } from '../../src/sql/backfill.js';
import { createBackfillCheckpointTable, insertBackfillCheckpoint, readBackfillCheckpoint, writeBackfillProgress } from '../../src/sql/backfill-checkpoint.js';
import { NumericLiteral } from '../../src/sql/literals.js';
import { backfillTableNames } from '../../src/backfill/names.js';

const assignments = (text: string): readonly Assignment[] => {
  const r = parseSet(text);
  if ('error' in r) throw new Error(r.error);
  return r;
};
const expr = (text: string): SqlExpression => {
  const r = checkExpression('--where', text, '');
  if ('error' in r) throw new Error(r.error);
  return r;
};
const users = { database: 'app', table: 'users', key: { indexName: 'PRIMARY', columns: ['id'] } };
const set = assignments("phone = ''");
const where = expr('phone IS NULL');

describe('backfill chunks', () => {
  it('updates one key range with the operator\'s expressions in parentheses, bounds as placeholders', () => {
    expect(backfillChunk({ ...users, set, where, after: [new NumericLiteral('1000')], upTo: [new NumericLiteral('2000')] })).toEqual({
      sql: "UPDATE `app`.`users` FORCE INDEX (`PRIMARY`) SET `phone` = ('') WHERE `id` > ? AND `id` <= ? AND (phone IS NULL)",
      params: [new NumericLiteral('1000'), new NumericLiteral('2000')],
    });
  });
  it('has no lower bound on the first chunk, no upper bound on the last, and neither on a table smaller than a chunk', () => {
    expect(backfillChunk({ ...users, set, where, after: undefined, upTo: [1000] })).toEqual({
      sql: "UPDATE `app`.`users` FORCE INDEX (`PRIMARY`) SET `phone` = ('') WHERE `id` <= ? AND (phone IS NULL)",
      params: [1000],
    });
    expect(backfillChunk({ ...users, set, where, after: [9000], upTo: undefined })).toEqual({
      sql: "UPDATE `app`.`users` FORCE INDEX (`PRIMARY`) SET `phone` = ('') WHERE `id` > ? AND (phone IS NULL)",
      params: [9000],
    });
    expect(backfillChunk({ ...users, set, where, after: undefined, upTo: undefined }).sql).toBe("UPDATE `app`.`users` FORCE INDEX (`PRIMARY`) SET `phone` = ('') WHERE (phone IS NULL)");
  });
  it('quotes every name oschange writes (backticks, spaces, keywords) and walks composite keys column by column', () => {
    const odd = { database: 'my db', table: 'or`der', key: { indexName: 'uniq key', columns: ['a`b', 'select'] } };
    expect(backfillChunk({ ...odd, set: assignments('`from` = DEFAULT, `x y` = a + 1'), where: expr('TRUE'), after: [1, 'x'], upTo: [2, 'y'] })).toEqual({
      sql:
        'UPDATE `my db`.`or``der` FORCE INDEX (`uniq key`) SET `from` = DEFAULT, `x y` = (a + 1) ' +
        'WHERE (`a``b` > ? OR (`a``b` = ? AND `select` > ?)) AND (`a``b` < ? OR (`a``b` = ? AND `select` <= ?)) AND (TRUE)',
      params: [1, 1, 'x', 2, 2, 'y'],
    });
  });
  it('has its bounds filled by mysql2 only at oschange\'s placeholders: a "?" inside the operator\'s quotes stays a character', () => {
    const s = backfillChunk({ ...users, set: assignments("note = 'why?'"), where: expr("tag <> '?' AND `a?b` = \"?\""), after: [new NumericLiteral('10')], upTo: [new NumericLiteral('18446744073709551615')] });
    expect(format(s.sql, s.params as Mysql2Value[])).toBe(
      "UPDATE `app`.`users` FORCE INDEX (`PRIMARY`) SET `note` = ('why?') WHERE `id` > 10 AND `id` <= 18446744073709551615 AND (tag <> '?' AND `a?b` = \"?\")",
    );
  });
  it('reads the next chunk\'s end a chunk\'s size along the key (ENUM keys by member number)', () => {
    expect(backfillChunkEnd({ ...users, after: undefined, size: 1000 })).toEqual({ sql: 'SELECT `id` FROM `app`.`users` FORCE INDEX (`PRIMARY`) ORDER BY `id` ASC LIMIT 1 OFFSET 999', params: [] });
    expect(backfillChunkEnd({ database: 'd', table: 't', key: { indexName: 'PRIMARY', columns: ['kind', 'n'], byNumber: [true, false] }, after: [2, 7], size: 10 })).toEqual({
      sql: 'SELECT `kind` + 0 AS `kind`, `n` FROM `d`.`t` FORCE INDEX (`PRIMARY`) WHERE (`kind` > ? OR (`kind` = ? AND `n` > ?)) ORDER BY `kind` ASC, `n` ASC LIMIT 1 OFFSET 9',
      params: [2, 2, 7],
    });
  });
});

describe('checking --set and --where on the server, changing nothing', () => {
  it('explains the UPDATE with WHERE FALSE, once per flag', () => {
    expect(explainSet({ ...users, set: assignments("phone = '', n = n + 1") }).sql).toBe("EXPLAIN UPDATE `app`.`users` SET `phone` = (''), `n` = (n + 1) WHERE FALSE");
    expect(explainWhere({ ...users, column: 'phone', where }).sql).toBe('EXPLAIN UPDATE `app`.`users` SET `phone` = `phone` WHERE (phone IS NULL) AND FALSE');
  });
  it('counts the table and the matching rows in one scan', () => {
    expect(countMatching({ database: 'app', table: 'users', where }).sql).toBe(
      'SELECT COUNT(*) AS `rows_total`, COALESCE(SUM(CASE WHEN (phone IS NULL) THEN 1 ELSE 0 END), 0) AS `rows_matching` FROM `app`.`users`',
    );
  });
  it('refuses an empty SET', () => {
    expect(() => setList([])).toThrow('a backfill needs at least one assignment');
  });
});

describe('the chunk session', () => {
  it('reads committed rows where the binlog allows it, and waits for locks briefly', () => {
    expect(backfillSessionSetup({ readCommitted: true, rowLockWaitSeconds: 2, metadataLockWaitSeconds: 10 })).toEqual([
      { sql: 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED', params: [] },
      { sql: 'SET SESSION innodb_lock_wait_timeout = ?, lock_wait_timeout = ?', params: [2, 10] },
    ]);
    expect(backfillSessionSetup({ readCommitted: false, rowLockWaitSeconds: 2, metadataLockWaitSeconds: 10 })).toHaveLength(1);
  });
  it('reads rows matched and changed from the server\'s answer', () => {
    expect(readHeader({ affectedRows: 5, changedRows: 3, info: 'Rows matched: 5  Changed: 3  Warnings: 1', warningStatus: 1 })).toEqual({ matched: 5, changed: 3, warnings: 1 });
    expect(readHeader({ affectedRows: 4, changedRows: 4, warningStatus: 0 })).toEqual({ matched: 4, changed: 4, warnings: 0 });
  });
  it('names a chunk\'s range in messages', () => {
    expect(describeRange(['id'], [new NumericLiteral('10')], [new NumericLiteral('20')])).toBe('after id 10 up to id 20');
    expect(describeRange(['a', 'b'], undefined, [1, 'x'])).toBe("from the start up to (a, b) (1, 'x')");
    expect(describeRange(['id'], [5], undefined)).toBe('after id 5 to the end');
  });
});

describe('the checkpoint table', () => {
  it('is named after the table, as _T_ghk is', () => {
    expect(backfillTableNames('users')).toEqual({ checkpoint: '_users_bfk', changelog: '_users_bfc' });
    expect(() => backfillTableNames('x'.repeat(60))).toThrow(/helper table _x+_bfk would exceed MySQL's 64-character limit/);
  });
  it('is one row: what the backfill is, and how far it got', () => {
    expect(createBackfillCheckpointTable('app', '_users_bfk').sql).toMatch(/^CREATE TABLE `app`\.`_users_bfk` \(\n  `id` TINYINT UNSIGNED NOT NULL,\n  `set_expression` MEDIUMTEXT/);
    const progress = { doneUpTo: '[{"x":"1000"}]', done: false, rowsWalked: 1000, rowsMatched: 300, rowsChanged: 299, chunks: 1, busyMs: 12.4, throttledMs: 0 };
    expect(insertBackfillCheckpoint('app', '_users_bfk', { setExpression: "phone = ''", whereExpression: 'phone IS NULL', keyName: 'PRIMARY', keyColumns: '["id"]' }, progress)).toEqual({
      sql:
        'INSERT INTO `app`.`_users_bfk` (`id`, `set_expression`, `where_expression`, `key_name`, `key_columns`, `done_up_to`, `done`, `rows_walked`, `rows_matched`, `rows_changed`, `chunks`, `busy_ms`, `throttled_ms`) ' +
        'VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      params: ["phone = ''", 'phone IS NULL', 'PRIMARY', '["id"]', '[{"x":"1000"}]', 0, 1000, 300, 299, 1, 12, 0],
    });
    expect(writeBackfillProgress('app', '_users_bfk', { ...progress, done: true })).toEqual({
      sql: 'UPDATE `app`.`_users_bfk` SET `done_up_to` = ?, `done` = ?, `rows_walked` = ?, `rows_matched` = ?, `rows_changed` = ?, `chunks` = ?, `busy_ms` = ?, `throttled_ms` = ? WHERE `id` = 1',
      params: ['[{"x":"1000"}]', 1, 1000, 300, 299, 1, 12, 0],
    });
    expect(readBackfillCheckpoint('app', '_users_bfk').sql).toBe(
      'SELECT `set_expression`, `where_expression`, `key_name`, `key_columns`, `done_up_to`, `done`, `rows_walked`, `rows_matched`, `rows_changed`, `chunks`, `busy_ms`, `throttled_ms`, ' +
        'TIMESTAMPDIFF(SECOND, `updated_at`, CURRENT_TIMESTAMP(6)) AS `age_seconds` FROM `app`.`_users_bfk` WHERE `id` = 1',
    );
  });
});
