import type { Row, RowChange, RowValue } from '../binlog/types.js';
import { approxBytes } from '../binlog/event-size.js';
import { keyText } from '../guard/tables.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';

/**
 * Turns a batch of row changes, in binlog order, into what the ghost must look like after it:
 * every key the batch touches is deleted (or, in `upsert` mode, only those deleted last), then each
 * key's last image (if it was not deleted last) is written. Changes to the same key collapse into one write, and since the batch is applied in
 * one transaction, the order between different keys does not matter — only each key's final state.
 * An UPDATE that moves the key deletes the old key (docs/design.md, rule 2).
 * Keys are compared byte for byte: two keys a collation treats as equal ('a', 'A ') are both deleted
 * and at most one of them can have a final image (the original's key is unique).
 */
export interface BatchPlan {
  /** Every key the batch touches, in groups of at most maxStatementBytes. */
  readonly deletes: readonly (readonly KeyTuple[])[];
  /** The final images, in groups; each row is the ghost columns' values in order, with its image. */
  readonly inserts: readonly (readonly { readonly values: readonly RowValue[]; readonly image: Row }[])[];
}

export interface PlanOptions {
  /** Original-table column names, in the order the ghost columns are written. */
  readonly columns: readonly string[];
  /** Original-table names of the shared key's columns. */
  readonly keyColumns: readonly string[];
  /** Data types of the key's columns (exact numbers are compared unquoted). */
  readonly keyTypes: readonly string[];
  /** Upper bound of one statement's payload, roughly in bytes. */
  readonly maxStatementBytes?: number;
  /**
   * `upsert`: the final images overwrite rows in place (INSERT … ON DUPLICATE KEY UPDATE), so only
   * keys whose last change is a delete are deleted — for a ghost whose only unique key is the shared
   * one. `delete-insert` (default): every touched key is deleted first.
   */
  readonly mode?: 'delete-insert' | 'upsert';
}

export function planBatch(changes: readonly RowChange[], o: PlanOptions): BatchPlan {
  const maxBytes = o.maxStatementBytes ?? 4 * 1024 * 1024;
  const finals = new Map<string, { key: KeyTuple; rawKey: RowValue[]; image: Row | undefined }>();
  const touch = (row: Row, image: Row | undefined): void => {
    const rawKey = o.keyColumns.map((c) => valueOf(row, c));
    const text = keyText(rawKey);
    // Re-inserted keys move to the end, so inserts follow the binlog order of their last change.
    finals.delete(text);
    finals.set(text, { key: rawKey.map((v, i) => keyLiteral(v, o.keyTypes[i] ?? '')), rawKey, image });
  };
  for (const ch of changes) {
    switch (ch.kind) {
      case 'insert':
        touch(ch.after, ch.after);
        break;
      case 'update':
        if (!sameKey(ch.before, ch.after, o.keyColumns)) touch(ch.before, undefined);
        touch(ch.after, ch.after);
        break;
      case 'delete':
        touch(ch.before, undefined);
        break;
      default:
        assertNever(ch);
    }
  }
  const deleted = o.mode === 'upsert' ? [...finals.values()].filter((f) => f.image === undefined) : [...finals.values()];
  const deletes = groups(
    deleted.map((f) => ({ item: f.key, bytes: approxBytes(f.rawKey) })),
    maxBytes,
  );
  const inserts = groups(
    [...finals.values()].flatMap((f) => {
      if (f.image === undefined) return [];
      const image = f.image;
      const values = o.columns.map((c) => valueOf(image, c));
      return [{ item: { values, image }, bytes: approxBytes(values) }];
    }),
    maxBytes,
  );
  return { deletes, inserts };
}

function groups<T>(items: readonly { item: T; bytes: number }[], maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const { item, bytes: b } of items) {
    if (current.length > 0 && bytes + b > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += b;
  }
  if (current.length > 0) out.push(current);
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

function assertNever(x: never): never {
  throw new Error(`unexpected row change ${JSON.stringify(x)}`);
}
