import { formatPosition } from '../binlog/types.js';
import type { Plan } from '../inspect/plan.js';
import { isLiftable, type InexactRevert } from './exactness.js';
import type { RevertStart } from './inspect.js';

/** What a revert would do, for people: the tables, where the replay starts, the columns, whether it is exact. */
export function describeRevert(o: { database: string; start: RevertStart; plan: Plan; inexact: readonly InexactRevert[]; allowInexact: boolean }): string[] {
  const { database, start, plan } = o;
  const { names } = start;
  const m = plan.mapping;
  const renamed = new Set(m.renamed.map((r) => r.from.toLowerCase()));
  const columns = [
    ...m.pairs.map((p) => (renamed.has(p.from.toLowerCase()) ? `${p.from} → ${p.to} (renamed back)` : p.from)),
    ...m.dropped.map((c) => `${c} (added by the migration: not in the old table)`),
    ...m.added.map((c) => `${c} (dropped by the migration: its default or NULL for rows written since)`),
  ];
  const lines = [
    `Revert of ${database}.${names.original}: the migration ran ALTER ${start.record.alter}`,
    `Tables: ${names.ghost} (the old schema) becomes ${names.original}; ${names.original} (the new schema) is kept as ${names.old}.`,
    `Binlog: ${names.original}'s writes since ${formatPosition(start.record.position)} are replayed into ${names.ghost} (${formatBytes(start.binlogBytes)} of binlog to read), then checksummed and swapped under a lock.`,
    `Columns: ${columns.join(', ')}; rows found by ${plan.sharedKey.originalIndex.name} (${plan.sharedKey.originalIndex.columns.join(', ')}).`,
  ];
  if (o.inexact.length === 0) {
    lines.push('Exact: yes: every row of the table fits the old schema unchanged (checked now; the write guard checks every row replayed later).');
  } else {
    const impossible = o.inexact.some((f) => !isLiftable(f));
    lines.push(`Exact: no${impossible ? ': refused (no flag lifts it)' : o.allowInexact ? ' (accepted with --allow-inexact-revert)' : ': refused without --allow-inexact-revert'}:`);
    for (const f of o.inexact) lines.push(`  ${f.message}`);
  }
  return lines;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The refusal of an inexact revert: every reason, and what to do. */
export function inexactMessage(table: string, inexact: readonly InexactRevert[]): string {
  return `revert of ${table} would not be exact: ${inexact.map((f) => f.message).join('; ')}. Nothing was changed. Fix those rows, or accept the loss with --allow-inexact-revert`;
}

/** The refusal of a revert whose replay cannot run. */
export function impossibleMessage(table: string, reasons: readonly InexactRevert[]): string {
  return `revert of ${table} is not possible: ${reasons.map((f) => f.message).join('; ')}. Nothing was changed`;
}

/**
 * The write guard's refusal during the replay, in the revert's terms: the flag that accepts a changed
 * value here is --allow-inexact-revert (a value written since the swap that the old column cannot hold;
 * the dry run says whether a row still holds one).
 */
export function guardAdviceForRevert(message: string): string {
  return message.replace(/--allow-data-loss=[a-z-]+/g, '--allow-inexact-revert');
}
