import { ident, oschangeRun } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { columnClause, definedColumns, finding, tableChange, withType } from './common.js';

/** Words that name money in a column name (its parts split at `_` and case changes). */
const MONEY = new Set([
  'price', 'prices', 'amount', 'amounts', 'cost', 'costs', 'total', 'totals', 'subtotal', 'balance', 'balances', 'fee', 'fees', 'tax', 'taxes', 'vat',
  'salary', 'wage', 'wages', 'revenue', 'payment', 'payments', 'payout', 'charge', 'charges', 'refund', 'discount', 'credit', 'debit', 'money', 'cash',
  'budget', 'spend', 'income', 'profit', 'earnings', 'commission', 'tip', 'deposit', 'withdrawal', 'cents', 'usd', 'eur', 'gbp',
]);
const APPROXIMATE = new Set(['FLOAT', 'DOUBLE', 'DOUBLE PRECISION', 'REAL', 'FLOAT4', 'FLOAT8']);

/** `unitPrice` → unit, price; `total_usd` → total, usd. */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((p) => p !== '');
}

/**
 * FLOAT/DOUBLE for a column whose name says money (price, amount, total_usd, …). Warning: binary
 * floating point cannot hold 0.10 exactly — sums drift by cents and equality tests fail — but
 * the name is only a hint. Applies to new tables too: the type is wrong from the first row.
 */
export const floatForMoney: Check = {
  id: 'float-for-money',
  scope: 'statement',
  severity: 'warning',
  describe: 'FLOAT or DOUBLE for a money-like column (price, amount, total, …): sums drift, equality fails',
  run(ctx) {
    const change = tableChange(ctx);
    if (change === undefined) return [];
    const { table, alter } = change;
    const out: Finding[] = [];
    for (const c of definedColumns(alter)) {
      if (!APPROXIMATE.has(c.definition.type.name) || !nameParts(c.name).some((p) => MONEY.has(p))) continue;
      const decimal = `${columnClause(c, ident)} ${withType(alter, c.definition, 'DECIMAL(19,4)')}`;
      out.push(
        finding(
          this.id,
          'warning',
          'FLOAT_FOR_MONEY',
          `${table.name}.${c.name} is ${c.definition.type.name}: money needs an exact type`,
          'FLOAT and DOUBLE hold binary fractions: 0.10 is stored as 0.100000001…, so sums drift by cents and tests of equality fail.',
          [
            `Use DECIMAL (exact; 19,4 holds up to 10^15 with 4 decimals)${change.isNew ? ` in the table's definition: ${ident(c.name)} ${withType(alter, c.definition, 'DECIMAL(19,4)')}` : `: ${oschangeRun({ table, database: ctx.database, alter: decimal })}`}`,
            'Or store whole cents in a BIGINT.',
          ],
        ),
      );
    }
    return out;
  },
};
