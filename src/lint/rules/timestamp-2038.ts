import { atLeast } from '../../db/flavor.js';
import { ident, oschangeRun } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { columnClause, definedColumns, finding, findColumn, tableChange, withType } from './common.js';

/**
 * A new TIMESTAMP column (or one changed to TIMESTAMP). Warning: TIMESTAMP holds seconds since 1970
 * in 32 bits — nothing after 2038-01-19 03:14:07 UTC — and expiries, schedules and retention dates
 * reach that well before 2038. Silent where the column already was a TIMESTAMP (the ALTER does not
 * bring the limit), and on MariaDB 11.5 and later, whose TIMESTAMP reaches 2106.
 * https://dev.mysql.com/doc/refman/9.4/en/datetime.html
 * https://mariadb.com/kb/en/timestamp/
 */
export const timestamp2038: Check = {
  id: 'timestamp-2038',
  scope: 'statement',
  severity: 'warning',
  describe: 'a TIMESTAMP column, which cannot hold a time after 2038-01-19 03:14:07 UTC',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined) return [];
    if (ctx.version?.flavor === 'mariadb' && atLeast(ctx.version, 11, 5)) return [];
    const { table, alter } = change;
    const out: Finding[] = [];
    for (const c of definedColumns(alter)) {
      if (c.definition.type.name !== 'TIMESTAMP') continue;
      if (c.from !== undefined && findColumn(ctx.shapes?.before.columns, c.from)?.dataType === 'timestamp') continue;
      const fsp = c.definition.type.args[0];
      const datetime = `DATETIME${fsp === undefined ? '' : `(${fsp})`}`;
      out.push(
        finding(
          this.id,
          'warning',
          'TIMESTAMP_2038',
          `${table.name}.${c.name} is TIMESTAMP: it cannot hold a time after 2038-01-19 03:14:07 UTC`,
          'TIMESTAMP counts seconds since 1970 in 32 bits: a later date is refused (strict mode) or stored as zero, and expiry, schedule and retention dates get there long before 2038.',
          [
            `Use DATETIME, storing UTC (set the session's time_zone to '+00:00', as oschange's own sessions do)${change.isNew ? `: ${ident(c.name)} ${withType(alter, c.definition, datetime)}` : `: ${oschangeRun({ table, database: ctx.database, alter: `${columnClause(c, ident)} ${withType(alter, c.definition, datetime)}` })}`}`,
            'DATETIME takes DEFAULT CURRENT_TIMESTAMP and ON UPDATE CURRENT_TIMESTAMP as TIMESTAMP does.',
          ],
        ),
      );
    }
    return out;
  },
};
