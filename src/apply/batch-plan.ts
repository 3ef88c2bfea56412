import type { Row, RowChange, RowValue } from '../binlog/types.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';

/**
 * Turns row changes into statements, in binlog order: consecutive writes become one multi-row
 * REPLACE, consecutive deletes one DELETE … WHERE key IN (…). Two changes of the same key are never
 * reordered — not even when the collation makes 'a' and 'A ' the same key, which JS cannot see.
 * An UPDATE that moves the key deletes the old key first (DESIGN rule 2).
 */
export type PlannedStep = { readonly kind: 'replace'; readonly rows: readonly (readonly RowValue[])[] } | { readonly kind: 'delete'; readonly keys: readonly KeyTuple[] };

export interface PlanOptions {
  /** Original-table column names, in the order the ghost columns are written. */
  readonly columns: readonly string[];
  /** Original-table names of the shared key's columns. */
  readonly keyColumns: readonly string[];
  /** Data types of the key's columns (exact numbers are compared unquoted). */
  readonly keyTypes: readonly string[];
  /** Upper bound of one statement's payload, roughly in bytes. */
  readonly maxStatementBytes?: number;
}

export function planBatch(changes: readonly RowChange[], o: PlanOptions): PlannedStep[] {
  const maxBytes = o.maxStatementBytes ?? 4 * 1024 * 1024;
  const out: PlannedStep[] = [];
  let current: { kind: 'replace'; rows: RowValue[][]; bytes: number } | { kind: 'delete'; keys: KeyTuple[]; bytes: number } | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    out.push(current.kind === 'replace' ? { kind: 'replace', rows: current.rows } : { kind: 'delete', keys: current.keys });
    current = undefined;
  };
  const addReplace = (row: Row): void => {
    const values = o.columns.map((c) => valueOf(row, c));
    const size = approxBytes(values);
    if (current?.kind !== 'replace' || current.bytes + size > maxBytes) {
      flush();
      current = { kind: 'replace', rows: [], bytes: 0 };
    }
    current.rows.push(values);
    current.bytes += size;
  };
  const addDelete = (row: Row): void => {
    const key = o.keyColumns.map((c, i) => keyLiteral(valueOf(row, c), o.keyTypes[i] ?? ''));
    const size = approxBytes(o.keyColumns.map((c) => valueOf(row, c)));
    if (current?.kind !== 'delete' || current.bytes + size > maxBytes) {
      flush();
      current = { kind: 'delete', keys: [], bytes: 0 };
    }
    current.keys.push(key);
    current.bytes += size;
  };
  for (const ch of changes) {
    switch (ch.kind) {
      case 'insert':
        addReplace(ch.after);
        break;
      case 'update':
        if (!sameKey(ch.before, ch.after, o.keyColumns)) addDelete(ch.before);
        addReplace(ch.after);
        break;
      case 'delete':
        addDelete(ch.before);
        break;
      default:
        assertNever(ch);
    }
  }
  flush();
  return out;
}

function valueOf(row: Row, column: string): RowValue {
  const v = row[column];
  if (v === undefined) throw new Error(`binlog row image has no column ${column}: was the table altered while oschange ran?`);
  return v;
}

/** Byte-exact comparison of the key's values in two images. */
export function sameKey(a: Row, b: Row, keyColumns: readonly string[]): boolean {
  return keyColumns.every((c) => sameValue(a[c], b[c]));
}

function sameValue(a: RowValue | undefined, b: RowValue | undefined): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

function approxBytes(values: readonly RowValue[]): number {
  let n = 0;
  for (const v of values) n += v === null ? 4 : Buffer.isBuffer(v) ? v.length * 2 + 3 : typeof v === 'string' ? v.length * 2 + 2 : 24;
  return n + values.length * 2;
}

function assertNever(x: never): never {
  throw new Error(`unexpected row change ${JSON.stringify(x)}`);
}
