import type { ColumnChanges } from '../alter/columns.js';
import { sameGeneratedColumns } from './same-generated.js';
import type { Column, Index, TableInfo } from './table-info.js';

/**
 * The column mapping and the shared key between the original and the altered ghost table.
 * Column names compare case-insensitively, as MySQL does.
 */
export interface ColumnMapping {
  /** Original column → ghost column, for every non-generated column that survives the ALTER. */
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
  readonly dropped: readonly string[];
  /** Ghost columns that are new: their values come from their definition, not from the original. */
  readonly added: readonly string[];
  readonly renamed: readonly { readonly from: string; readonly to: string }[];
  /** Dropped and added again under the same name: a new column, whose old values are not copied. */
  readonly replaced: readonly string[];
  /** Original columns the ALTER neither drops nor renames that the ghost does not have (refused). */
  readonly missing: readonly { readonly column: string; readonly expectedAs: string }[];
  /**
   * Generated columns that hold the same values in both tables (src/inspect/same-generated.ts): never
   * copied or written, but a STORED one may be in the shared key.
   */
  readonly sameGenerated: readonly { readonly from: string; readonly to: string }[];
}

export interface SharedKey {
  /** The index in the original table that the copy walks. */
  readonly originalIndex: Index;
  /** Its columns in the ghost (renamed where the ALTER renames them). */
  readonly ghostColumns: readonly string[];
  readonly ghostIndexName: string;
  /**
   * The columns of the ghost's index: `ghostColumns`, or — when the ALTER widens the key — those
   * first and more after them (docs/design.md, "The shared key").
   */
  readonly ghostIndexColumns: readonly string[];
}

/**
 * True when the ghost's index has more columns than the shared key: the original's key still
 * identifies rows in both tables, but the ghost may hold two rows with one key for a while, so
 * every write of a key first deletes all of its rows (docs/design.md, "The shared key").
 */
export function ghostKeyIsWider(key: SharedKey): boolean {
  return key.ghostIndexColumns.length > key.ghostColumns.length;
}

const lower = (s: string): string => s.toLowerCase();

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);

/** Equal values are equal in both columns: the same type (or two integer types), charset and collation. */
function sameComparison(a: Column, b: Column): boolean {
  const type = a.columnType === b.columnType || (INTEGER_TYPES.has(a.dataType) && INTEGER_TYPES.has(b.dataType));
  return type && a.charset === b.charset && a.collation === b.collation;
}

/**
 * Pairs each original column with the ghost column that holds its values, as the ALTER says
 * (src/alter/columns.ts), and checks the ghost against it: a column the ALTER keeps must exist in the
 * ghost, or the run is refused (`missing`) rather than silently dropping its values.
 */
export function mapColumns(original: TableInfo, ghost: TableInfo, changes: ColumnChanges): ColumnMapping {
  const ghostByName = new Map(ghost.columns.map((c) => [lower(c.name), c]));
  const pairs: { from: string; to: string }[] = [];
  const kept: { from: string; to: string }[] = [];
  const dropped: string[] = [];
  const renamed: { from: string; to: string }[] = [];
  const missing: { column: string; expectedAs: string }[] = [];
  const used = new Set<string>();
  for (const col of original.columns) {
    const fate = changes.fates.get(lower(col.name)) ?? { kind: 'kept', as: col.name };
    if (fate.kind === 'dropped') {
      dropped.push(col.name);
      continue;
    }
    const g = ghostByName.get(lower(fate.as));
    if (g === undefined || changes.added.has(lower(fate.as))) {
      missing.push({ column: col.name, expectedAs: fate.as });
      continue;
    }
    used.add(lower(g.name));
    kept.push({ from: col.name, to: g.name });
    if (lower(fate.as) !== lower(col.name)) renamed.push({ from: col.name, to: g.name });
    // Generated columns are computed by the server on both sides: never copied, never written.
    if (!col.generated && !g.generated) pairs.push({ from: col.name, to: g.name });
  }
  const added = ghost.columns.filter((c) => !used.has(lower(c.name))).map((c) => c.name);
  const replaced = added.filter((a) => dropped.some((d) => lower(d) === lower(a)));
  return { pairs, dropped, added, renamed, replaced, missing, sameGenerated: sameGeneratedColumns(original, ghost, kept) };
}

/**
 * Keys that can identify a row: PRIMARY or UNIQUE, on whole non-null columns that are ordinary or
 * STORED generated (their values are kept in the row, the index and the binlog's row images).
 * VIRTUAL generated columns are left out (docs/design.md, "The shared key").
 */
export function candidateKeys(table: TableInfo): Index[] {
  const cols = new Map<string, Column>(table.columns.map((c) => [lower(c.name), c]));
  return table.indexes.filter(
    (i) =>
      i.unique &&
      !i.partial &&
      i.columns.length > 0 &&
      i.columns.every((name) => {
        const c = cols.get(lower(name));
        return c !== undefined && !c.nullable && (!c.generated || c.generation?.storage === 'stored');
      }),
  );
}

/**
 * The key that identifies rows in both tables: the first candidate key of the original whose columns
 * (a generated one only when it holds the same values in both) form a candidate key of the ghost —
 * or, failing that, the first whose columns are the leading columns of a wider candidate key of the
 * ghost (`DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)`): every ghost row is a copy of one original row,
 * so the original's key still tells them apart, and the ghost's index finds them by it.
 */
export function findSharedKey(original: TableInfo, ghost: TableInfo, mapping: ColumnMapping): SharedKey | undefined {
  const toGhost = new Map([...mapping.pairs, ...mapping.sameGenerated].map((p) => [lower(p.from), p.to]));
  const ghostKeys = candidateKeys(ghost);
  const mappedKeys = candidateKeys(original).flatMap((key) => {
    const mapped = key.columns.map((c) => toGhost.get(lower(c)));
    return mapped.every((c): c is string => c !== undefined) ? [{ key, mapped }] : [];
  });
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c, i) => lower(c) === lower(b[i] as string));
  for (const { key, mapped } of mappedKeys) {
    const match = ghostKeys.find((g) => same(g.columns, mapped));
    if (match !== undefined) return { originalIndex: key, ghostColumns: mapped, ghostIndexName: match.name, ghostIndexColumns: match.columns };
  }
  // Lookups by the original's key values must find the same rows in the ghost: its key columns must
  // compare values as the original's do ('a' and 'A' are two keys in both, or one in both).
  const originalColumns = new Map(original.columns.map((c) => [lower(c.name), c]));
  const ghostColumns = new Map(ghost.columns.map((c) => [lower(c.name), c]));
  const comparesAlike = (key: Index, mapped: readonly string[]): boolean =>
    key.columns.every((c, i) => {
      const a = originalColumns.get(lower(c));
      const b = ghostColumns.get(lower(mapped[i] as string));
      return a !== undefined && b !== undefined && sameComparison(a, b);
    });
  for (const { key, mapped } of mappedKeys) {
    if (!comparesAlike(key, mapped)) continue;
    const wider = ghostKeys.find((g) => g.columns.length > mapped.length && same(g.columns.slice(0, mapped.length), mapped));
    if (wider !== undefined) return { originalIndex: key, ghostColumns: mapped, ghostIndexName: wider.name, ghostIndexColumns: wider.columns };
  }
  return undefined;
}
