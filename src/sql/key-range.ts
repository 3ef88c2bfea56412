import { quoteId, type Statement } from './quote.js';
import type { SqlValue } from './literals.js';

/**
 * Comparisons of a (possibly composite) key with a tuple of values, written out as ORs of ANDs —
 * `(a > ?) OR (a = ? AND b > ?)` — which both servers' range optimizers turn into index ranges.
 */
export type KeyTuple = readonly SqlValue[];

export function keyCompare(columns: readonly string[], op: '>' | '>=' | '<' | '<=', values: KeyTuple): Statement {
  if (columns.length === 0) throw new Error('a key needs at least one column');
  if (columns.length !== values.length) throw new Error(`key has ${columns.length} columns but ${values.length} values`);
  const strict = op === '>' || op === '<' ? op : op === '>=' ? '>' : '<';
  const terms: string[] = [];
  const params: SqlValue[] = [];
  for (let i = 0; i < columns.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) {
      parts.push(`${quoteId(columns[j] as string)} = ?`);
      params.push(values[j] as SqlValue);
    }
    const last = i === columns.length - 1;
    parts.push(`${quoteId(columns[i] as string)} ${last ? op : strict} ?`);
    params.push(values[i] as SqlValue);
    terms.push(parts.length === 1 ? (parts[0] as string) : `(${parts.join(' AND ')})`);
  }
  return { sql: terms.length === 1 ? (terms[0] as string) : `(${terms.join(' OR ')})`, params };
}

/** `k1 = ? AND k2 = ?` */
export function keyEquals(columns: readonly string[], values: KeyTuple): Statement {
  if (columns.length !== values.length) throw new Error(`key has ${columns.length} columns but ${values.length} values`);
  return { sql: columns.map((c) => `${quoteId(c)} = ?`).join(' AND '), params: [...values] };
}

/** Matches any of the given keys: `k IN (?, ?)` for one column, `(a = ? AND b = ?) OR (…)` otherwise. */
export function keyIn(columns: readonly string[], keys: readonly KeyTuple[]): Statement {
  if (keys.length === 0) throw new Error('keyIn needs at least one key');
  if (columns.length === 1) {
    return { sql: `${quoteId(columns[0] as string)} IN (${keys.map(() => '?').join(', ')})`, params: keys.map((k) => k[0] as SqlValue) };
  }
  const parts = keys.map((k) => keyEquals(columns, k));
  return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => [...p.params]) };
}

export function orderBy(columns: readonly string[], direction: 'ASC' | 'DESC' = 'ASC'): string {
  return columns.map((c) => `${quoteId(c)} ${direction}`).join(', ');
}
