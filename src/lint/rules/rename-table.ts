import type { TableName } from '../../alter/statement.js';
import { ident, oschangeLintStatement, tableRef } from '../advice.js';
import type { Check, StatementContext } from '../check.js';
import type { Finding } from '../finding.js';
import { createdEarlier, finding, sameTable } from './common.js';

/**
 * RENAME TABLE a TO b (or ALTER TABLE a RENAME TO b). Error: the code deployed now names `a` and
 * fails at once; code naming `b` fails before. An updatable view under the new name lets both
 * work meanwhile, and one atomic RENAME swaps the names at the end. A swap in one statement
 * (`RENAME TABLE t TO t_old, t_new TO t`) keeps every name in place: silent.
 */
export const renameTable: Check = {
  id: 'rename-table',
  scope: 'statement',
  severity: 'error',
  describe: 'RENAME TABLE: a one-step rename breaks the code deployed now, whatever the deploy order',
  run(ctx) {
    const s = ctx.item.statement;
    const pairs: { from: TableName; to: TableName }[] = [];
    if (s.kind === 'rename-table') {
      for (const p of s.pairs) {
        // A name that another pair of the same statement fills again is a swap: it still exists afterwards.
        if (!s.pairs.some((q) => sameTable(q.to, p.from, ctx.database))) pairs.push(p);
      }
    } else if (s.kind === 'alter') {
      for (const a of s.alter.actions) if (a.kind === 'rename-table') pairs.push({ from: s.table, to: { database: s.table.database, name: a.to } });
    }
    return pairs.filter((p) => !createdEarlier(ctx, p.from)).map((p) => renameFinding(this.id, ctx, p.from, p.to));
  },
};

function renameFinding(id: string, ctx: StatementContext, from: TableName, to: TableName): Finding {
  const [a, b] = [tableRef(from), tableRef(to)];
  const viewAside = ident(`_${to.name}_view`);
  return finding(
    id,
    'error',
    'RENAME_TABLE',
    `table ${a} is renamed to ${b} in one step: the code deployed now names ${from.name} and breaks at once`,
    `No deploy order works: code that names ${from.name} fails with "Table doesn't exist" after the rename, and code that names ${to.name} fails before it.`,
    [
      `Give the table its new name as an updatable view first, so that code can use either name (change no column of ${from.name} meanwhile: a view's columns are fixed when it is made): CREATE VIEW ${b} AS SELECT * FROM ${a}`,
      `Deploy code that names ${to.name} only.`,
      `Check that nothing names ${from.name} any more (statement digests): ${oschangeLintStatement({ database: from.database ?? ctx.database, statement: `DROP TABLE ${a}` })}`,
      `Swap the names in one atomic statement, then drop the view: RENAME TABLE ${b} TO ${viewAside}, ${a} TO ${b}; DROP VIEW ${viewAside}`,
    ],
  );
}
