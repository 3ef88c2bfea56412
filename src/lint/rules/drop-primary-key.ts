import { candidateKeys } from '../../inspect/shared-key.js';
import { ident, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import { actionText, finding, tableChange } from './common.js';

/**
 * DROP PRIMARY KEY. Without a replacement: error — InnoDB then clusters the rows on a hidden row id,
 * a row-based replica finds each changed row with a full scan (a big table's replicas fall hours
 * behind), and oschange can no longer migrate the table. (With another non-null UNIQUE key InnoDB
 * clusters on that one instead: a warning.) Replaced in the same ALTER: warning — the whole table
 * is rebuilt in the new order and the old key's uniqueness is gone unless another key keeps it.
 */
export const dropPrimaryKey: Check = {
  id: 'drop-primary-key',
  scope: 'statement',
  severity: 'error',
  describe: 'DROP PRIMARY KEY: without a new one replicas scan the table for every changed row; replaced, the old uniqueness is gone',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew || !change.alter.actions.some((a) => a.kind === 'drop-primary-key')) return [];
    const { table, alter } = change;
    const replacement = alter.actions.find((a) => a.kind === 'add-index' && a.index === 'primary');
    const oldKey = ctx.shapes?.before.indexes.find((i) => i.name === 'PRIMARY')?.columns;
    const run = (clause: string): string => oschangeRun({ table, database: ctx.database, alter: clause });
    if (replacement !== undefined) {
      const cols = replacement.kind === 'add-index' ? replacement.parts.map((p) => p.column ?? '(expression)').join(', ') : '';
      return [
        finding(
          this.id,
          'warning',
          'PRIMARY_KEY_REPLACED',
          `the PRIMARY KEY of ${tableRef(table)} is replaced by (${cols}): the table is rebuilt in the new key's order${oldKey === undefined ? '' : `, and (${oldKey.join(', ')}) is no longer unique unless another key says so`}`,
          'Every secondary index carries the primary key, so each one changes too; code that relies on the old key being unique (upserts, lookups) silently stops being protected.',
          [
            `If the old key must stay unique, keep it as a UNIQUE KEY in the same ALTER: ${run(`${actionText(alter, alter.actions.find((a) => a.kind === 'drop-primary-key') as (typeof alter.actions)[number])}, ${actionText(alter, replacement)}, ADD UNIQUE KEY (${(oldKey ?? ['<old key columns>']).map(ident).join(', ')})`)}`,
            'Run it with oschange: the dry run checks the new key for duplicates first.',
          ],
        ),
      ];
    }
    const clustered = ctx.shapes === undefined ? undefined : candidateKeys(ctx.shapes.after)[0];
    return [
      finding(
        this.id,
        clustered === undefined ? 'error' : 'warning',
        'PRIMARY_KEY_DROPPED',
        clustered === undefined
          ? `the PRIMARY KEY of ${tableRef(table)} is dropped and nothing replaces it: replicas then scan the table for every row they change, and oschange cannot migrate it any more`
          : `the PRIMARY KEY of ${tableRef(table)} is dropped: InnoDB clusters the rows on UNIQUE KEY ${clustered.name} (${clustered.columns.join(', ')}) instead`,
        'InnoDB orders rows by the primary key (or the first non-null unique key, or else a hidden row id): without one, a row-based replica finds each updated or deleted row with a full table scan and falls behind, and online schema change tools (oschange, gh-ost) need a key to copy by.',
        [
          `Replace it in the same ALTER instead: ${run('DROP PRIMARY KEY, ADD PRIMARY KEY (<columns>)')}`,
          'If the new columns are not unique yet, add a UNIQUE KEY over them first: the dry run names any duplicates.',
        ],
      ),
    ];
  },
};
