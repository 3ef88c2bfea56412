import { oschangeRun, tableRef } from '../advice.js';
import type { Check, LintStatement, StatementContext } from '../check.js';
import { actionsWithoutAlgorithm, createdEarlier, finding, sameTable } from './common.js';
import type { TableName } from '../../alter/statement.js';

/**
 * Several ALTERs of one table in one file (or one --statement) that could be one. Warning: each
 * ALTER copies the whole table again — N ALTERs cost N times the time, I/O and replica lag. Not
 * when another statement touches the table between them (a backfill the next ALTER relies on), nor
 * for a table the same input creates (it is empty).
 */
export const combineAlters: Check = {
  id: 'combine-alters',
  scope: 'statement',
  severity: 'warning',
  describe: 'several ALTERs of one table that could be one: each one copies the whole table again',
  run(ctx) {
    const s = ctx.item.statement;
    if (s.kind !== 'alter' || createdEarlier(ctx, s.table)) return [];
    const earlier = previousAlter(ctx, s.table);
    if (earlier === undefined || earlier.statement.kind !== 'alter') return [];
    const combined = `${actionsWithoutAlgorithm(earlier.statement.alter)}, ${actionsWithoutAlgorithm(s.alter)}`;
    return [
      finding(
        this.id,
        'warning',
        'COMBINE_ALTERS',
        `${tableRef(s.table)} is altered again (first at ${where(earlier)}): an ALTER that is not instant copies the whole table, so do both in one`,
        'Every ALTER that is not instant rebuilds the table: two ALTERs cost twice the time, the I/O and the replica lag of one.',
        [
          `Write them as one ALTER (in one ALTER every name refers to the table as it was before it): ALTER TABLE ${tableRef(s.table)} ${combined}`,
          `Run it once: ${oschangeRun({ table: s.table, database: ctx.database, alter: combined })}`,
        ],
      ),
    ];
  },
};

/** The nearest earlier ALTER of the table in the same file, unless a statement between them touches the table. */
function previousAlter(ctx: StatementContext, table: TableName): LintStatement | undefined {
  for (let i = ctx.index - 1; i >= 0; i--) {
    const b = ctx.batch[i] as LintStatement;
    if (b.file !== ctx.item.file) return undefined;
    const st = b.statement;
    if (st.kind === 'alter' && sameTable(st.table, table, ctx.database)) return b;
    if (st.kind === 'other' && st.names.has(table.name.toLowerCase())) return undefined;
    if (st.kind === 'create-table' && sameTable(st.table, table, ctx.database)) return undefined;
    if (st.kind === 'drop-table' && st.tables.some((t) => sameTable(t, table, ctx.database))) return undefined;
    if (st.kind === 'rename-table' && st.pairs.some((p) => sameTable(p.from, table, ctx.database) || sameTable(p.to, table, ctx.database))) return undefined;
  }
  return undefined;
}

function where(b: LintStatement): string {
  return b.file === undefined ? `statement line ${b.line}` : `${b.file}:${b.line}`;
}
