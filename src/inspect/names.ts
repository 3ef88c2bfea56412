import { OschangeError, ExitCode } from '../errors.js';

/** gh-ost's table names: `_T_gho` (ghost), `_T_ghc` (changelog), `_T_del` (old table after the swap); ours: `_T_ghk` (checkpoint). */
export interface TableNames {
  readonly original: string;
  readonly ghost: string;
  readonly changelog: string;
  /** Progress saved for --resume (src/checkpoint/). */
  readonly checkpoint: string;
  /** The original after the swap: `_T_del`, or with --timestamp-old-table `_T_<yyyymmddhhmmss>_del`. */
  readonly old: string;
  /** Where a dry run tries the ALTER (created and dropped again). */
  readonly check: string;
  /**
   * The cut-over's sentry. Its name must sort after the original's (see cutover/swap.ts),
   * so it extends the original's name instead of following gh-ost's `_T_del`.
   */
  readonly sentry: string;
}

/** MySQL and MariaDB identifiers are at most 64 characters. */
const MAX_IDENTIFIER = 64;

export function tableNames(table: string, o: { readonly old?: string | undefined } = {}): TableNames {
  const names = { original: table, ghost: `_${table}_gho`, changelog: `_${table}_ghc`, checkpoint: `_${table}_ghk`, old: o.old ?? `_${table}_del`, check: `_${table}_ghv`, sentry: `${table}_osc_sentry` };
  for (const n of [names.ghost, names.changelog, names.checkpoint, names.old, names.sentry]) {
    if ([...n].length > MAX_IDENTIFIER) {
      const stamped = n === names.old && o.old !== undefined;
      throw new OschangeError(
        'TABLE_NAME_TOO_LONG',
        `table name ${table} is too long: its helper table ${n} would exceed MySQL's ${MAX_IDENTIFIER}-character limit` +
          (stamped ? ` (with --timestamp-old-table; without it the old table is _${table}_del, ${[...`_${table}_del`].length} characters)` : ''),
        { exitCode: ExitCode.usage },
      );
    }
  }
  return names;
}

/**
 * gh-ost's --timestamp-old-table: `_T_<yyyymmddhhmmss>_del`, stamped with when the migration started
 * (UTC), so the old tables of repeated migrations do not collide. The name is saved in the checkpoint:
 * a resumed run keeps it.
 */
export function timestampedOldTable(table: string, startedAtMs: number): string {
  const d = new Date(startedAtMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  return `_${table}_${stamp}_del`;
}
