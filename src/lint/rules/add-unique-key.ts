import type { AlterAction, IndexPart } from '../../alter/model.js';
import { ident, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { actionText, finding, tableChange } from './common.js';

/**
 * A new UNIQUE or PRIMARY KEY on an existing table. Warning: whether it is safe depends on the
 * data — rows that already share a value make oschange refuse (and a plain ALTER fail, or ALTER
 * IGNORE delete rows), which the data check `new-unique-keys` finds with a server. And from the
 * swap on, writes the application used to make with a duplicate fail. Silent when the table's
 * shape shows an existing unique key on a subset of the columns: it already guarantees the new one.
 */
export const addUniqueKey: Check = {
  id: 'add-unique-key',
  scope: 'statement',
  severity: 'warning',
  describe: 'a new UNIQUE or PRIMARY KEY: existing duplicates stop it, and writes of duplicates fail from then on',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew) return [];
    const { table, alter } = change;
    const added = new Set(alter.actions.flatMap((a) => (a.kind === 'add-column' ? [a.name.toLowerCase()] : [])));
    const existing = (ctx.shapes?.before.indexes ?? []).filter((i) => i.unique && !i.partial).map((i) => i.columns.map((c) => c.toLowerCase()));
    const out: Finding[] = [];
    const keys: { action: AlterAction; what: string; parts: readonly IndexPart[] }[] = [];
    for (const a of alter.actions) {
      if (a.kind === 'add-index' && (a.index === 'unique' || a.index === 'primary')) {
        keys.push({ action: a, what: a.index === 'primary' ? 'PRIMARY KEY' : `UNIQUE KEY${a.name === undefined ? '' : ` ${a.name}`}`, parts: a.parts });
      } else if ((a.kind === 'add-column' || a.kind === 'modify-column' || a.kind === 'change-column') && a.definition.inlineKey !== undefined) {
        const column = a.kind === 'change-column' ? a.to : a.name;
        keys.push({ action: a, what: a.definition.inlineKey === 'primary' ? 'PRIMARY KEY' : 'UNIQUE KEY', parts: [{ column, length: undefined }] });
      }
    }
    for (const k of keys) {
      const cols = k.parts.map((p) => p.column?.toLowerCase());
      const whole = k.parts.every((p) => p.column !== undefined && p.length === undefined);
      if (whole && existing.some((e) => e.length > 0 && e.every((c) => cols.includes(c)))) continue;
      const list = k.parts.map((p) => p.column ?? '(expression)').join(', ');
      const run = oschangeRun({ table, database: ctx.database, alter: actionText(alter, k.action) });
      const onNew = k.parts.map((p) => p.column).filter((c): c is string => c !== undefined && added.has(c.toLowerCase()));
      if (onNew.length > 0) {
        out.push(
          finding(
            this.id,
            'warning',
            'UNIQUE_KEY_ON_NEW_COLUMN',
            `the new ${k.what} of ${tableRef(table)} is on ${onNew.join(', ')}, which this ALTER adds: every existing row gets the same value there, so a table of more than one row cannot hold the key`,
            'A new column holds its DEFAULT (or NULL) in every existing row; a unique key over it fails on the second row.',
            [
              `Add the column without the key: ${oschangeRun({ table, database: ctx.database, alter: alter.actions.filter((a) => a.kind === 'add-column' && onNew.some((n) => n.toLowerCase() === a.name.toLowerCase())).map((a) => actionText(alter, a)).join(', ') })}`,
              `Give every row its own value (UPDATE in batches by primary key), and deploy code that writes distinct values.`,
              `Then add the key: ${run}`,
            ],
          ),
        );
        continue;
      }
      const named = k.parts.filter((p) => p.column !== undefined).map((p) => ident(p.column as string));
      out.push(
        finding(
          this.id,
          'warning',
          'UNIQUE_KEY_ADDED',
          `the new ${k.what} of ${tableRef(table)} on (${list}): rows that already share a value stop the ALTER, and from then on every write of a duplicate fails`,
          'A unique key changes what the application may write: an INSERT or UPDATE that used to succeed with a duplicate value fails with a duplicate-key error once the key exists.',
          [
            `Look for duplicates (with a server, oschange lint shows one with its rows' keys): SELECT ${named.join(', ')}, COUNT(*) FROM ${tableRef(table)} GROUP BY ${named.join(', ')} HAVING COUNT(*) > 1 LIMIT 10`,
            'Deploy code that does not write duplicates (look the value up first, or INSERT … ON DUPLICATE KEY UPDATE once the key exists).',
            'Merge or remove the duplicates.',
            `Add the key (the dry run checks again for duplicates): ${run}`,
          ],
        ),
      );
    }
    return out;
  },
};
