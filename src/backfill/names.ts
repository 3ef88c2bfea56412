import { ExitCode, OschangeError } from '../errors.js';

/**
 * `oschange backfill`'s own tables, named as the migration's are (src/inspect/names.ts): `_T_bfk`
 * holds the checkpoint, `_T_bfc` the heartbeat that replica lag is read from (the changelog's shape,
 * src/sql/changelog.ts).
 */
export interface BackfillTableNames {
  readonly checkpoint: string;
  readonly changelog: string;
}

/** MySQL and MariaDB identifiers are at most 64 characters. */
const MAX_IDENTIFIER = 64;

export function backfillTableNames(table: string): BackfillTableNames {
  const names = { checkpoint: `_${table}_bfk`, changelog: `_${table}_bfc` };
  for (const n of [names.checkpoint, names.changelog]) {
    if ([...n].length > MAX_IDENTIFIER) {
      throw new OschangeError('TABLE_NAME_TOO_LONG', `table name ${table} is too long: its helper table ${n} would exceed MySQL's ${MAX_IDENTIFIER}-character limit`, { exitCode: ExitCode.usage });
    }
  }
  return names;
}
