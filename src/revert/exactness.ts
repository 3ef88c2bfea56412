import { queryRows, type Connection } from '../db/connect.js';
import type { Plan } from '../inspect/plan.js';
import type { Column } from '../inspect/table-info.js';
import { describeRisk, valueRisks } from '../inspect/value-fit.js';
import { columnDefaults, writtenValueProbe, type WrittenTest } from '../sql/revert.js';
import { riskPredicate, valueProbe } from '../sql/value-fit.js';
import { describeKey, describeValue } from '../status/describe-row.js';

/**
 * A reason the revert cannot give back exactly what the table holds, with the row that shows it.
 * NO_VALUE_FOR_NOT_NULL is about the schema, not a row, and no flag lifts it: the replay itself fails.
 */
export interface InexactRevert {
  readonly code: 'ADDED_COLUMN_WRITTEN' | 'VALUE_DOES_NOT_FIT' | 'NO_VALUE_FOR_NOT_NULL';
  readonly message: string;
}

/** Inexact reasons that --allow-inexact-revert accepts (values lost or changed); the others make the replay impossible. */
export function isLiftable(f: InexactRevert): boolean {
  return f.code !== 'NO_VALUE_FOR_NOT_NULL';
}

/**
 * Columns of the old table that are NOT NULL without a default and that no column of the new table
 * fills (the migration dropped them): the replay writes each row by an INSERT, insert-or-update
 * included, which the server refuses without a value for such a column (1364) — any write since
 * the swap makes the revert impossible, and on a live table there are writes.
 */
export async function unfillableColumns(conn: Connection, database: string, plan: Plan): Promise<string[]> {
  const defaults = await readDefaults(conn, database, plan.names.ghost);
  return plan.ghost.columns
    .filter((c) => {
      const d = defaults.get(c.name.toLowerCase());
      const mapped = plan.mapping.pairs.some((p) => p.to.toLowerCase() === c.name.toLowerCase());
      return !c.generated && !mapped && d !== undefined && !d.nullable && !d.hasDefault;
    })
    .map((c) => c.name);
}

interface ColumnDefault {
  readonly name: string;
  readonly hasDefault: boolean;
  readonly nullable: boolean;
  /** MySQL's `DEFAULT (expr)`: DEFAULT(c) cannot read it. */
  readonly expression: boolean;
}

/** How to tell a written value from the column's own (src/sql/revert.ts WrittenTest). */
export function writtenTest(c: ColumnDefault): WrittenTest {
  if (c.nullable && !c.hasDefault) return 'not-null';
  if (!c.hasDefault || c.expression) return 'any';
  return 'not-default';
}

/**
 * The checks before a revert (docs/design.md, "Revert"), read-only, each stopping at its first row:
 * 1. a column the migration added (the old table lacks it) holding a written value: the revert loses it;
 * 2. a column whose type the migration changed holding a value the old type cannot store unchanged
 *    (longer, out of range, NULL in a column that was NOT NULL…: the migration's own value checks,
 *    src/inspect/value-fit.ts, from the new type to the old);
 * 3. an old NOT NULL column without a default that the new table lacks (unfillableColumns).
 */
export async function findInexact(o: { conn: Connection; database: string; plan: Plan }): Promise<InexactRevert[]> {
  const { conn, database, plan } = o;
  const table = plan.names.original;
  const where = `${database}.${table}`;
  const keyColumns = plan.sharedKey.originalIndex.columns;
  const found: InexactRevert[] = [];
  const first = async (s: { sql: string; params: readonly unknown[] }): Promise<Record<string, unknown> | undefined> => (await queryRows(conn, s.sql, s.params))[0];

  const lost = plan.original.columns.filter((c) => !c.generated && plan.mapping.dropped.some((d) => d.toLowerCase() === c.name.toLowerCase()));
  if (lost.length > 0) {
    const defaults = await readDefaults(conn, database, table);
    for (const c of lost) {
      const d = defaults.get(c.name.toLowerCase());
      if (d === undefined) continue;
      const row = await first(writtenValueProbe({ database, table, keyColumns, column: c.name, test: writtenTest(d) }));
      if (row === undefined) continue;
      found.push({
        code: 'ADDED_COLUMN_WRITTEN',
        message: `column ${c.name} (added by the migration, not in ${plan.names.ghost}) holds values the revert would lose, e.g. ${describeKey(keyColumns, row)}: ${c.name}=${describeValue(row['__value'])}`,
      });
    }
  }

  const oldColumns = new Map(plan.ghost.columns.map((c) => [c.name.toLowerCase(), c]));
  const newColumns = new Map(plan.original.columns.map((c) => [c.name.toLowerCase(), c]));
  for (const pair of plan.mapping.pairs) {
    const from = newColumns.get(pair.from.toLowerCase());
    const to = oldColumns.get(pair.to.toLowerCase());
    if (from === undefined || to === undefined) continue;
    for (const risk of valueRisks(from, to)) {
      const predicate = riskPredicate(from.name, risk);
      // Untestable up front: the write guard judges every value the revert writes (src/guard/).
      if (predicate === undefined) continue;
      const row = await first(valueProbe({ database, table, keyColumns, column: from.name, predicate }));
      if (row === undefined) continue;
      found.push({
        code: 'VALUE_DOES_NOT_FIT',
        message: `column ${from.name} ${describeRisk(risk)}, e.g. ${describeKey(keyColumns, row)}: ${from.name}=${describeValue(row['__value'])}; the old column ${to.name} ${describeType(to)} cannot hold it unchanged`,
      });
    }
  }

  for (const c of await unfillableColumns(conn, database, plan)) {
    found.push({
      code: 'NO_VALUE_FOR_NOT_NULL',
      message: `the old table's column ${c} is NOT NULL without a default and ${table} has no values for it: no write since the swap can be replayed into ${plan.names.ghost} (the server refuses a row without it)`,
    });
  }
  return found.map((f) => ({ ...f, message: `${where}: ${f.message}` }));
}

function describeType(c: Column): string {
  return `${c.columnType}${c.nullable ? '' : ' NOT NULL'}`;
}

async function readDefaults(conn: Connection, database: string, table: string): Promise<Map<string, ColumnDefault>> {
  const s = columnDefaults(database, table);
  const rows = await queryRows(conn, s.sql, s.params);
  return new Map(rows.map((r) => [String(r['name']).toLowerCase(), parseDefault(r)]));
}

/** One information_schema.COLUMNS row. MariaDB writes a NULL default as the text `NULL` (a string default is quoted). */
export function parseDefault(r: Record<string, unknown>): ColumnDefault {
  const raw = r['column_default'];
  const text = raw === null || raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
  const extra = String(r['extra'] ?? '');
  return {
    name: String(r['name']),
    hasDefault: text !== undefined && text !== 'NULL',
    nullable: String(r['is_nullable']).toUpperCase() === 'YES',
    expression: /\bDEFAULT_GENERATED\b/i.test(extra),
  };
}
