import type { AlterStatement } from './model.js';

/** What the ALTER does to one column of the original table. */
export type ColumnFate = { readonly kind: 'kept'; readonly as: string } | { readonly kind: 'dropped' };

export interface ColumnChanges {
  /** Original column name (lower case) → its fate. Columns the ALTER does not name are kept as they are. */
  readonly fates: ReadonlyMap<string, ColumnFate>;
  /** Columns the ALTER adds (lower case): new columns, whose values come from their definition — even when a dropped column had the name. */
  readonly added: ReadonlySet<string>;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * Follows the ALTER's actions over the original's columns, as the server reads them: DROP, CHANGE,
 * RENAME COLUMN and MODIFY name columns of the original table (so `RENAME COLUMN a TO b, RENAME
 * COLUMN b TO a` swaps them), ADD names a column of the result (so `DROP COLUMN c, ADD COLUMN c …`
 * is a new column, not the old one). MariaDB's IF [NOT] EXISTS make an action a no-op when the
 * column is missing (or present).
 * https://dev.mysql.com/doc/refman/9.4/en/alter-table.html#alter-table-redefine-column
 */
export function columnChanges(statement: AlterStatement, originalColumns: readonly string[]): ColumnChanges {
  const fates = new Map<string, ColumnFate>(originalColumns.map((c) => [lower(c), { kind: 'kept', as: c }]));
  const added = new Set<string>();
  const present = (name: string): boolean => fates.has(lower(name));
  for (const a of statement.actions) {
    switch (a.kind) {
      case 'drop-column':
        if (present(a.name)) fates.set(lower(a.name), { kind: 'dropped' });
        break;
      case 'change-column':
      case 'rename-column':
        if (present(a.from)) fates.set(lower(a.from), { kind: 'kept', as: a.to });
        break;
      case 'add-column': {
        const kept = [...fates.values()].some((f) => f.kind === 'kept' && lower(f.as) === lower(a.name));
        if (!(a.ifNotExists && kept)) added.add(lower(a.name));
        break;
      }
      default:
        break;
    }
  }
  return { fates, added };
}

/**
 * Two ALTERs one after the other, as one: what the second does to the columns the first left.
 * Lint follows a file's ALTERs of a table this way, so the table's data is checked against the
 * shape they leave together.
 */
export function composeChanges(first: ColumnChanges, then: ColumnChanges): ColumnChanges {
  const fates = new Map<string, ColumnFate>();
  for (const [column, fate] of first.fates) {
    if (fate.kind === 'dropped') {
      fates.set(column, fate);
      continue;
    }
    const next = then.fates.get(lower(fate.as));
    fates.set(column, next === undefined || then.added.has(lower(fate.as)) ? fate : next);
  }
  const added = new Set(then.added);
  for (const a of first.added) {
    const next = then.fates.get(a);
    if (next === undefined) added.add(a);
    else if (next.kind === 'kept') added.add(lower(next.as));
  }
  return { fates, added };
}
