import type { AlterAction } from '../../alter/model.js';
import { ident, oschangeLint, oschangeRun } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { actionsText, definitionText, finding, findColumn, tableChange } from './common.js';

/**
 * DROP COLUMN. Error: code that still names the column fails once the table is swapped, and no
 * deploy brings the values back (oschange keeps them in the old table, `_T_del`, until it is
 * dropped). The safe order is the contract step: stop using it, check nobody does, then drop.
 * A column dropped and added again in the same ALTER keeps its name — code still finds it — but
 * loses its values: a warning.
 */
export const dropColumn: Check = {
  id: 'drop-column',
  scope: 'statement',
  severity: 'error',
  describe: 'DROP COLUMN while code may still read or write it; its values are gone once the old table is dropped',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew) return [];
    const { table, alter } = change;
    const added = new Set(alter.actions.flatMap((a) => (a.kind === 'add-column' ? [a.name.toLowerCase()] : [])));
    // With the table's shape known, MariaDB's DROP COLUMN IF EXISTS of a missing column drops nothing.
    const exists = (name: string): boolean => ctx.shapes === undefined || findColumn(ctx.shapes.before.columns, name) !== undefined;
    const drops = alter.actions.filter((a): a is Extract<AlterAction, { kind: 'drop-column' }> => a.kind === 'drop-column' && exists(a.name));
    const gone = drops.filter((d) => !added.has(d.name.toLowerCase()));
    const replaced = drops.filter((d) => added.has(d.name.toLowerCase()));
    const run = (clause: string, flags?: readonly string[]): string => oschangeRun({ table, database: ctx.database, alter: clause, ...(flags === undefined ? {} : { flags }) });
    const out: Finding[] = [];
    if (gone.length > 0) {
      const names = gone.map((d) => d.name);
      const list = names.join(', ');
      const dropClause = actionsText(alter, { omit: (a) => !gone.includes(a as (typeof gone)[number]) });
      const notNull = names.filter((n) => findColumn(ctx.shapes?.before.columns, n)?.nullable === false);
      const steps = [
        ...(notNull.length > 0
          ? [
              `${notNull.join(', ')} ${notNull.length === 1 ? 'is' : 'are'} NOT NULL: unless ${notNull.length === 1 ? 'it has' : 'they have'} a DEFAULT, code that stops writing ${notNull.length === 1 ? 'it' : 'them'} fails on INSERT — first make ${notNull.length === 1 ? 'it' : 'them'} nullable: ${run(
                notNull.map((n) => `MODIFY COLUMN ${ident(n)} ${(findColumn(ctx.shapes?.before.columns, n)?.columnType ?? '').toUpperCase()} NULL`).join(', '),
              )}`,
            ]
          : []),
        `Deploy code that no longer reads or writes ${list} (an ORM that lists every column needs it removed from the model first, e.g. Rails' ignored_columns).`,
        `Check that nothing names ${names.length === 1 ? 'it' : 'them'} any more (statement digests, on the primary and each replica): ${oschangeLint({ table, database: ctx.database, alter: dropClause })}`,
        `Drop ${names.length === 1 ? 'it' : 'them'}, keeping the old table for a while (without --ok-to-drop-table it stays as _${table.name}_del): ${run(dropClause, ['--allow drop-column'])}`,
      ];
      out.push(
        finding(
          this.id,
          'error',
          'DROP_COLUMN',
          `column ${list} of ${table.name} ${names.length === 1 ? 'is' : 'are'} dropped: code that still reads or writes ${names.length === 1 ? 'it' : 'them'} fails once the new table is in place, and the values are gone`,
          `A deploy cannot undo a dropped column: queries that name it fail with "Unknown column", and its values survive only in the old table oschange keeps (_${table.name}_del) until that is dropped.`,
          steps,
        ),
      );
    }
    for (const d of replaced) {
      const add = alter.actions.find((a) => a.kind === 'add-column' && a.name.toLowerCase() === d.name.toLowerCase());
      const definition = add?.kind === 'add-column' ? definitionText(alter, add.definition) : '…';
      out.push(
        finding(
          this.id,
          'warning',
          'COLUMN_REPLACED',
          `column ${d.name} of ${table.name} is dropped and added again: it keeps its name, but every row gets the new definition's value instead of its own`,
          'Code still finds the column, so nothing fails, but the stored values are gone from the new table (oschange keeps them only in the old table, _' + table.name + '_del).',
          [`To keep the values while changing the definition, use MODIFY instead: ${run(`MODIFY COLUMN ${ident(d.name)} ${definition}`)}`, 'If new values are what you mean, run it as it is.'],
        ),
      );
    }
    return out;
  },
};
