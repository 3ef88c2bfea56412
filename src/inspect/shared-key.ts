import type { ColumnChanges } from '../alter/columns.js';
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
}

export interface SharedKey {
  /** The index in the original table that the copy walks. */
  readonly originalIndex: Index;
  /** Its columns in the ghost (renamed where the ALTER renames them). */
  readonly ghostColumns: readonly string[];
  readonly ghostIndexName: string;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * Pairs each original column with the ghost column that holds its values, as the ALTER says
 * (src/alter/columns.ts), and checks the ghost against it: a column the ALTER keeps must exist in the
 * ghost, or the run is refused (`missing`) rather than silently dropping its values.
 */
export function mapColumns(original: TableInfo, ghost: TableInfo, changes: ColumnChanges): ColumnMapping {
  const ghostByName = new Map(ghost.columns.map((c) => [lower(c.name), c]));
  const pairs: { from: string; to: string }[] = [];
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
    if (lower(fate.as) !== lower(col.name)) renamed.push({ from: col.name, to: g.name });
    // Generated columns are computed by the server on both sides: never copied, never written.
    if (!col.generated && !g.generated) pairs.push({ from: col.name, to: g.name });
  }
  const added = ghost.columns.filter((c) => !used.has(lower(c.name))).map((c) => c.name);
  const replaced = added.filter((a) => dropped.some((d) => lower(d) === lower(a)));
  return { pairs, dropped, added, renamed, replaced, missing };
}

/** Keys that can identify a row: PRIMARY or UNIQUE, on whole non-null, non-generated columns. */
export function candidateKeys(table: TableInfo): Index[] {
  const cols = new Map<string, Column>(table.columns.map((c) => [lower(c.name), c]));
  return table.indexes.filter(
    (i) =>
      i.unique &&
      !i.partial &&
      i.columns.length > 0 &&
      i.columns.every((name) => {
        const c = cols.get(lower(name));
        return c !== undefined && !c.nullable && !c.generated;
      }),
  );
}

/** The first candidate key of the original whose columns form a candidate key of the ghost too. */
export function findSharedKey(original: TableInfo, ghost: TableInfo, mapping: ColumnMapping): SharedKey | undefined {
  const toGhost = new Map(mapping.pairs.map((p) => [lower(p.from), p.to]));
  const ghostKeys = candidateKeys(ghost);
  for (const key of candidateKeys(original)) {
    const mapped = key.columns.map((c) => toGhost.get(lower(c)));
    if (mapped.some((c) => c === undefined)) continue;
    const wanted = (mapped as string[]).map(lower).join('\u0000');
    const match = ghostKeys.find((g) => g.columns.map(lower).join('\u0000') === wanted);
    if (match !== undefined) return { originalIndex: key, ghostColumns: mapped as string[], ghostIndexName: match.name };
  }
  return undefined;
}
