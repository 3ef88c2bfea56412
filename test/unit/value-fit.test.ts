import { describe, expect, it } from 'vitest';
import { columnType, integerRange } from '../../src/inspect/column-type.js';
import type { Column } from '../../src/inspect/table-info.js';
import { describeRisk, riskAllowance, valueRisks } from '../../src/inspect/value-fit.js';
import { duplicateProbe, duplicateRows, riskPredicate, valueProbe, withTimeLimit } from '../../src/sql/value-fit.js';
import { NumericLiteral } from '../../src/sql/literals.js';

const col = (columnType: string, o: Partial<Column> = {}): Column => ({
  name: 'c',
  dataType: columnType.replace(/\(.*$/, '').replace(/ .*$/, ''),
  columnType,
  nullable: false,
  generated: false,
  charset: /char|text|enum|set/.test(columnType) ? 'utf8mb4' : null,
  collation: /char|text|enum|set/.test(columnType) ? 'utf8mb4_0900_ai_ci' : null,
  ...o,
});

describe('column types from information_schema', () => {
  it('reads every family', () => {
    expect(columnType(col('decimal(12,2) unsigned'))).toEqual({ family: 'decimal', precision: 12, scale: 2, unsigned: true });
    expect(columnType(col('varchar(20)'))).toEqual({ family: 'char', fixed: false, length: 20, charset: 'utf8mb4' });
    expect(columnType(col('mediumtext'))).toEqual({ family: 'text', maxBytes: 16_777_215, charset: 'utf8mb4' });
    expect(columnType(col('binary(16)'))).toEqual({ family: 'binary', fixed: true, maxBytes: 16 });
    expect(columnType(col("enum('a','b''c')"))).toEqual({ family: 'enum', members: ['a', "b'c"] });
    expect(columnType(col('datetime(6)'))).toEqual({ family: 'temporal', kind: 'datetime', fsp: 6 });
    expect(columnType(col('bigint unsigned'))).toEqual({ family: 'integer', bytes: 8, unsigned: true });
    expect(integerRange({ bytes: 8, unsigned: true })).toEqual({ min: '0', max: '18446744073709551615' });
    expect(integerRange({ bytes: 1, unsigned: false })).toEqual({ min: '-128', max: '127' });
  });
});

describe('what could change when a column gets a new type', () => {
  it('finds nothing for a widening', () => {
    expect(valueRisks(col('int'), col('bigint'))).toEqual([]);
    expect(valueRisks(col('varchar(20)'), col('varchar(40)'))).toEqual([]);
    expect(valueRisks(col('decimal(12,2)'), col('decimal(14,4)'))).toEqual([]);
    expect(valueRisks(col("enum('a','b')"), col("enum('a','b','c')"))).toEqual([]);
    expect(valueRisks(col('datetime'), col('datetime(6)'))).toEqual([]);
    expect(valueRisks(col('int'), col('decimal(12,0)'))).toEqual([]);
  });
  it('finds each way a value can fail to fit', () => {
    expect(valueRisks(col('decimal(12,2)'), col('decimal(4,2)'))).toEqual([{ kind: 'range', min: '-99.99', max: '99.99' }]);
    expect(valueRisks(col('decimal(12,4)'), col('decimal(12,2)'))).toEqual([{ kind: 'scale', scale: 2 }]);
    expect(valueRisks(col('decimal(12,2)'), col('int'))).toEqual([{ kind: 'range', min: '-2147483648', max: '2147483647' }, { kind: 'scale', scale: 0 }]);
    expect(valueRisks(col('bigint'), col('int unsigned'))).toEqual([{ kind: 'range', min: '0', max: '4294967295' }]);
    expect(valueRisks(col('varchar(20)'), col('varchar(5)'))).toEqual([{ kind: 'chars', max: 5, charset: 'utf8mb4' }]);
    expect(valueRisks(col('varchar(20)'), col('varchar(20)', { charset: 'latin1' }))).toEqual([{ kind: 'charset', from: 'utf8mb4', to: 'latin1' }]);
    expect(valueRisks(col('varchar(5)'), col('char(5)'))).toEqual([{ kind: 'trailing-spaces' }]);
    expect(valueRisks(col("enum('a','b','c')"), col("enum('a','b')"))).toEqual([{ kind: 'members', members: ['a', 'b'] }]);
    expect(valueRisks(col("set('a','b','c')"), col("set('a','c')"))).toEqual([{ kind: 'set-members', removed: [1] }]);
    expect(valueRisks(col('datetime(6)'), col('datetime(3)'))).toEqual([{ kind: 'fsp', fsp: 3 }]);
    expect(valueRisks(col('datetime'), col('date'))).toEqual([{ kind: 'time-part' }]);
    expect(valueRisks(col('datetime'), col('timestamp'))).toEqual([{ kind: 'timestamp-range' }]);
    expect(valueRisks(col('text'), col('json'))).toEqual([{ kind: 'json' }]);
    expect(valueRisks(col('int', { nullable: true }), col('int'))).toEqual([{ kind: 'null' }]);
    expect(valueRisks(col('varchar(10)'), col('int'))).toEqual([{ kind: 'unchecked', from: 'varchar(10)', to: 'int' }]);
  });
  it('says what a risk means and which --allow-data-loss accepts it', () => {
    expect(describeRisk({ kind: 'range', min: '-99.99', max: '99.99' })).toBe("holds values outside the new type's range (-99.99 to 99.99)");
    expect(riskAllowance({ kind: 'null' })).toBe('null-to-default');
    expect(riskAllowance({ kind: 'chars', max: 5, charset: 'utf8mb4' })).toBe('truncate');
  });
});

describe('the data checks’ statements', () => {
  it('find the first offending row in key order', () => {
    const predicate = riskPredicate('amount', { kind: 'range', min: '-99.99', max: '99.99' });
    expect(predicate).toEqual({ sql: '(`amount` < ? OR `amount` > ?)', params: [new NumericLiteral('-99.99'), new NumericLiteral('99.99')] });
    expect(valueProbe({ database: 'app', table: 'or`ders', keyColumns: ['id', 'k 2'], column: 'amount', predicate: predicate as NonNullable<typeof predicate> })).toEqual({
      sql: 'SELECT `id`, `k 2`, `amount` AS `__value` FROM `app`.`or``ders` WHERE (`amount` < ? OR `amount` > ?) ORDER BY `id`, `k 2` LIMIT 1',
      params: [new NumericLiteral('-99.99'), new NumericLiteral('99.99')],
    });
  });
  it('write one predicate per risk, and none for what only the copy can check', () => {
    expect(riskPredicate('c', { kind: 'chars', max: 5, charset: 'utf8mb4' })).toEqual({ sql: 'CHAR_LENGTH(CONVERT(`c` USING utf8mb4)) > ?', params: [5] });
    expect(riskPredicate('c', { kind: 'charset', from: 'utf8mb4', to: 'latin1' })?.sql).toBe('CAST(CONVERT(CONVERT(`c` USING latin1) USING utf8mb4) AS BINARY) <> CAST(`c` AS BINARY)');
    expect(riskPredicate('c', { kind: 'set-members', removed: [1, 3] })).toEqual({ sql: '(`c` + 0) & ? <> 0', params: [new NumericLiteral('10')] });
    expect(riskPredicate('c', { kind: 'null' })).toEqual({ sql: '`c` IS NULL', params: [] });
    expect(riskPredicate('c', { kind: 'unchecked', from: 'a', to: 'b' })).toBeUndefined();
    expect(() => riskPredicate('c', { kind: 'chars', max: 5, charset: 'x; DROP' })).toThrow('not a charset or collation name');
  });
  it('find one group of duplicates of a new unique key, compared as the ghost compares', () => {
    const parts = [{ column: 'email', collate: { charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' }, length: 10 }, { column: 'org', collate: undefined, length: undefined }];
    expect(duplicateProbe({ database: 'app', table: 't', parts, primary: false }).sql).toBe(
      'SELECT LEFT(CONVERT(`email` USING utf8mb4) COLLATE utf8mb4_0900_ai_ci, 10) AS `v0`, `org` AS `v1`, COUNT(*) AS `n` FROM `app`.`t` ' +
        'WHERE `email` IS NOT NULL AND `org` IS NOT NULL GROUP BY LEFT(CONVERT(`email` USING utf8mb4) COLLATE utf8mb4_0900_ai_ci, 10), `org` HAVING COUNT(*) > 1 LIMIT 1',
    );
    expect(duplicateRows({ database: 'app', table: 't', keyColumns: ['id'], parts, values: ['a@x', 7], limit: 3 })).toEqual({
      sql: 'SELECT `id` FROM `app`.`t` WHERE LEFT(CONVERT(`email` USING utf8mb4) COLLATE utf8mb4_0900_ai_ci, 10) = ? AND `org` = ? ORDER BY `id` LIMIT 3',
      params: ['a@x', 7],
    });
  });
  it('are bounded in time on each flavor', () => {
    const s = { sql: 'SELECT 1 FROM t', params: [] };
    expect(withTimeLimit(s, { flavor: 'mysql', major: 9, minor: 7, patch: 4, raw: '9.7.4' }, 60_000).sql).toBe('SELECT /*+ MAX_EXECUTION_TIME(60000) */ 1 FROM t');
    expect(withTimeLimit(s, { flavor: 'mariadb', major: 10, minor: 11, patch: 19, raw: '10.11.19' }, 60_000).sql).toBe('SET STATEMENT max_statement_time = 60.000 FOR SELECT 1 FROM t');
  });
});
