import { decimalWidth } from './decode-decimal.js';
import { fractionBytes } from './decode-temporal.js';
import { isExactCharset } from './decode-text.js';
import type { ColumnInfo, TableSchema } from './table-schema.js';

/**
 * How each column of a streamed table is decoded. zongji decodes integers, floats and BIT exactly;
 * everything else it gets wrong somewhere (see the decode-* files), so for those columns zongji is
 * told a different wire type that makes it hand over the stored bytes untouched — BIT(n*8) for
 * fixed-width values, BLOB with the same length prefix for length-prefixed ones — and oschange
 * decodes them. Binlog type codes: https://dev.mysql.com/doc/dev/mysql-server/latest/field__types_8h.html
 */
export const BinlogType = {
  DECIMAL_OLD: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  VARCHAR: 15,
  BIT: 16,
  TIMESTAMP2: 17,
  DATETIME2: 18,
  TIME2: 19,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  STRING: 254,
  GEOMETRY: 255,
} as const;

export type Decoder =
  /** zongji's value as is (integers; types oschange does not decode itself). */
  | { readonly kind: 'zongji' }
  | { readonly kind: 'float' }
  | { readonly kind: 'bit' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'date' | 'year' | 'time' | 'datetime' | 'timestamp' }
  | { readonly kind: 'time2' | 'datetime2' | 'timestamp2'; readonly dec: number }
  | { readonly kind: 'enum' | 'set'; readonly labels: readonly string[] }
  | { readonly kind: 'json-binary' }
  | { readonly kind: 'text'; readonly charset: string }
  /** Binary strings, BLOB, GEOMETRY; BINARY(n) is re-padded to `width` (the binlog drops trailing zero bytes). */
  | { readonly kind: 'bytes'; readonly width: number | undefined };

/** The column description zongji decodes a row image with. */
export interface WireColumn {
  readonly name: string;
  readonly type: number;
  readonly charset: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
}

export interface ColumnPlan {
  readonly name: string;
  /** VIRTUAL generated columns are left out of row images; STORED ones are decoded like any other. */
  readonly generated: false | 'virtual' | 'stored';
  readonly decoder: Decoder;
  readonly wire: WireColumn;
}

/** A TableMap event's view of one column, as zongji parsed it. */
export interface MappedColumn {
  readonly name: string;
  /** The real type (ENUM/SET, not the STRING they travel as). */
  readonly type: number;
  readonly charset: string | null;
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  /** Labels carried by the binlog itself (binlog_row_metadata=FULL): exact, so preferred. */
  readonly binlogLabels: readonly string[] | undefined;
}

const TEXT_TYPES = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);
const BYTE_TYPES = new Set(['binary', 'varbinary', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

export function planTable(mapped: readonly MappedColumn[], schema: TableSchema | undefined): ColumnPlan[] {
  if (schema !== undefined) {
    const names = schema.columns.map((c) => c.name);
    if (names.length !== mapped.length || names.some((n, i) => n !== mapped[i]?.name)) {
      throw new TableChangedError(schema, mapped.map((c) => c.name));
    }
  }
  return mapped.map((m, i) => planColumn(m, i, schema?.columns[i]));
}

export class TableChangedError extends Error {
  constructor(schema: TableSchema, binlogNames: readonly string[]) {
    super(
      `${schema.database}.${schema.table} changed while streaming: the binlog has columns (${binlogNames.join(', ')}), ` +
        `the table had (${schema.columns.map((c) => c.name).join(', ')}) when the stream opened`,
    );
    this.name = 'TableChangedError';
  }
}

function planColumn(m: MappedColumn, index: number, info: ColumnInfo | undefined): ColumnPlan {
  const [decoder, wire] = choose(m, info);
  return {
    name: m.name,
    generated: info?.generated ?? false,
    decoder,
    // Index names keep zongji's row objects free of user-chosen keys such as __proto__.
    wire: { name: `c${index}`, charset: null, metadata: m.metadata, type: m.type, ...wire },
  };
}

type Choice = [Decoder, Partial<WireColumn>];

const ZONGJI = (m: MappedColumn): Choice => [{ kind: 'zongji' }, { charset: m.charset }];
const fixed = (bytes: number): Partial<WireColumn> => ({ type: BinlogType.BIT, metadata: { bits: bytes * 8 } });
const prefixed = (lengthBytes: number): Partial<WireColumn> => ({ type: BinlogType.BLOB, metadata: { length_size: lengthBytes } });

function choose(m: MappedColumn, info: ColumnInfo | undefined): Choice {
  const meta = m.metadata ?? {};
  const num = (key: string): number => {
    const v = meta[key];
    if (typeof v !== 'number') throw new Error(`column ${m.name}: binlog metadata has no ${key}`);
    return v;
  };
  switch (m.type) {
    case BinlogType.TINY:
    case BinlogType.SHORT:
    case BinlogType.INT24:
    case BinlogType.LONG:
    case BinlogType.LONGLONG:
      return ZONGJI(m);
    case BinlogType.FLOAT:
    case BinlogType.DOUBLE:
      return [{ kind: 'float' }, {}];
    case BinlogType.BIT:
      return [{ kind: 'bit' }, {}];
    case BinlogType.NEWDECIMAL: {
      const precision = num('precision');
      const scale = num('decimals');
      return [{ kind: 'decimal', precision, scale }, fixed(decimalWidth(precision, scale))];
    }
    case BinlogType.DATE:
      return [{ kind: 'date' }, fixed(3)];
    case BinlogType.YEAR:
      return [{ kind: 'year' }, fixed(1)];
    case BinlogType.TIME2:
      return [{ kind: 'time2', dec: num('decimals') }, fixed(3 + fractionBytes(num('decimals')))];
    case BinlogType.DATETIME2:
      return [{ kind: 'datetime2', dec: num('decimals') }, fixed(5 + fractionBytes(num('decimals')))];
    case BinlogType.TIMESTAMP2:
      return [{ kind: 'timestamp2', dec: num('decimals') }, fixed(4 + fractionBytes(num('decimals')))];
    case BinlogType.TIME:
    case BinlogType.DATETIME:
    case BinlogType.TIMESTAMP:
      // MariaDB 5.3 "hires" columns reuse these codes with another layout; only zongji knows it.
      if (info !== undefined && /mariadb-5\.3/i.test(info.columnType)) return ZONGJI(m);
      if (m.type === BinlogType.TIME) return [{ kind: 'time' }, fixed(3)];
      if (m.type === BinlogType.DATETIME) return [{ kind: 'datetime' }, fixed(8)];
      return [{ kind: 'timestamp' }, fixed(4)];
    case BinlogType.ENUM:
    case BinlogType.SET: {
      const labels = m.binlogLabels ?? info?.labels;
      if (labels === undefined) return ZONGJI(m);
      return [{ kind: m.type === BinlogType.ENUM ? 'enum' : 'set', labels }, fixed(num('size'))];
    }
    case BinlogType.JSON:
      return [{ kind: 'json-binary' }, prefixed(num('length_size'))];
    case BinlogType.GEOMETRY:
      return [{ kind: 'bytes', width: undefined }, prefixed(num('length_size'))];
    case BinlogType.VARCHAR:
    case BinlogType.STRING: {
      // CHAR/VARCHAR/BINARY/VARBINARY: a 1-byte length up to 255 bytes of capacity, 2 beyond.
      const maxLength = num('max_length');
      const wire = prefixed(maxLength > 255 ? 2 : 1);
      const width = m.type === BinlogType.STRING ? maxLength : undefined;
      return stringChoice(m, info, wire, width);
    }
    case BinlogType.TINY_BLOB:
    case BinlogType.MEDIUM_BLOB:
    case BinlogType.LONG_BLOB:
    case BinlogType.BLOB:
      return stringChoice(m, info, prefixed(num('length_size')), undefined);
    default:
      // MariaDB COMPRESSED columns and anything newer: zongji's decoding, unverified here.
      return ZONGJI(m);
  }
}

function stringChoice(m: MappedColumn, info: ColumnInfo | undefined, wire: Partial<WireColumn>, binaryWidth: number | undefined): Choice {
  // Without information_schema (a table first seen in the binlog), the binlog charset decides.
  const isText = info === undefined ? m.charset !== null : TEXT_TYPES.has(info.dataType);
  const isBytes = info === undefined ? m.charset === null : BYTE_TYPES.has(info.dataType);
  if (isText) {
    const charset = info?.charset ?? m.charset;
    if (charset === null || !isExactCharset(charset)) return ZONGJI(m);
    return [{ kind: 'text', charset }, wire];
  }
  if (isBytes) {
    const fixedWidth = info === undefined || info.dataType === 'binary' ? binaryWidth : undefined;
    return [{ kind: 'bytes', width: fixedWidth }, wire];
  }
  // MariaDB UUID/INET4/INET6 ride on binary strings; zongji prints them as the server does.
  return ZONGJI(m);
}
