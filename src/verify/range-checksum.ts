import { queryRows, type Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import type { KeyTuple } from '../sql/key-range.js';
import { NumericLiteral, type SqlValue } from '../sql/literals.js';
import { quoteId } from '../sql/quote.js';
import { rangeChecksum, type ComparedColumn, type KeyRange, type SideKey } from '../sql/verify.js';

/** What one side holds in one key range. */
export interface RangeSum {
  readonly rows: number;
  /** BIT_XOR of the rows' CRC32s, as the server's decimal text (an unsigned BIGINT). */
  readonly checksum: string;
}

export interface Side {
  readonly conn: Connection;
  readonly database: string;
  readonly table: string;
  readonly key: SideKey;
  readonly columns: readonly ComparedColumn[];
}

export async function readRangeSum(side: Side, range: KeyRange, locking?: ServerVersion): Promise<RangeSum> {
  const s = rangeChecksum({ database: side.database, table: side.table, key: side.key, columns: side.columns, range, locking });
  const [row] = await queryRows(side.conn, s.sql, s.params);
  return parseRangeSum(row);
}

export function parseRangeSum(row: Record<string, unknown> | undefined): RangeSum {
  const count = row?.['row_count'];
  const sum = row?.['checksum'];
  const rows = typeof count === 'number' ? count : typeof count === 'string' ? Number(count) : NaN;
  if (!Number.isSafeInteger(rows)) throw new Error(`checksum query returned no row count: ${String(count)}`);
  // BIT_XOR of no rows is 0 on both servers; NULL is read the same way to be safe.
  const checksum = sum === null || sum === undefined ? '0' : typeof sum === 'number' || typeof sum === 'string' ? String(sum) : undefined;
  if (checksum === undefined) throw new Error(`checksum query returned an unexpected checksum: ${String(sum)}`);
  return { rows, checksum };
}

export function sameSum(a: RangeSum, b: RangeSum): boolean {
  return a.rows === b.rows && a.checksum === b.checksum;
}

/**
 * A range as an operator reads it, with the original's column names:
 * "key range (`a`, `b`) > (1, 'x') and <= (2, 'y')".
 */
export function describeRange(columns: readonly string[], range: KeyRange, byNumber?: readonly boolean[]): string {
  const cols = `(${columns.map(quoteId).join(', ')})`;
  const parts: string[] = [];
  if (range.after !== undefined) parts.push(`> ${tupleText(range.after)}`);
  if (range.upTo !== undefined) parts.push(`<= ${tupleText(range.upTo)}`);
  const members = byNumber?.some((b) => b) === true ? ' (ENUM/SET columns by member number)' : '';
  return parts.length === 0 ? `the whole key range ${cols}${members}` : `key range ${cols} ${parts.join(' and ')}${members}`;
}

function tupleText(t: KeyTuple): string {
  return `(${t.map(valueText).join(', ')})`;
}

function valueText(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (v instanceof NumericLiteral) return v.text;
  if (typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex').toUpperCase()}`;
  return `'${v.replaceAll("'", "''")}'`;
}
