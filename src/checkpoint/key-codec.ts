import type { KeyTuple } from '../sql/key-range.js';
import { NumericLiteral, type SqlValue } from '../sql/literals.js';

/**
 * Key tuples as JSON text for the checkpoint table, exactly: exact numbers keep every digit,
 * binary values travel as hex, and strings stay strings.
 */
type Encoded = null | { readonly s: string } | { readonly n: number } | { readonly x: string } | { readonly b: string };

export function encodeKey(key: KeyTuple): string {
  return JSON.stringify(key.map(encodeValue));
}

function encodeValue(v: SqlValue): Encoded {
  if (v === null) return null;
  if (v instanceof NumericLiteral) return { x: v.text };
  if (Buffer.isBuffer(v)) return { b: v.toString('hex') };
  if (typeof v === 'number') return { n: v };
  return { s: v };
}

export function decodeKey(text: string): KeyTuple {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`a saved key is not a list: ${text}`);
  return parsed.map((v: unknown) => decodeValue(v, text));
}

function decodeValue(v: unknown, text: string): SqlValue {
  if (v === null) return null;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o['x'] === 'string') return new NumericLiteral(o['x']);
    if (typeof o['b'] === 'string') return Buffer.from(o['b'], 'hex');
    if (typeof o['n'] === 'number') return o['n'];
    if (typeof o['s'] === 'string') return o['s'];
  }
  throw new Error(`a saved key has a value oschange cannot read: ${text}`);
}
