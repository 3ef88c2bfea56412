import { ident, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { actionText, finding, tableChange } from './common.js';

/**
 * ADD FOREIGN KEY on an existing table. Error: with foreign_key_checks on, MySQL adds it only by a
 * table copy that blocks writes, checking every row; from then on every write of the child takes
 * shared locks on parent rows; and every later online migration of the table (or its parent) has to
 * carry the key across its swap, at a cost (gh-ost refuses such tables). A new table's foreign keys
 * are silent: it has no rows and no later migrations yet.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-online-ddl-operations.html#online-ddl-foreign-key-operations
 */
export const addForeignKey: Check = {
  id: 'add-foreign-key',
  scope: 'statement',
  severity: 'error',
  describe: 'ADD FOREIGN KEY: a blocking, checking copy, parent rows locked by every write, and harder online migrations of the table',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew) return [];
    const { table, alter } = change;
    const out: Finding[] = [];
    for (const a of alter.actions) {
      if (a.kind !== 'add-foreign-key') continue;
      const cols = a.columns.map(ident);
      const parent = ident(a.parentTable);
      const indexed = ctx.shapes?.before.indexes.some((i) => a.columns.every((c, n) => i.columns[n]?.toLowerCase() === c.toLowerCase())) === true;
      const join = a.columns.map((c, n) => `p.${ident(a.parentColumns[n] ?? c)} = c.${ident(c)}`).join(' AND ');
      out.push(
        finding(
          this.id,
          'error',
          'ADD_FOREIGN_KEY',
          `a FOREIGN KEY${a.name === undefined ? '' : ` ${a.name}`} (${a.columns.join(', ')}) → ${a.parentTable} is added to ${tableRef(table)}: a blocking copy that checks every row, shared locks on ${a.parentTable} for every later write, and harder online migrations of ${table.name}`,
          `MySQL adds a foreign key by copying the table (writes blocked) unless foreign_key_checks is off; afterwards each insert or update of ${table.name} locks the ${a.parentTable} row it points to; and every later online migration of ${table.name} (or of ${a.parentTable}) must carry the key across its swap (oschange: the key under a second name; for the parent, --alter-foreign-keys-method with its costs), where gh-ost refuses the table outright.`,
          [
            `Consider checking the relation in the application instead; most large MySQL deployments do.`,
            ...(indexed ? [] : [`If you keep it, index the column first, online: ${oschangeRun({ table, database: ctx.database, alter: `ADD INDEX (${cols.join(', ')})` })}`]),
            `Find the rows that would break it, and fix them: SELECT ${cols.map((c) => `c.${c}`).join(', ')} FROM ${tableRef(table)} c LEFT JOIN ${parent} p ON ${join} WHERE ${cols.map((c) => `c.${c} IS NOT NULL`).join(' AND ')} AND p.${ident(a.parentColumns[0] ?? '')} IS NULL LIMIT 10`,
            `Add it without a copy, in a quiet hour (with the checks off the server does not scan — which is why the step before matters): SET SESSION foreign_key_checks = 0; ALTER TABLE ${tableRef(table)} ${actionText(alter, a)}, ALGORITHM=INPLACE, LOCK=NONE; SET SESSION foreign_key_checks = 1;`,
          ],
        ),
      );
    }
    return out;
  },
};
