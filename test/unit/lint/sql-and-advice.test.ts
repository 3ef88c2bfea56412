import { describe, expect, it } from 'vitest';
import { columnChanges, composeChanges } from '../../../src/alter/columns.js';
import { parseAlterStatement } from '../../../src/alter/parse.js';
import { ident, oschangeRun, shellQuote } from '../../../src/lint/advice.js';
import { alterWithAlgorithm, digestsMentioning, maxValue, readCommitted, sampleCopy, tableSize } from '../../../src/sql/lint.js';

describe("lint's statements", () => {
  it('tries an ALTER on the copy with an algorithm and lock, names quoted', () => {
    expect(alterWithAlgorithm({ database: 'app', table: '_we`ird_ghl', algorithm: 'INPLACE', lock: 'NONE', actions: 'ADD INDEX (a)' })).toEqual({
      sql: 'ALTER TABLE `app`.`_we``ird_ghl` ALGORITHM=INPLACE, LOCK=NONE, ADD INDEX (a)',
      params: [],
    });
    expect(alterWithAlgorithm({ database: 'app', table: 't', algorithm: 'INSTANT', lock: undefined, actions: 'ADD c INT' }).sql).toBe('ALTER TABLE `app`.`t` ALGORITHM=INSTANT, ADD c INT');
    expect(() => alterWithAlgorithm({ database: 'a', table: 't', algorithm: 'COPY; DROP', lock: undefined, actions: 'x' })).toThrow('not an algorithm');
  });
  it('reads the size, copies a sample without locks, reads a key’s end', () => {
    expect(tableSize('app', 'users')).toEqual({
      sql: 'SELECT TABLE_ROWS AS table_rows, DATA_LENGTH AS data_length, INDEX_LENGTH AS index_length, AVG_ROW_LENGTH AS avg_row_length, AUTO_INCREMENT AS auto_increment FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      params: ['app', 'users'],
    });
    expect(readCommitted().sql).toBe('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    expect(sampleCopy({ database: 'app', from: 'users', to: '_users_ghl1', pairs: [{ from: 'id', to: 'id' }, { from: 'full name', to: 'name' }], keyColumns: ['id'], limit: 2000 })).toEqual({
      sql: 'INSERT IGNORE INTO `app`.`_users_ghl1` (`id`, `name`) SELECT `id`, `full name` FROM `app`.`users` ORDER BY `id` LIMIT ?',
      params: [2000],
    });
    expect(maxValue('app', 'users', 'id').sql).toBe('SELECT MAX(`id`) AS m FROM `app`.`users`');
  });
  it('finds digests naming words, matched literally', () => {
    expect(digestsMentioning(['legacy_code', 'users'], 200)).toEqual({
      sql:
        'SELECT SCHEMA_NAME AS schema_name, DIGEST_TEXT AS digest_text, COUNT_STAR AS count_star, FIRST_SEEN AS first_seen, LAST_SEEN AS last_seen ' +
        'FROM performance_schema.events_statements_summary_by_digest WHERE DIGEST_TEXT LIKE ? AND DIGEST_TEXT LIKE ? ORDER BY LAST_SEEN DESC, COUNT_STAR DESC LIMIT 200',
      params: ['%legacy\\_code%', '%users%'],
    });
  });
});

describe('advice', () => {
  it('writes names bare when it can, quoted when it must', () => {
    expect([ident('legacy_code'), ident('order'), ident('my col'), ident('we`ird'), ident('1abc')]).toEqual(['legacy_code', '`order`', '`my col`', '`we``ird`', '`1abc`']);
  });
  it('quotes --alter for a shell', () => {
    expect(shellQuote("ADD COLUMN c VARCHAR(5) DEFAULT 'x'")).toBe(`"ADD COLUMN c VARCHAR(5) DEFAULT 'x'"`);
    expect(shellQuote('ADD COLUMN `c` INT')).toBe("'ADD COLUMN `c` INT'");
    expect(shellQuote("ADD `c` INT DEFAULT 'a$b'")).toBe('"ADD \\`c\\` INT DEFAULT \'a\\$b\'"');
    expect(oschangeRun({ table: { database: undefined, name: 'users' }, database: undefined, alter: 'DROP COLUMN c', flags: ['--allow drop-column'] })).toBe(
      'oschange --database DB --table users --alter "DROP COLUMN c" --allow drop-column --execute',
    );
  });
});

describe('two ALTERs of a table, as one', () => {
  const changes = (alter: string, columns: readonly string[]) => columnChanges(parseAlterStatement(alter), columns);
  it('follows a column through both', () => {
    const first = changes('RENAME COLUMN a TO b, DROP COLUMN c, ADD COLUMN d INT', ['a', 'c', 'e']);
    const then = changes('CHANGE b x BIGINT, DROP COLUMN e, RENAME COLUMN d TO y', ['b', 'e', 'd']);
    const both = composeChanges(first, then);
    expect(Object.fromEntries(both.fates)).toEqual({ a: { kind: 'kept', as: 'x' }, c: { kind: 'dropped' }, e: { kind: 'dropped' } });
    expect([...both.added].sort()).toEqual(['y']);
  });
});
