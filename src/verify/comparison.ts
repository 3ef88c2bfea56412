import type { ColumnMapping, SharedKey } from '../inspect/shared-key.js';
import { columnType } from '../inspect/column-type.js';
import type { Column, TableInfo } from '../inspect/table-info.js';
import { riskAllowance, valueRisks } from '../inspect/value-fit.js';
import type { DataLossKind } from '../lint/finding.js';
import type { Conversion } from '../sql/verify.js';

/** What the checksum compares, decided before the run starts (the plan prints it). */
export interface ComparisonPlan {
  /** Original → ghost columns; `as` converts an original column whose type the ALTER changes. */
  readonly pairs: readonly { readonly from: string; readonly to: string; readonly as?: Conversion }[];
  /** Columns the checksum cannot compare, and why. */
  readonly notCompared: readonly { readonly column: string; readonly why: string }[];
  /**
   * Why the ghost sorts the shared key differently (a key column's type, charset or collation
   * changes), or undefined. Ranges cut in the original's key order then hold other rows in the
   * ghost, so the comparison is done over the whole table instead (src/verify/whole-table.ts).
   */
  readonly keyOrderChanged: string | undefined;
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);
const STRING_TYPES = new Set(['char', 'varchar', 'binary', 'varbinary', 'tinytext', 'text', 'mediumtext', 'longtext', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/**
 * True when a value reads back with the same bytes from both columns, so it can be compared as it
 * is: the same type, or an integer type for another (INT → BIGINT), or a string of the same kind,
 * charset and collation and another length (VARCHAR(60) → VARCHAR(100)). The same goes for the key's order.
 */
export function sameValues(a: Column, b: Column): boolean {
  if (a.columnType === b.columnType && a.charset === b.charset && a.collation === b.collation) return true;
  if (INTEGER_TYPES.has(a.dataType) && INTEGER_TYPES.has(b.dataType)) return true;
  return STRING_TYPES.has(a.dataType) && a.dataType === b.dataType && a.charset === b.charset && a.collation === b.collation;
}

/** How to read an original value as the ghost's column type holds it; undefined when no conversion is exact. */
export function conversionTo(to: Column): Conversion | undefined {
  const t = columnType(to);
  switch (t.family) {
    case 'integer':
      return { kind: t.unsigned ? 'unsigned' : 'signed' };
    case 'decimal':
      return { kind: 'decimal', precision: t.precision, scale: t.scale };
    case 'float':
      return { kind: t.double ? 'double' : 'float' };
    case 'char':
    case 'text':
      return { kind: 'charset', charset: t.charset };
    case 'enum':
    case 'set':
      return to.charset === null ? undefined : { kind: 'charset', charset: to.charset };
    case 'binary':
      return { kind: 'binary', length: t.fixed ? t.maxBytes : undefined };
    case 'temporal':
      if (t.kind === 'date') return { kind: 'date' };
      if (t.kind === 'datetime' || t.kind === 'timestamp') return { kind: 'datetime', fsp: t.fsp };
      if (t.kind === 'time') return { kind: 'time', fsp: t.fsp };
      return undefined;
    case 'json':
      return { kind: 'json' };
    case 'other':
      return undefined;
  }
}

export function planComparison(plan: { readonly original: TableInfo; readonly ghost: TableInfo; readonly mapping: ColumnMapping; readonly sharedKey: SharedKey }, allowed: ReadonlySet<DataLossKind>): ComparisonPlan {
  const original = new Map(plan.original.columns.map((c) => [c.name.toLowerCase(), c]));
  const ghost = new Map(plan.ghost.columns.map((c) => [c.name.toLowerCase(), c]));
  const pairs: { from: string; to: string; as?: Conversion }[] = [];
  const notCompared: { column: string; why: string }[] = [];
  for (const p of plan.mapping.pairs) {
    const a = original.get(p.from.toLowerCase());
    const b = ghost.get(p.to.toLowerCase());
    if (a === undefined || b === undefined) continue;
    const accepted = valueRisks(a, b).find((r) => r.kind !== 'unchecked' && allowed.has(riskAllowance(r)));
    if (accepted !== undefined) {
      notCompared.push({ column: a.name, why: `its values may change: --allow-data-loss=${riskAllowance(accepted)}` });
      continue;
    }
    if (sameValues(a, b)) {
      pairs.push(p);
      continue;
    }
    const as = conversionTo(b);
    if (as === undefined) notCompared.push({ column: a.name, why: `no exact conversion from ${a.columnType} to ${b.columnType} to compare by` });
    else pairs.push({ ...p, as });
  }
  // A generated column of the shared key holds the same values in both tables (src/inspect/same-generated.ts):
  // never copied, but compared, so a ghost that computes another key for a row cannot pass.
  const keyColumns = new Set(plan.sharedKey.originalIndex.columns.map((c) => c.toLowerCase()));
  for (const g of plan.mapping.sameGenerated) if (keyColumns.has(g.from.toLowerCase())) pairs.push({ from: g.from, to: g.to });
  const changed = plan.sharedKey.originalIndex.columns.filter((name, i) => {
    const a = original.get(name.toLowerCase());
    const b = ghost.get((plan.sharedKey.ghostColumns[i] ?? '').toLowerCase());
    return a === undefined || b === undefined || !sameValues(a, b);
  });
  const keyOrderChanged =
    changed.length > 0 ? `the ALTER changes the type or collation of key column ${changed.join(', ')}, so the two tables sort their keys differently` : undefined;
  return { pairs, notCompared, keyOrderChanged };
}

/** The plan's line about the checksum. */
export function describeComparison(c: ComparisonPlan): string {
  const converted = c.pairs.filter((p) => p.as !== undefined).map((p) => p.from);
  const parts = [`compares ${c.pairs.length} column${c.pairs.length === 1 ? '' : 's'}${converted.length > 0 ? ` (${converted.join(', ')} converted to the new type)` : ''}`];
  if (c.keyOrderChanged !== undefined) parts.push('over the whole table (the key sorts differently after the ALTER)');
  if (c.notCompared.length > 0) parts.push(`not compared: ${c.notCompared.map((n) => `${n.column} (${n.why})`).join(', ')}`);
  return parts.join('; ');
}
