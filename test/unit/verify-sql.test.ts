import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../src/db/flavor.js';
import { copyChunk } from '../../src/sql/chunk.js';
import { NumericLiteral } from '../../src/sql/literals.js';
import { beginLocked, deleteRange, rangeChecksum, recopyRange, sharedLockClause } from '../../src/sql/verify.js';
import { describeRange, parseRangeSum } from '../../src/verify/range-checksum.js';

const mysql = parseServerVersion('9.7.4');
const mysql57 = parseServerVersion('5.7.44-log');
const maria = parseServerVersion('10.11.19-MariaDB');

const SUM = "SELECT COUNT(*) AS row_count, BIT_XOR(CRC32(CONCAT_WS('|', ";

describe('range checksum', () => {
  const key = { columns: ['id'], indexName: 'PRIMARY' };
  it('checksums a bounded range through the forced key index, without a lock', () => {
    expect(rangeChecksum({ database: 'app', table: 'users', key, columns: [{ name: 'id' }, { name: 'name' }], range: { after: [10], upTo: [20] } })).toEqual({
      sql:
        SUM +
        'ISNULL(`id`), HEX(CAST(`id` AS BINARY)), ISNULL(`name`), HEX(CAST(`name` AS BINARY))))) AS checksum ' +
        'FROM `app`.`users` FORCE INDEX (`PRIMARY`) WHERE `id` > ? AND `id` <= ?',
      params: [10, 20],
    });
  });
  it('leaves out a missing bound: the first range starts at the beginning, the last one has no end', () => {
    const first = rangeChecksum({ database: 'app', table: 'users', key, columns: [{ name: 'id' }], range: { after: undefined, upTo: [20] } });
    expect(first.sql).toMatch(/ WHERE `id` <= \?$/);
    expect(first.params).toEqual([20]);
    const last = rangeChecksum({ database: 'app', table: 'users', key, columns: [{ name: 'id' }], range: { after: [20], upTo: undefined } });
    expect(last.sql).toMatch(/ FORCE INDEX \(`PRIMARY`\) WHERE `id` > \?$/);
    expect(last.params).toEqual([20]);
    const all = rangeChecksum({ database: 'app', table: 'users', key, columns: [{ name: 'id' }], range: { after: undefined, upTo: undefined } });
    expect(all).toEqual({ sql: SUM + 'ISNULL(`id`), HEX(CAST(`id` AS BINARY))))) AS checksum FROM `app`.`users` FORCE INDEX (`PRIMARY`)', params: [] });
  });
  it('reads with the locking clause of each flavor', () => {
    const base = { database: 'app', table: 'users', key, columns: [{ name: 'id' }], range: { after: [1], upTo: [2] } };
    expect(rangeChecksum({ ...base, locking: mysql }).sql).toMatch(/ WHERE `id` > \? AND `id` <= \? FOR SHARE$/);
    expect(rangeChecksum({ ...base, locking: maria }).sql).toMatch(/ WHERE `id` > \? AND `id` <= \? LOCK IN SHARE MODE$/);
    expect(rangeChecksum({ ...base, locking: mysql57 }).sql).toMatch(/ LOCK IN SHARE MODE$/);
    expect(sharedLockClause(parseServerVersion('8.0.1'))).toBe('FOR SHARE');
    expect(sharedLockClause(parseServerVersion('8.0.0'))).toBe('LOCK IN SHARE MODE');
  });
  it('quotes names with backticks, spaces and keywords, and expands composite keys', () => {
    const s = rangeChecksum({
      database: 'my db',
      table: 'ta`ble',
      key: { columns: ['select', 'we`ird col'], indexName: 'uk`1' },
      columns: [{ name: 'select' }, { name: 'we`ird col' }, { name: 'order' }],
      range: { after: [new NumericLiteral('18446744073709551615'), 'a'], upTo: [new NumericLiteral('18446744073709551615'), 'z'] },
      locking: mysql,
    });
    expect(s).toEqual({
      sql:
        SUM +
        'ISNULL(`select`), HEX(CAST(`select` AS BINARY)), ISNULL(`we``ird col`), HEX(CAST(`we``ird col` AS BINARY)), ' +
        'ISNULL(`order`), HEX(CAST(`order` AS BINARY))))) AS checksum ' +
        'FROM `my db`.`ta``ble` FORCE INDEX (`uk``1`) ' +
        'WHERE (`select` > ? OR (`select` = ? AND `we``ird col` > ?)) AND (`select` < ? OR (`select` = ? AND `we``ird col` <= ?)) FOR SHARE',
      params: [
        new NumericLiteral('18446744073709551615'),
        new NumericLiteral('18446744073709551615'),
        'a',
        new NumericLiteral('18446744073709551615'),
        new NumericLiteral('18446744073709551615'),
        'z',
      ],
    });
  });
  it('reads the ghost by its own (renamed) key columns, and forces no index it was not told', () => {
    expect(rangeChecksum({ database: 'app', table: '_users_gho', key: { columns: ['user id'], indexName: undefined }, columns: [{ name: 'user id' }], range: { after: [5], upTo: [9] } })).toEqual({
      sql: SUM + 'ISNULL(`user id`), HEX(CAST(`user id` AS BINARY))))) AS checksum FROM `app`.`_users_gho` WHERE `user id` > ? AND `user id` <= ?',
      params: [5, 9],
    });
  });
  it('reads an original column whose type the ALTER changes as the ghost column holds it', () => {
    const s = rangeChecksum({
      database: 'app',
      table: 't',
      key: { columns: ['id'], indexName: 'PRIMARY' },
      columns: [
        { name: 'amount', as: { kind: 'decimal', precision: 14, scale: 2 } },
        { name: 'note', as: { kind: 'charset', charset: 'latin1' } },
        { name: 'at', as: { kind: 'datetime', fsp: 3 } },
        { name: 'n', as: { kind: 'unsigned' } },
        { name: 'b', as: { kind: 'binary', length: 4 } },
      ],
      range: { after: undefined, upTo: undefined },
    });
    expect(s.sql).toBe(
      SUM +
        'ISNULL(`amount`), HEX(CAST(CAST(`amount` AS DECIMAL(14,2)) AS BINARY)), ISNULL(`note`), HEX(CAST(CONVERT(`note` USING latin1) AS BINARY)), ' +
        'ISNULL(`at`), HEX(CAST(CAST(`at` AS DATETIME(3)) AS BINARY)), ISNULL(`n`), HEX(CAST(CAST(`n` AS UNSIGNED) AS BINARY)), ' +
        'ISNULL(`b`), HEX(CAST(CAST(`b` AS BINARY(4)) AS BINARY))))) AS checksum FROM `app`.`t` FORCE INDEX (`PRIMARY`)',
    );
    expect(() => rangeChecksum({ database: 'a', table: 't', key: { columns: ['id'], indexName: undefined }, columns: [{ name: 'c', as: { kind: 'charset', charset: 'x; DROP' } }], range: { after: undefined, upTo: undefined } })).toThrow('not a charset name');
  });
  it('refuses an empty column list', () => {
    expect(() => rangeChecksum({ database: 'a', table: 't', key, columns: [], range: { after: undefined, upTo: undefined } })).toThrow('checksum needs columns');
  });
});

describe('range repair', () => {
  const key = { indexName: 'PRIMARY', columns: ['a', 'b'] };
  it('deletes a range of the ghost by its key columns', () => {
    expect(deleteRange('app', '_t`x_gho', ['a', 'new b'], { after: [1, 'x'], upTo: [2, 'y'] })).toEqual({
      sql: 'DELETE FROM `app`.`_t``x_gho` WHERE (`a` > ? OR (`a` = ? AND `new b` > ?)) AND (`a` < ? OR (`a` = ? AND `new b` <= ?))',
      params: [1, 1, 'x', 2, 2, 'y'],
    });
    expect(deleteRange('app', '_t_gho', ['id'], { after: undefined, upTo: [7] })).toEqual({ sql: 'DELETE FROM `app`.`_t_gho` WHERE `id` <= ?', params: [7] });
    expect(deleteRange('app', '_t_gho', ['id'], { after: [7], upTo: undefined })).toEqual({ sql: 'DELETE FROM `app`.`_t_gho` WHERE `id` > ?', params: [7] });
    expect(deleteRange('app', '_t_gho', ['id'], { after: undefined, upTo: undefined })).toEqual({ sql: 'DELETE FROM `app`.`_t_gho`', params: [] });
  });
  it('re-copies a bounded range with exactly the statement the copy runs', () => {
    const base = { database: 'app', table: 't', ghost: '_t_gho', key, fromColumns: ['a', 'b', 'c'], toColumns: ['a', 'b', 'c 2'] };
    for (const version of [mysql, maria]) {
      expect(recopyRange({ ...base, version, range: { after: [1, 'x'], upTo: [2, 'y'] } })).toEqual(copyChunk({ ...base, version, after: [1, 'x'], upTo: [2, 'y'] }));
      expect(recopyRange({ ...base, version, range: { after: undefined, upTo: [2, 'y'] } })).toEqual(copyChunk({ ...base, version, after: undefined, upTo: [2, 'y'] }));
    }
  });
  it('re-copies the open last range without an upper bound, per flavor', () => {
    const base = { database: 'app', table: 'order', ghost: '_order_gho', key, fromColumns: ['a', 'b'], toColumns: ['a', 'b`2'] };
    expect(recopyRange({ ...base, version: mysql, range: { after: [1, 'x'], upTo: undefined } })).toEqual({
      sql:
        'INSERT IGNORE INTO `app`.`_order_gho` (`a`, `b``2`) SELECT `a`, `b` FROM `app`.`order` FORCE INDEX (`PRIMARY`) ' +
        'WHERE (`a` > ? OR (`a` = ? AND `b` > ?)) FOR SHARE',
      params: [1, 1, 'x'],
    });
    expect(recopyRange({ ...base, version: maria, range: { after: undefined, upTo: undefined } })).toEqual({
      sql: 'INSERT IGNORE INTO `app`.`_order_gho` (`a`, `b``2`) SELECT `a`, `b` FROM `app`.`order` FORCE INDEX (`PRIMARY`) LOCK IN SHARE MODE',
      params: [],
    });
    expect(() => recopyRange({ ...base, toColumns: ['a'], version: mysql, range: { after: undefined, upTo: undefined } })).toThrow('column lists differ in length');
  });
  it('opens the locked check in REPEATABLE READ, where locking reads take gap locks', () => {
    expect(beginLocked().map((s) => s.sql)).toEqual(['SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', 'START TRANSACTION']);
  });
});

describe('range descriptions and checksum rows', () => {
  it('names the columns and bounds of a range', () => {
    expect(describeRange(['id'], { after: [new NumericLiteral('100')], upTo: [new NumericLiteral('200')] })).toBe('key range (`id`) > (100) and <= (200)');
    expect(describeRange(['a', 'b`c'], { after: undefined, upTo: [3, "it's"] })).toBe("key range (`a`, `b``c`) <= (3, 'it''s')");
    expect(describeRange(['k'], { after: [Buffer.from([0xab, 0x01])], upTo: undefined })).toBe('key range (`k`) > (0xAB01)');
    expect(describeRange(['id', 'e'], { after: undefined, upTo: undefined }, [false, true])).toBe('the whole key range (`id`, `e`) (ENUM/SET columns by member number)');
  });
  it('reads counts and checksums as the servers return them', () => {
    expect(parseRangeSum({ row_count: '3', checksum: '18446744073709551615' })).toEqual({ rows: 3, checksum: '18446744073709551615' });
    expect(parseRangeSum({ row_count: 0, checksum: null })).toEqual({ rows: 0, checksum: '0' });
    expect(() => parseRangeSum(undefined)).toThrow('checksum query returned no row count');
  });
});
