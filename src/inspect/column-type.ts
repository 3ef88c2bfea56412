import { unescapeString } from '../alter/parse.js';
import { tokenize } from '../alter/tokenize.js';
import type { Column } from './table-info.js';

/**
 * A column's type as information_schema.COLUMNS.COLUMN_TYPE gives it (`decimal(12,2) unsigned`,
 * `varchar(20)`, `enum('a','b')`, `datetime(6)`), with the charset from the same row: the shape
 * the value checks (value-fit.ts) reason about.
 */
export type ColumnType =
  | { readonly family: 'integer'; readonly bytes: 1 | 2 | 3 | 4 | 8; readonly unsigned: boolean }
  | { readonly family: 'decimal'; readonly precision: number; readonly scale: number; readonly unsigned: boolean }
  | { readonly family: 'float'; readonly double: boolean }
  | { readonly family: 'char'; readonly fixed: boolean; readonly length: number; readonly charset: string }
  | { readonly family: 'text'; readonly maxBytes: number; readonly charset: string }
  | { readonly family: 'binary'; readonly fixed: boolean; readonly maxBytes: number }
  | { readonly family: 'enum'; readonly members: readonly string[] }
  | { readonly family: 'set'; readonly members: readonly string[] }
  | { readonly family: 'temporal'; readonly kind: 'date' | 'datetime' | 'timestamp' | 'time' | 'year'; readonly fsp: number }
  | { readonly family: 'json' }
  | { readonly family: 'other'; readonly name: string };

const INTEGER_BYTES: Readonly<Record<string, 1 | 2 | 3 | 4 | 8>> = { tinyint: 1, smallint: 2, mediumint: 3, int: 4, integer: 4, bigint: 8 };
const TEXT_BYTES: Readonly<Record<string, number>> = { tinytext: 255, text: 65_535, mediumtext: 16_777_215, longtext: 4_294_967_295 };
const BLOB_BYTES: Readonly<Record<string, number>> = { tinyblob: 255, blob: 65_535, mediumblob: 16_777_215, longblob: 4_294_967_295 };

export function columnType(c: Pick<Column, 'dataType' | 'columnType' | 'charset'>): ColumnType {
  const t = c.dataType.toLowerCase();
  const args = /\(([^)]*)\)/.exec(c.columnType)?.[1];
  const nums = args === undefined ? [] : args.split(',').map((a) => Number(a.trim()));
  const unsigned = /\bunsigned\b/i.test(c.columnType);
  const charset = c.charset ?? 'binary';
  const bytes = INTEGER_BYTES[t];
  if (bytes !== undefined) return { family: 'integer', bytes, unsigned };
  if (t === 'decimal' || t === 'numeric') return { family: 'decimal', precision: nums[0] ?? 10, scale: nums[1] ?? 0, unsigned };
  if (t === 'float' || t === 'double' || t === 'real') return { family: 'float', double: t !== 'float' };
  if (t === 'char' || t === 'varchar') return { family: 'char', fixed: t === 'char', length: nums[0] ?? 1, charset };
  const text = TEXT_BYTES[t];
  if (text !== undefined) return { family: 'text', maxBytes: text, charset };
  if (t === 'binary' || t === 'varbinary') return { family: 'binary', fixed: t === 'binary', maxBytes: nums[0] ?? 1 };
  const blob = BLOB_BYTES[t];
  if (blob !== undefined) return { family: 'binary', fixed: false, maxBytes: blob };
  if (t === 'enum' || t === 'set') {
    const inner = c.columnType.slice(c.columnType.indexOf('(') + 1, c.columnType.lastIndexOf(')'));
    const members = tokenize(inner)
      .filter((tok) => tok.kind === 'string')
      .map((tok) => unescapeString(tok.text));
    return { family: t, members };
  }
  if (t === 'date' || t === 'datetime' || t === 'timestamp' || t === 'time' || t === 'year') return { family: 'temporal', kind: t, fsp: t === 'date' || t === 'year' ? 0 : (nums[0] ?? 0) };
  if (t === 'json') return { family: 'json' };
  return { family: 'other', name: t };
}

/** The smallest and largest value of an integer type, as exact decimal text. */
export function integerRange(t: { bytes: number; unsigned: boolean }): { min: string; max: string } {
  const bits = BigInt(t.bytes * 8);
  if (t.unsigned) return { min: '0', max: String(2n ** bits - 1n) };
  return { min: String(-(2n ** (bits - 1n))), max: String(2n ** (bits - 1n) - 1n) };
}
