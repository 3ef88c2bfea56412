import { queryRows } from '../../db/connect.js';
import { errno } from '../../db/retry.js';
import { describeError, ExitCode } from '../../errors.js';
import { ghostKeyIsWider } from '../../inspect/shared-key.js';
import type { Column, Index } from '../../inspect/table-info.js';
import { duplicateProbe, duplicateRows, withTimeLimit, type UniquePart } from '../../sql/value-fit.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { describeKey, describeValue } from '../../status/describe-row.js';
import { DATA_CHECK_TIME_LIMIT_MS, QUERY_TIMEOUT_ERRNOS } from './values-fit.js';

const lower = (s: string): string => s.toLowerCase();

/** The same values compare the same in both columns: same type, charset and collation. */
function sameComparison(a: Column, b: Column): boolean {
  return a.columnType === b.columnType && a.charset === b.charset && a.collation === b.collation;
}

/**
 * Before the copy: every unique key of the altered table that the original's keys do not already
 * guarantee is checked for rows that share a value — the copy's INSERT IGNORE would keep one of them
 * and drop the others. Refused with the value and the rows' keys; no flag accepts dropped rows.
 */
export const newUniqueKeys: Check = {
  id: 'new-unique-keys',
  scope: 'data',
  describe: 'no new UNIQUE or PRIMARY key would drop rows that share a value',
  async run(ctx) {
    const original = new Map(ctx.table.columns.map((c) => [lower(c.name), c]));
    const ghostColumns = new Map(ctx.ghost.columns.map((c) => [lower(c.name), c]));
    // Generated columns with the same values in both tables count as their original (a STORED one may be in a key).
    const fromGhost = new Map([...ctx.mapping.pairs, ...ctx.mapping.sameGenerated].map((p) => [lower(p.to), p.from]));
    const originalUnique = ctx.table.indexes.filter((i) => i.unique && !i.partial);
    const keyColumns = ctx.sharedKey.originalIndex.columns;
    const findings: Finding[] = [];
    for (const index of ctx.ghost.indexes.filter((i) => i.unique)) {
      const what = `${index.name === 'PRIMARY' ? 'PRIMARY KEY' : `UNIQUE KEY ${index.name}`} of ${ctx.config.database}.${ctx.config.table}`;
      if (index.name === ctx.sharedKey.ghostIndexName && ghostKeyIsWider(ctx.sharedKey)) {
        // Unique because its leading columns are the original's key, compared alike (src/inspect/shared-key.ts).
        const own = ctx.sharedKey.originalIndex;
        findings.push({
          check: this.id,
          severity: 'info',
          code: 'KEY_WIDENED',
          message:
            `the new ${index.name === 'PRIMARY' ? 'PRIMARY KEY' : `UNIQUE KEY ${index.name}`} (${index.columns.join(', ')}) of ${ctx.config.database}.${ctx.config.table} is wider than its ` +
            `${own.name === 'PRIMARY' ? 'PRIMARY KEY' : `UNIQUE KEY ${own.name}`} (${own.columns.join(', ')}): rows are identified by (${own.columns.join(', ')}) in both tables, ` +
            `and every write of a row to the ghost first deletes the ghost's rows with that (${ctx.sharedKey.ghostColumns.join(', ')})`,
        });
        continue;
      }
      const sources = index.columns.map((g) => fromGhost.get(lower(g)));
      if (index.columns.length === 0 || sources.some((s) => s === undefined)) {
        findings.push({ check: this.id, severity: 'info', code: 'CHECKED_WHILE_COPYING', message: `the new ${what} is on an expression or a new column: duplicates are checked as rows are copied` });
        continue;
      }
      const parts: UniquePart[] = index.columns.map((g, i) => {
        const from = original.get(lower(sources[i] as string)) as Column;
        const to = ghostColumns.get(lower(g)) as Column;
        const collate = to.charset !== null && to.collation !== null && !sameComparison(from, to) ? { charset: to.charset, collation: to.collation } : undefined;
        return { column: from.name, collate, length: index.lengths[i] };
      });
      if (guaranteed(parts, originalUnique, original, ghostColumns, index, fromGhost)) continue;
      const probe = withTimeLimit(duplicateProbe({ database: ctx.config.database, table: ctx.config.table, parts, primary: index.name === 'PRIMARY' }), ctx.readerVersion, DATA_CHECK_TIME_LIMIT_MS);
      let group: Record<string, unknown> | undefined;
      try {
        [group] = await queryRows(ctx.reader, probe.sql, probe.params);
      } catch (err) {
        if (!QUERY_TIMEOUT_ERRNOS.has(errno(err) ?? 0)) throw err;
        findings.push({ check: this.id, severity: 'warning', code: 'DATA_CHECK_SKIPPED', message: `the new ${what} was not checked for duplicates before the copy (${describeError(err)}); the copy checks each row` });
        continue;
      }
      if (group === undefined) continue;
      const values = parts.map((_p, i) => group[`v${i}`]);
      const n = Number(group['n']);
      const rows = duplicateRows({ database: ctx.config.database, table: ctx.config.table, keyColumns, parts, values, limit: 3 });
      const examples = await queryRows(ctx.reader, rows.sql, rows.params);
      const shared = parts.map((p, i) => `${p.column}=${describeValue(values[i])}`).join(', ');
      const keys = examples.map((r) => describeKey(keyColumns, r)).join(', ');
      findings.push({
        check: this.id,
        severity: 'error',
        code: 'DUPLICATES_FOR_NEW_KEY',
        message:
          `${ctx.config.database}.${ctx.config.table}: ${n} rows share ${shared} (${keys}${n > examples.length ? ', …' : ''}; checked on ${ctx.readerWhere}); ` +
          `the new ${index.name === 'PRIMARY' ? 'PRIMARY KEY' : `UNIQUE KEY ${index.name}`} would drop ${n - 1} of them. Remove the duplicates first`,
        exitCode: ExitCode.failure,
      });
    }
    return findings;
  },
};

/**
 * True when an original unique key on whole columns, all of them among the new key's and compared
 * the same way in both tables, already makes the new key's values unique.
 */
function guaranteed(
  parts: readonly UniquePart[],
  originalUnique: readonly Index[],
  original: ReadonlyMap<string, Column>,
  ghost: ReadonlyMap<string, Column>,
  index: Index,
  fromGhost: ReadonlyMap<string, string>,
): boolean {
  const unchanged = new Set(
    parts
      .filter((p, i) => {
        const to = ghost.get(lower(index.columns[i] as string));
        const from = original.get(lower(p.column));
        return p.length === undefined && to !== undefined && from !== undefined && sameComparison(from, to) && fromGhost.get(lower(to.name)) !== undefined;
      })
      .map((p) => lower(p.column)),
  );
  return originalUnique.some((u) => u.columns.length > 0 && u.columns.every((c) => unchanged.has(lower(c))));
}
