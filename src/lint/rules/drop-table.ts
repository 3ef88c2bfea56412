import { ident, oschangeLintStatement, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import { createdEarlier, finding } from './common.js';

/**
 * DROP TABLE. Error: code that still uses the table fails at once, and nothing brings the rows back
 * but a backup (the binary log has no rows to replay a dropped table from). A table created earlier
 * in the same input, and a TEMPORARY table, are silent: no code depends on them.
 */
export const dropTable: Check = {
  id: 'drop-table',
  scope: 'statement',
  severity: 'error',
  describe: 'DROP TABLE while code may still use it; only a backup brings the rows back',
  run(ctx) {
    const s = ctx.item.statement;
    if (s.kind !== 'drop-table' || s.temporary) return [];
    return s.tables
      .filter((t) => !createdEarlier(ctx, t))
      .map((t) => {
        const ref = tableRef(t);
        const retired = ident(`_${t.name}_retired`);
        const db = t.database ?? ctx.database ?? 'DB';
        return finding(
          this.id,
          'error',
          'DROP_TABLE',
          `table ${ref} is dropped: code that still uses it fails at once, and its rows are gone for good`,
          'A dropped table cannot be brought back by a deploy or from the binary log; only a backup restores it.',
          [
            `Deploy code that no longer uses ${t.name}.`,
            `Check that nothing uses it any more (statement digests, on the primary and each replica): ${oschangeLintStatement({ database: db, statement: `DROP TABLE ${ref}` })}`,
            `Rename it first, so that anything still using it fails loudly while the rows are still there: RENAME TABLE ${ref} TO ${t.database === undefined ? '' : `${ident(t.database)}.`}${retired}`,
            `Keep a copy: mysqldump --single-transaction ${db} ${t.name} > ${t.name}.sql`,
            `After some days without complaint, drop it in a quiet hour (dropping a big table can stall the server for a moment): DROP TABLE ${t.database === undefined ? '' : `${ident(t.database)}.`}${retired}`,
          ],
        );
      });
  },
};
