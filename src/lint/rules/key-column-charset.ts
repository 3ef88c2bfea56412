import { oschangeLint, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import { actionsWithoutAlgorithm, definedColumns, finding, findColumn, tableChange } from './common.js';

/**
 * A new charset or collation for a column in a key (CONVERT TO CHARACTER SET, or MODIFY/CHANGE with
 * CHARACTER SET/COLLATE). Warning: values compare differently — distinct ones can become equal
 * ('a'/'A' under _ci, 'ß'/'ss'), so a unique key then refuses them (the data check finds such rows
 * with a server); the key's order changes; and joins with columns still in the old collation stop
 * using the index. With the table's shape it names the key columns; without, it says what to check.
 */
export const keyColumnCharset: Check = {
  id: 'key-column-charset',
  scope: 'statement',
  severity: 'warning',
  describe: 'a charset or collation change of a key column: values that were distinct may collide, and joins may stop using the index',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew) return [];
    const { table, alter } = change;
    const shapes = ctx.shapes;
    const keyed = (column: string): string[] => (shapes?.before.indexes ?? []).filter((i) => i.columns.some((c) => c.toLowerCase() === column.toLowerCase())).map((i) => i.name);
    const hits: string[] = [];
    let unsure = false;
    if (alter.actions.some((a) => a.kind === 'convert-charset')) {
      if (shapes === undefined) unsure = true;
      for (const col of shapes?.before.columns ?? []) {
        const after = findColumn(shapes?.after.columns, col.name);
        if (col.collation === null || after === undefined || after.collation === col.collation) continue;
        const keys = keyed(col.name);
        if (keys.length > 0) hits.push(`${col.name} (${keys.join(', ')}: ${col.collation} → ${after.collation})`);
      }
    }
    for (const c of definedColumns(alter)) {
      const t = c.definition.type;
      if (c.from === undefined || (t.charset === undefined && t.collation === undefined)) continue;
      if (shapes === undefined) {
        unsure = true;
        continue;
      }
      const before = findColumn(shapes.before.columns, c.from);
      const after = findColumn(shapes.after.columns, c.name);
      if (before?.collation == null || after === undefined || before.collation === after.collation) continue;
      const keys = keyed(c.from);
      if (keys.length > 0 && !hits.some((h) => h.startsWith(`${before.name} (`))) hits.push(`${before.name} (${keys.join(', ')}: ${before.collation} → ${after.collation})`);
    }
    if (hits.length === 0 && !unsure) return [];
    const clause = actionsWithoutAlgorithm(alter);
    return [
      finding(
        this.id,
        'warning',
        'KEY_COLUMN_CHARSET',
        hits.length > 0
          ? `the ALTER changes how key columns of ${tableRef(table)} compare: ${hits.join('; ')}`
          : `the ALTER changes the charset or collation of columns of ${tableRef(table)}: if any is part of a key, its values compare differently afterwards`,
        "Under the new collation values that were distinct can be equal ('a' and 'A' under a _ci collation, 'ß' and 'ss', trailing spaces under PAD SPACE), so a unique key refuses them; the key's order changes; and joins with columns still in the old collation can no longer use the index.",
        [
          `Check for values that would collide (the data checks name them, with their rows' keys): ${oschangeLint({ table, database: ctx.database, alter: clause })}`,
          'Give the columns these are joined with (in other tables) the same charset and collation, in the same release.',
          `Run it with oschange (its checksum compares the tables whole when a key's order changes): ${oschangeRun({ table, database: ctx.database, alter: clause })}`,
        ],
      ),
    ];
  },
};
