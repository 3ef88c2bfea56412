import type { ColumnChanges, ColumnFate } from '../alter/columns.js';

const lower = (s: string): string => s.toLowerCase();

/**
 * The forward ALTER's column changes read backwards, over the new table's columns: a column the
 * ALTER kept (renamed or not) goes back to its old name; a column it added has no place in the old
 * table (dropped on revert); a column it dropped is, seen from the new table, added — its values in
 * the old table come from the old definition (DEFAULT or NULL). The result feeds mapColumns(new,
 * old, …) (src/inspect/shared-key.ts) exactly as a migration's changes do.
 */
export function reverseChanges(forward: ColumnChanges, newColumns: readonly string[]): ColumnChanges {
  const back = new Map<string, string>();
  const dropped = new Set<string>();
  for (const [oldName, fate] of forward.fates) {
    if (fate.kind === 'kept' && !forward.added.has(lower(fate.as))) back.set(lower(fate.as), oldName);
    if (fate.kind === 'dropped') dropped.add(oldName);
  }
  const fates = new Map<string, ColumnFate>();
  for (const name of newColumns) {
    const old = back.get(lower(name));
    fates.set(lower(name), old === undefined ? { kind: 'dropped' } : { kind: 'kept', as: old });
  }
  // A dropped column that the ALTER also added again (`DROP c, ADD c …`) is a new column either way.
  return { fates, added: dropped };
}
