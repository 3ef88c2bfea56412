import { describe, expect, it } from 'vitest';
import { BinlogType, planTable, TableChangedError, type MappedColumn } from '../../src/binlog/column-plan.js';
import { enumLabel, parseEnumLabels, setLabels } from '../../src/binlog/enum-values.js';
import { isGeneratedColumn, parseColumnRow, type ColumnInfo, type TableSchema } from '../../src/binlog/table-schema.js';

const col = (name: string, type: number, metadata?: Record<string, unknown>, charset: string | null = null): MappedColumn => ({
  name,
  type,
  charset,
  metadata,
  binlogLabels: undefined,
});
const info = (name: string, dataType: string, extra: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name,
  dataType,
  columnType: dataType,
  charset: null,
  generated: false,
  labels: undefined,
  ...extra,
});
const schema = (...columns: ColumnInfo[]): TableSchema => ({ database: 'db', table: 't', columns });

describe('ENUM and SET labels', () => {
  it('reads labels with commas, doubled quotes, backslashes and parentheses', () => {
    expect(parseEnumLabels("enum('a,b','it''s','back\\\\slash','x)y','','é')")).toEqual(['a,b', "it's", 'back\\slash', 'x)y', '', 'é']);
    expect(parseEnumLabels("set('p','q r')")).toEqual(['p', 'q r']);
    expect(() => parseEnumLabels('int(11)')).toThrow(/not an ENUM/);
    expect(() => parseEnumLabels("enum('a")).toThrow(/unterminated/);
  });

  it('maps ENUM indexes (0 is the empty error value) and SET bitmaps', () => {
    expect(enumLabel(['a', 'b'], 0)).toBe('');
    expect(enumLabel(['a', 'b'], 2)).toBe('b');
    expect(() => enumLabel(['a'], 2)).toThrow(/beyond/);
    const labels = Array.from({ length: 64 }, (_, i) => `m${i}`);
    expect(setLabels(labels, (1n << 63n) | 1n)).toBe('m0,m63');
    expect(setLabels(labels, 0n)).toBe('');
  });
});

describe('information_schema columns', () => {
  it('tells generated columns from expression defaults', () => {
    expect(isGeneratedColumn('VIRTUAL GENERATED')).toBe(true);
    expect(isGeneratedColumn('STORED GENERATED')).toBe(true);
    expect(isGeneratedColumn('PERSISTENT GENERATED')).toBe(true);
    expect(isGeneratedColumn('DEFAULT_GENERATED')).toBe(false);
    expect(isGeneratedColumn('DEFAULT_GENERATED on update CURRENT_TIMESTAMP')).toBe(false);
    expect(isGeneratedColumn('')).toBe(false);
  });

  it('parses a row, with labels for ENUM', () => {
    expect(parseColumnRow({ name: 'e', data_type: 'ENUM', column_type: "enum('a','b')", charset: 'utf8mb4', extra: '' })).toEqual({
      name: 'e',
      dataType: 'enum',
      columnType: "enum('a','b')",
      charset: 'utf8mb4',
      generated: false,
      labels: ['a', 'b'],
    });
    expect(parseColumnRow({ name: Buffer.from('g'), data_type: 'int', column_type: 'int', charset: null, extra: 'VIRTUAL GENERATED' }).generated).toBe('virtual');
    expect(parseColumnRow({ name: 'g', data_type: 'int', column_type: 'int', charset: null, extra: 'STORED GENERATED' }).generated).toBe('stored');
    expect(parseColumnRow({ name: 'g', data_type: 'int', column_type: 'int', charset: null, extra: 'PERSISTENT GENERATED' }).generated).toBe('stored');
    expect(parseColumnRow({ name: 'd', data_type: 'datetime', column_type: 'datetime', charset: null, extra: 'DEFAULT_GENERATED' }).generated).toBe(false);
  });
});

describe('column plans', () => {
  it('lets zongji decode integers, floats and BIT, and takes raw bytes for the rest', () => {
    const plan = planTable(
      [
        col('i', BinlogType.LONGLONG),
        col('f', BinlogType.DOUBLE, { size: 8 }),
        col('b', BinlogType.BIT, { bits: 13 }),
        col('d', BinlogType.NEWDECIMAL, { precision: 65, decimals: 30 }),
        col('t', BinlogType.TIME2, { decimals: 3 }),
        col('dt', BinlogType.DATETIME2, { decimals: 6 }),
        col('ts', BinlogType.TIMESTAMP2, { decimals: 0 }),
        col('dd', BinlogType.DATE),
        col('y', BinlogType.YEAR),
        col('j', BinlogType.JSON, { length_size: 4 }),
        col('g', BinlogType.GEOMETRY, { length_size: 4 }),
      ],
      undefined,
    );
    expect(plan.map((p) => [p.name, p.decoder.kind, p.wire.name, p.wire.type, p.wire.metadata])).toEqual([
      ['i', 'zongji', 'c0', BinlogType.LONGLONG, undefined],
      ['f', 'float', 'c1', BinlogType.DOUBLE, { size: 8 }],
      ['b', 'bit', 'c2', BinlogType.BIT, { bits: 13 }],
      ['d', 'decimal', 'c3', BinlogType.BIT, { bits: 30 * 8 }],
      ['t', 'time2', 'c4', BinlogType.BIT, { bits: 5 * 8 }],
      ['dt', 'datetime2', 'c5', BinlogType.BIT, { bits: 8 * 8 }],
      ['ts', 'timestamp2', 'c6', BinlogType.BIT, { bits: 4 * 8 }],
      ['dd', 'date', 'c7', BinlogType.BIT, { bits: 3 * 8 }],
      ['y', 'year', 'c8', BinlogType.BIT, { bits: 8 }],
      ['j', 'json-binary', 'c9', BinlogType.BLOB, { length_size: 4 }],
      ['g', 'bytes', 'c10', BinlogType.BLOB, { length_size: 4 }],
    ]);
  });

  it('reads strings raw with the right length prefix and decodes them by charset', () => {
    const plan = planTable(
      [
        col('c', BinlogType.STRING, { max_length: 40 }, 'utf8mb4'),
        col('v', BinlogType.VARCHAR, { max_length: 300 }, 'latin1'),
        col('b', BinlogType.STRING, { max_length: 8 }),
        col('vb', BinlogType.VARCHAR, { max_length: 10 }),
        col('t', BinlogType.BLOB, { length_size: 2 }, 'utf8mb4'),
        col('k', BinlogType.VARCHAR, { max_length: 10 }, 'gbk'),
        col('u', BinlogType.STRING, { max_length: 16 }),
      ],
      schema(
        info('c', 'char', { charset: 'utf8mb4' }),
        info('v', 'varchar', { charset: 'latin1' }),
        info('b', 'binary'),
        info('vb', 'varbinary'),
        info('t', 'text', { charset: 'utf8mb4' }),
        info('k', 'varchar', { charset: 'gbk' }),
        info('u', 'uuid'),
      ),
    );
    expect(plan.map((p) => [p.name, p.decoder, p.wire.type, p.wire.metadata])).toEqual([
      ['c', { kind: 'text', charset: 'utf8mb4' }, BinlogType.BLOB, { length_size: 1 }],
      ['v', { kind: 'text', charset: 'latin1' }, BinlogType.BLOB, { length_size: 2 }],
      ['b', { kind: 'bytes', width: 8 }, BinlogType.BLOB, { length_size: 1 }],
      ['vb', { kind: 'bytes', width: undefined }, BinlogType.BLOB, { length_size: 1 }],
      ['t', { kind: 'text', charset: 'utf8mb4' }, BinlogType.BLOB, { length_size: 2 }],
      // No exact decoder here: zongji (iconv-lite) keeps the column.
      ['k', { kind: 'zongji' }, BinlogType.VARCHAR, { max_length: 10 }],
      // MariaDB UUID rides on BINARY(16); zongji prints it as text.
      ['u', { kind: 'zongji' }, BinlogType.STRING, { max_length: 16 }],
    ]);
    expect(plan[5]?.wire.charset).toBe('gbk');
  });

  it('prefers the binlog’s own ENUM labels, falls back to information_schema, else to zongji', () => {
    const e = { ...col('e', BinlogType.ENUM, { size: 2 }, 'utf8mb4'), binlogLabels: ['😀'] };
    expect(planTable([e], schema(info('e', 'enum', { labels: ['?'] })))[0]?.decoder).toEqual({ kind: 'enum', labels: ['😀'] });
    expect(planTable([col('s', BinlogType.SET, { size: 8 })], schema(info('s', 'set', { labels: ['a'] })))[0]?.decoder).toEqual({ kind: 'set', labels: ['a'] });
    expect(planTable([col('s', BinlogType.SET, { size: 1 })], undefined)[0]?.decoder).toEqual({ kind: 'zongji' });
    expect(planTable([col('s', BinlogType.SET, { size: 8 })], schema(info('s', 'set', { labels: ['a'] })))[0]?.wire.metadata).toEqual({ bits: 64 });
  });

  it('marks generated columns and leaves MariaDB 5.3 temporals to zongji', () => {
    const plan = planTable(
      [col('g', BinlogType.LONG), col('dt', BinlogType.DATETIME), col('t', BinlogType.TIME)],
      schema(info('g', 'int', { generated: 'virtual' }), info('dt', 'datetime', { columnType: 'datetime(3) /* mariadb-5.3 */' }), info('t', 'time')),
    );
    expect(plan.map((p) => [p.name, p.generated, p.decoder.kind])).toEqual([
      ['g', 'virtual', 'zongji'],
      ['dt', false, 'zongji'],
      ['t', false, 'time'],
    ]);
  });

  it('refuses a table whose columns changed since the stream opened', () => {
    expect(() => planTable([col('a', BinlogType.LONG), col('b', BinlogType.LONG)], schema(info('a', 'int')))).toThrow(TableChangedError);
    expect(() => planTable([col('x', BinlogType.LONG)], schema(info('a', 'int')))).toThrow(/db\.t changed while streaming: the binlog has columns \(x\)/);
  });

  it('fails loudly when the binlog metadata lacks what a decoder needs', () => {
    expect(() => planTable([col('d', BinlogType.NEWDECIMAL, {})], undefined)).toThrow(/no precision/);
  });
});
