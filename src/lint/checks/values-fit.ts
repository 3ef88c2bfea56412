import { queryRows } from '../../db/connect.js';
import { errno } from '../../db/retry.js';
import { describeError, ExitCode } from '../../errors.js';
import { describeRisk, riskAllowance, valueRisks } from '../../inspect/value-fit.js';
import { riskPredicate, valueProbe, withTimeLimit } from '../../sql/value-fit.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { describeKey, describeValue } from '../../status/describe-row.js';

/** How long one data check may scan before it is skipped (the copy still checks every row). */
export const DATA_CHECK_TIME_LIMIT_MS = 60_000;
/** MySQL ER_QUERY_TIMEOUT, MariaDB ER_STATEMENT_TIMEOUT. */
export const QUERY_TIMEOUT_ERRNOS = new Set([3024, 1969]);

/**
 * Before the copy: for every column whose type, length, charset or nullability the ALTER changes,
 * one row whose value would not survive the change — refused with its key and value, unless the
 * operator accepted that kind of change with --allow-data-loss.
 */
export const valuesFit: Check = {
  id: 'values-fit',
  scope: 'data',
  describe: "every stored value fits the column's new type unchanged",
  async run(ctx) {
    const original = new Map(ctx.table.columns.map((c) => [c.name.toLowerCase(), c]));
    const ghost = new Map(ctx.ghost.columns.map((c) => [c.name.toLowerCase(), c]));
    const keyColumns = ctx.sharedKey.originalIndex.columns;
    const findings: Finding[] = [];
    for (const pair of ctx.mapping.pairs) {
      const from = original.get(pair.from.toLowerCase());
      const to = ghost.get(pair.to.toLowerCase());
      if (from === undefined || to === undefined) continue;
      for (const risk of valueRisks(from, to)) {
        const predicate = riskPredicate(from.name, risk);
        const column = `${ctx.config.database}.${ctx.config.table}.${from.name}`;
        if (predicate === undefined) {
          findings.push({ check: this.id, severity: 'info', code: 'CHECKED_WHILE_COPYING', message: `column ${column} ${describeRisk(risk)}` });
          continue;
        }
        const probe = withTimeLimit(valueProbe({ database: ctx.config.database, table: ctx.config.table, keyColumns, column: from.name, predicate }), ctx.readerVersion, DATA_CHECK_TIME_LIMIT_MS);
        let rows: Record<string, unknown>[];
        try {
          rows = await queryRows(ctx.reader, probe.sql, probe.params);
        } catch (err) {
          if (!QUERY_TIMEOUT_ERRNOS.has(errno(err) ?? 0)) throw err;
          findings.push({
            check: this.id,
            severity: 'warning',
            code: 'DATA_CHECK_SKIPPED',
            message: `column ${column} was not checked before the copy (${describeError(err)}); the copy checks each value as it goes`,
          });
          continue;
        }
        const row = rows[0];
        if (row === undefined) continue;
        const allowedBy = riskAllowance(risk);
        findings.push({
          check: this.id,
          severity: 'error',
          code: 'DATA_WOULD_CHANGE',
          message:
            `${ctx.config.database}.${ctx.config.table}: column ${from.name} ${describeRisk(risk)}, e.g. ${describeKey(keyColumns, row)}: ${from.name}=${describeValue(row['__value'])} ` +
            `(checked on ${ctx.readerWhere}); the ALTER to ${to.columnType}${to.nullable ? '' : ' NOT NULL'} would change them. Fix the data first, or accept the change with --allow-data-loss=${allowedBy}`,
          exitCode: ExitCode.failure,
          allowedBy,
        });
      }
    }
    return findings;
  },
};
