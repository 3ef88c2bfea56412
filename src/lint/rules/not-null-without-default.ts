import { ident, oschangeBackfill, oschangeRun } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { actionsText, columnRef, definitionText, finding, tableChange } from './common.js';

/**
 * ADD COLUMN … NOT NULL without a DEFAULT. Error: the code deployed when the table is swapped does
 * not write the new column, so in strict mode every one of its INSERTs fails ("Field 'c' doesn't
 * have a default value") — an outage the moment the ALTER completes, and no deploy order avoids it.
 * Silent for a new table (no code writes it yet), AUTO_INCREMENT and generated columns.
 */
export const notNullWithoutDefault: Check = {
  id: 'not-null-without-default',
  scope: 'statement',
  severity: 'error',
  describe: 'ADD COLUMN … NOT NULL without a DEFAULT, which breaks every INSERT of the code deployed now',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew) return [];
    const { table, alter } = change;
    const out: Finding[] = [];
    for (const a of alter.actions) {
      if (a.kind !== 'add-column') continue;
      const d = a.definition;
      const notNull = d.nullable === false || (d.nullable === undefined && d.inlineKey === 'primary');
      if (!notNull || d.default !== 'none' || d.autoIncrement || d.generated !== undefined) continue;
      const name = ident(a.name);
      const run = (clause: string, flags?: readonly string[]): string => oschangeRun({ table, database: ctx.database, alter: clause, ...(flags === undefined ? {} : { flags }) });
      const nullable = `ADD COLUMN ${name} ${definitionText(alter, d, { dropNotNull: true })}`;
      out.push(
        finding(
          this.id,
          'error',
          'NOT_NULL_WITHOUT_DEFAULT',
          `${columnRef(table, a.name)} is added NOT NULL without a DEFAULT: every INSERT that does not name ${a.name} fails from the moment the new table is in place`,
          `The code deployed today does not write ${a.name}: in strict mode each of its INSERTs fails with "Field '${a.name}' doesn't have a default value" (without strict mode it silently stores 0 or ''), and code that writes it cannot be deployed before the column exists.`,
          [
            `Add the column so that today's INSERTs still work — nullable (or NOT NULL with a DEFAULT they can live with): ${run(actionsText(alter, { replace: new Map([[a, nullable]]) }))}`,
            `Deploy code that writes ${a.name} in every INSERT.`,
            `Fill the existing rows in throttled primary-key chunks (without --execute it first checks --set and --where, counts the rows and prints each chunk's statement): ${oschangeBackfill({ table, database: ctx.database, set: `${name} = …`, where: `${name} IS NULL` })}`,
            `Make it NOT NULL once no NULL is left (the dry run checks, and refuses while one is): ${run(`MODIFY COLUMN ${name} ${definitionText(alter, d, { dropPosition: true })}`)}`,
          ],
        ),
      );
    }
    return out;
  },
};
