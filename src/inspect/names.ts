import { OschangeError, ExitCode } from '../errors.js';

/** gh-ost's table names: `_T_gho` (ghost), `_T_ghc` (changelog), `_T_del` (old table after the swap); ours: `_T_ghk` (checkpoint). */
export interface TableNames {
  readonly original: string;
  readonly ghost: string;
  readonly changelog: string;
  /** Progress saved for --resume (src/checkpoint/). */
  readonly checkpoint: string;
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

export function tableNames(table: string): TableNames {
  const names = { original: table, ghost: `_${table}_gho`, changelog: `_${table}_ghc`, checkpoint: `_${table}_ghk`, old: `_${table}_del`, check: `_${table}_ghv`, sentry: `${table}_osc_sentry` };
  for (const n of [names.ghost, names.changelog, names.checkpoint, names.old, names.sentry]) {
    if ([...n].length > MAX_IDENTIFIER) {
      throw new OschangeError(
        'TABLE_NAME_TOO_LONG',
        `table name ${table} is too long: its helper table ${n} would exceed MySQL's ${MAX_IDENTIFIER}-character limit`,
        { exitCode: ExitCode.usage },
      );
    }
  }
  return names;
}
