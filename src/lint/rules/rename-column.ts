import { ident, oschangeLint, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { columnRef, definitionText, finding, findColumn, tableChange } from './common.js';

/**
 * RENAME COLUMN a TO b, or CHANGE a b …. Error: the code deployed now names `a` and fails once the
 * table is swapped; code that names `b` fails before. No deploy order survives a one-step rename;
 * expand (add b), migrate (write both, copy, read b), contract (drop a) does. A change of case only
 * is no rename (column names compare case-insensitively). --approve-renamed-columns, oschange's
 * own acknowledgement of a rename, also accepts this rule at --execute.
 */
export const renameColumn: Check = {
  id: 'rename-column',
  scope: 'statement',
  severity: 'error',
  describe: 'RENAME COLUMN or CHANGE old new: a one-step rename breaks the code deployed now, whatever the deploy order',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew) return [];
    const { table, alter } = change;
    const out: Finding[] = [];
    for (const a of alter.actions) {
      if ((a.kind !== 'rename-column' && a.kind !== 'change-column') || a.from.toLowerCase() === a.to.toLowerCase()) continue;
      // With the table's shape known, MariaDB's IF EXISTS of a missing column renames nothing.
      if (ctx.shapes !== undefined && findColumn(ctx.shapes.before.columns, a.from) === undefined) continue;
      const [from, to] = [ident(a.from), ident(a.to)];
      const known = findColumn(ctx.shapes?.before.columns, a.from);
      const definition = a.kind === 'change-column' ? definitionText(alter, a.definition, { dropNotNull: true, dropPosition: true }) : (known?.columnType.toUpperCase() ?? `<the type of ${a.from}>`);
      const notNull = a.kind === 'change-column' ? a.definition.nullable === false : known?.nullable === false;
      const run = (clause: string, flags?: readonly string[]): string => oschangeRun({ table, database: ctx.database, alter: clause, ...(flags === undefined ? {} : { flags }) });
      const steps = [
        `Add the new column: ${run(`ADD COLUMN ${to} ${definition}`)}`,
        `Deploy code that writes both ${a.from} and ${a.to}, and still reads ${a.from}.`,
        `Copy the values in batches of a few thousand, by primary key: UPDATE ${tableRef(table)} SET ${to} = ${from} WHERE <key range>`,
        `Deploy code that reads and writes ${a.to} only.`,
        ...(notNull ? [`Make ${a.to} NOT NULL: ${run(`MODIFY COLUMN ${to} ${a.kind === 'change-column' ? definitionText(alter, a.definition, { dropPosition: true }) : `${definition} NOT NULL`}`)}`] : []),
        `Check that nothing names ${a.from} any more (statement digests, on the primary and each replica): ${oschangeLint({ table, database: ctx.database, alter: `DROP COLUMN ${from}` })}`,
        `Drop it: ${run(`DROP COLUMN ${from}`, ['--allow drop-column'])}`,
      ];
      out.push(
        finding(
          this.id,
          'error',
          'RENAME_COLUMN',
          `${columnRef(table, a.from)} is renamed to ${a.to} in one step: the code deployed now names ${a.from} and breaks the moment the new table is in place`,
          `No deploy order works: code that names ${a.from} fails with "Unknown column '${a.from}'" after the rename, and code that names ${a.to} fails before it.`,
          steps,
        ),
      );
    }
    return out;
  },
};
