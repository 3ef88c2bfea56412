import { columnChanges } from '../alter/columns.js';
import { parseAlterStatement } from '../alter/parse.js';
import { renderActions } from '../alter/render.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { Plan } from '../inspect/plan.js';
import { NO_FOREIGN_KEYS } from '../inspect/foreign-keys.js';
import { findSharedKey, mapColumns } from '../inspect/shared-key.js';
import { readTableInfo, type Column } from '../inspect/table-info.js';
import { reverseChanges } from './mapping.js';
import { revertNames } from './names.js';

/**
 * A migration plan read backwards: the table (new schema) is the original, `_T_del` (old schema)
 * the ghost, the columns mapped by the migration's ALTER reversed (src/revert/mapping.ts), and the
 * shared key found as a migration finds it. Only reads; the applier, the write guard and the
 * checksum take it as they take a migration's plan.
 */
export async function reversePlan(o: { conn: Connection; version: ServerVersion; database: string; table: string; oldTable: string | undefined; alter: string }): Promise<Plan> {
  const names = revertNames(o.table, o.oldTable);
  const where = `${o.database}.${o.table}`;
  const current = await readTableInfo(o.conn, o.database, names.original);
  if (current === undefined) throw new OschangeError('NO_SUCH_TABLE', `revert: table ${where} does not exist`, { exitCode: ExitCode.usage });
  const old = await readTableInfo(o.conn, o.database, names.ghost);
  if (old === undefined) {
    throw new OschangeError('REVERT_NO_OLD_TABLE', `revert: the old table ${o.database}.${names.ghost} is gone (dropped with --ok-to-drop-table, or by hand): there is nothing to revert to`, {
      exitCode: ExitCode.usage,
    });
  }
  if (current.triggers.length > 0 || current.foreignKeys.length > 0 || old.foreignKeys.length > 0) {
    throw new OschangeError(
      'REVERT_UNSUPPORTED',
      `revert: ${where} has ${current.triggers.length > 0 ? `triggers (${current.triggers.join(', ')})` : 'foreign keys'}, which a revert does not carry back: drop them, revert, and create them again on the reverted table`,
      { exitCode: ExitCode.usage },
    );
  }
  const alter = parseAlterStatement(o.alter);
  const forward = columnChanges(alter, old.columns.map((c) => c.name));
  const mapping = mapColumns(current, old, reverseChanges(forward, current.columns.map((c) => c.name)));
  if (mapping.missing.length > 0) {
    const list = mapping.missing.map((m) => `${m.column} (as ${m.expectedAs})`).join(', ');
    throw new OschangeError('REVERT_MISMATCH', `revert: column ${list} of ${where} has no column in ${names.ghost}; the tables are not what the migration left`, { exitCode: ExitCode.usage });
  }
  if (mapping.pairs.length === 0) throw new OschangeError('NO_COLUMNS', `revert: no column of ${where} maps to ${names.ghost}`, { exitCode: ExitCode.usage });
  const sharedKey = findSharedKey(current, old, mapping);
  if (sharedKey === undefined) {
    throw new OschangeError('NO_SHARED_KEY', `revert: ${where} and ${names.ghost} share no unique key (PRIMARY KEY or non-null UNIQUE key on the same columns)`, { exitCode: ExitCode.usage });
  }
  const byName = new Map<string, Column>(current.columns.map((c) => [c.name.toLowerCase(), c]));
  const keyTypes = sharedKey.originalIndex.columns.map((c) => byName.get(c.toLowerCase())?.dataType ?? '');
  // Triggers and foreign keys are not carried back (yet): the swap back would leave them on `_T_rev`.
  return { version: o.version, names, original: current, ghost: old, alter, alterClause: renderActions(alter), mapping, sharedKey, keyTypes, drops: [], findings: [], lint: [], triggers: [], foreignKeys: NO_FOREIGN_KEYS, ghostForeignKeys: [] };
}
