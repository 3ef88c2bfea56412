import type { TableNames } from '../inspect/names.js';
import { tableNames } from '../inspect/names.js';

/**
 * The tables of a revert, as the cut-over sees them (docs/design.md, "Revert"): the table T (new
 * schema) plays the original, `_T_del` (old schema) plays the ghost, and T goes to `_T_rev` when
 * the tables are swapped back — kept, as a migration keeps `_T_del`. The revert record `_T_ghr` has
 * the checkpoint's shape (src/sql/checkpoint.ts); the changelog is the migration's `_T_ghc`.
 */
export function revertNames(table: string, oldTable?: string): TableNames {
  const forward = tableNames(table);
  return {
    original: table,
    // The migration's old table: `_T_del`, or the name --timestamp-old-table gave it (the record says).
    ghost: oldTable ?? forward.old,
    changelog: forward.changelog,
    checkpoint: revertRecordTable(table),
    old: revertedTable(table),
    check: forward.check,
    sentry: forward.sentry,
  };
}

/** `_T_ghr`: where the cut-over's binlog position is recorded, and the reverse sync's progress. */
export function revertRecordTable(table: string): string {
  return `_${table}_ghr`;
}

/** `_T_rev`: the table with the new schema, once a revert has swapped the old one back. */
export function revertedTable(table: string): string {
  return `_${table}_rev`;
}
