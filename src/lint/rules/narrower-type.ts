import { columnType } from '../../inspect/column-type.js';
import type { Column } from '../../inspect/table-info.js';
import { valueRisks, type ValueRisk } from '../../inspect/value-fit.js';
import { oschangeLint, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { actionsWithoutAlgorithm, definedColumns, finding, findColumn, tableChange } from './common.js';

/**
 * A column whose new type holds less than the old one: shorter, smaller, fewer decimals or ENUM/SET
 * members, a charset with fewer characters, NOT NULL. Warning: from the swap on, the server rejects
 * (strict mode) or clips writes the old type took — code deployed now may still send them; stored
 * values that do not fit are the data check `values-fit`'s business (an error, with an example
 * row). Needs the table's shape: the old type is only known to the server.
 */
export const narrowerType: Check = {
  id: 'narrower-type',
  scope: 'statement',
  severity: 'warning',
  needsServer: true,
  describe: 'a narrower type, fewer ENUM/SET members, a smaller charset or NOT NULL: writes the old type took are refused',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined || change.isNew || ctx.shapes === undefined) return [];
    const { table, alter } = change;
    const out: Finding[] = [];
    for (const c of definedColumns(alter)) {
      if (c.from === undefined) continue;
      const from = findColumn(ctx.shapes.before.columns, c.from);
      const to = findColumn(ctx.shapes.after.columns, c.name);
      if (from === undefined || to === undefined) continue;
      // Across type families (INT → VARCHAR, DATETIME → DATE aside) a change is a conversion, not a
      // narrowing: the data check values-fit judges those values; NULL is the one thing said here.
      const risks = valueRisks(from, to).filter((r) => r.kind === 'null' || family(from) === family(to));
      const lost = risks.flatMap(describe);
      if (lost.length === 0) continue;
      const clause = actionsWithoutAlgorithm(alter);
      out.push(
        finding(
          this.id,
          'warning',
          'NARROWER_TYPE',
          `${table.name}.${from.name}: ${from.columnType}${from.nullable ? '' : ' NOT NULL'} → ${to.columnType}${to.nullable ? '' : ' NOT NULL'} no longer takes ${lost.join(', ')}`,
          'From the swap on the server refuses (in strict mode) or clips writes the old type accepted, and code deployed now may still send them; stored values that do not fit would be changed by the copy, which oschange refuses unless you accept it (--allow-data-loss).',
          [
            `See whether stored values fit (the data checks name the first row that does not): ${oschangeLint({ table, database: ctx.database, alter: clause })}`,
            `Deploy code that checks the new limit before it writes to ${tableRef(table)}.`,
            'Fix the rows that do not fit (UPDATE …), in batches by primary key.',
            `Then change the type: ${oschangeRun({ table, database: ctx.database, alter: clause })}`,
          ],
        ),
      );
    }
    return out;
  },
};

/** A type's family, CHAR/VARCHAR and TEXT counted as one. */
function family(c: Column): string {
  const f = columnType(c).family;
  return f === 'char' || f === 'text' ? 'string' : f;
}

/** What a value risk means for writes: "values longer than 20 characters". Type changes that are no narrowing say nothing. */
function describe(r: ValueRisk): string[] {
  switch (r.kind) {
    case 'null':
      return ['NULL'];
    case 'chars':
      return [`values longer than ${r.max} characters`];
    case 'bytes':
      return [`values longer than ${r.max} bytes`];
    case 'charset':
      return [`characters ${r.to} cannot store`];
    case 'trailing-spaces':
      return ['trailing spaces (CHAR drops them)'];
    case 'range':
      return [`numbers outside ${r.min} to ${r.max}`];
    case 'scale':
      return [`more than ${r.scale} decimal places`];
    case 'float':
      return ['exact decimals (FLOAT and DOUBLE are approximate)'];
    case 'members':
      return [`other values than ${r.members.map((m) => `'${m}'`).join(', ')}`];
    case 'set-members':
      return ['the SET members it drops'];
    case 'fsp':
      return [`fractional seconds beyond ${r.fsp} digits`];
    case 'time-part':
      return ['times of day'];
    case 'timestamp-range':
      return ["dates outside TIMESTAMP's range (1970 to 2038)"];
    case 'json':
      return ['text that is not valid JSON'];
    case 'unchecked':
      return [];
  }
}
