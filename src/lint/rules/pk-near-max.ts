import { queryRows } from '../../db/connect.js';
import { columnType, integerRange, type ColumnType } from '../../inspect/column-type.js';
import type { Column } from '../../inspect/table-info.js';
import { maxValue, tableSize } from '../../sql/lint.js';
import { ident, oschangeRun, tableRef } from '../advice.js';
import type { Check } from '../check.js';
import { count } from '../quantities.js';
import { actionsWithoutAlgorithm, findColumn, finding, sameTable, tableChange } from './common.js';

/** From this share of the type's range on, the key is worth widening. */
export const PK_WARN_SHARE = 0.5;

/**
 * An integer primary key that has used half its type's range or more (its AUTO_INCREMENT counter,
 * or its highest value). Warning: when it reaches the maximum every INSERT fails, and widening it
 * then is a full copy under pressure — while an ALTER copies the table anyway, widen it in the same
 * run. Silent when the ALTER already widens the key.
 */
export const pkNearMax: Check = {
  id: 'pk-near-max',
  scope: 'live',
  severity: 'warning',
  needsServer: true,
  describe: "an integer primary key that has used half its range or more: widen it while the table is copied anyway",
  async run(ctx) {
    const change = tableChange(ctx);
    const before = ctx.shapes?.before;
    if (change === undefined || change.isNew || before === undefined) return [];
    // Once per table: at its first ALTER in the input.
    if (ctx.batch.slice(0, ctx.index).some((b) => b.statement.kind === 'alter' && sameTable(b.statement.table, change.table, ctx.database))) return [];
    const pk = before.indexes.find((i) => i.name === 'PRIMARY');
    const column = pk?.columns.length === 1 ? findColumn(before.columns, pk.columns[0] as string) : undefined;
    if (column === undefined || columnType(column).family !== 'integer') return [];
    const db = change.table.database ?? before.database;
    const size = tableSize(db, before.name);
    const [status] = await queryRows(ctx.conn, size.sql, size.params);
    const m = maxValue(db, before.name, column.name);
    const [top] = await queryRows(ctx.conn, m.sql, m.params);
    const autoIncrement = status?.['auto_increment'] == null ? undefined : BigInt(String(status['auto_increment']));
    const usage = keyUsage({ column, after: findColumn(ctx.shapes?.after.columns, column.name), autoIncrement, highest: top?.['m'] == null ? undefined : BigInt(String(top['m'])) });
    if (usage === undefined) return [];
    const { permille, used, max, type } = usage;
    const wider = `BIGINT${type.unsigned ? ' UNSIGNED' : ''} NOT NULL${autoIncrement === undefined ? '' : ' AUTO_INCREMENT'}`;
    const widen = `MODIFY COLUMN ${ident(column.name)} ${wider}`;
    const isBig = type.bytes === 8;
    return [
      finding(
        this.id,
        'warning',
        'PK_NEAR_MAX',
        `${tableRef(change.table)}.${column.name} (${column.columnType}) has used ${(permille / 10).toFixed(1)}% of its range: ${count(used)} of ${count(max)}`,
        'When an auto-increment key reaches its maximum every INSERT fails, and widening the key then means copying the whole table under pressure.',
        isBig
          ? ['Plan for it: archive or re-key old rows; BIGINT is the widest integer type.']
          : [
              `Widen it in the same run as this ALTER (widening an integer key copies the table; better once than twice): ${oschangeRun({ table: change.table, database: ctx.database, alter: `${actionsWithoutAlgorithm(change.alter)}, ${widen}` })}`,
              'Widen the columns of other tables that hold its values (their …_id columns) in the same release.',
            ],
      ),
    ];
  },
};

/**
 * How much of its type's range an integer key has used (by its AUTO_INCREMENT counter or its highest
 * value), in thousandths — or undefined when it is not an integer, is below PK_WARN_SHARE, or the
 * ALTER widens it. Whole numbers throughout: BIGINT UNSIGNED's range does not fit a double exactly.
 */
export function keyUsage(o: { column: Column; after: Column | undefined; autoIncrement: bigint | undefined; highest: bigint | undefined }): { permille: number; used: bigint; max: bigint; type: Extract<ColumnType, { family: 'integer' }> } | undefined {
  const type = columnType(o.column);
  if (type.family !== 'integer') return undefined;
  const max = BigInt(integerRange(type).max);
  if (o.after !== undefined) {
    const t = columnType(o.after);
    if (t.family === 'integer' && BigInt(integerRange(t).max) > max) return undefined;
  }
  const counter = o.autoIncrement === undefined ? 0n : o.autoIncrement - 1n;
  const highest = o.highest ?? 0n;
  const used = counter > highest ? counter : highest;
  const permille = Number((used * 1000n) / max);
  return permille < PK_WARN_SHARE * 1000 ? undefined : { permille, used, max, type };
}
