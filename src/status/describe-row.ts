import { NumericLiteral } from '../sql/literals.js';

/** How a row's key and a value appear in messages: `id 17`, `(a, b) (1, 'x')`, `'a@x'`. */
export function describeKey(columns: readonly string[], row: Record<string, unknown>): string {
  const values = columns.map((c) => describeValue(row[c]));
  return columns.length === 1 ? `${columns[0]} ${values[0]}` : `(${columns.join(', ')}) (${values.join(', ')})`;
}

export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof NumericLiteral) return v.text;
  if (Buffer.isBuffer(v)) return `0x${clip(v.toString('hex').toUpperCase(), 40)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return /^-?\d+(\.\d+)?$/.test(v) ? v : `'${clip(v, 40).replaceAll("'", "''")}'`;
  return clip(JSON.stringify(v), 40);
}

function clip(s: string, n: number): string {
  return [...s].length > n ? `${[...s].slice(0, n).join('')}…` : s;
}
