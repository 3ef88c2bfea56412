import type { Connection } from '../db/connect.js';
import { queryValue } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { MigrationConfig } from '../config.js';
import type { Logger } from '../log.js';
import { alterTable, createTableLike, dropTable } from '../sql/ghost.js';
import { tableExists } from '../sql/inspect.js';
import { parseAlter } from './alter-parse.js';
import { checkBinlogSettings } from './checks/binlog-settings.js';
import { checkPrivileges } from './checks/privileges.js';
import { checkColumnTypes, checkEngine, checkHasUniqueKey, checkNoForeignKeys, checkNoTriggers } from './checks/table-shape.js';
import type { CheckContext, TableCheckContext } from './checks/types.js';
import { tableNames, type TableNames } from './names.js';
import { findSharedKey, mapColumns, type ColumnMapping, type SharedKey } from './shared-key.js';
import { readTableInfo, type Column, type TableInfo } from './table-info.js';

/** Everything the migration needs to know, established before anything is copied. */
export interface Plan {
  readonly version: ServerVersion;
  readonly names: TableNames;
  readonly original: TableInfo;
  readonly ghost: TableInfo;
  readonly alterClause: string;
  readonly mapping: ColumnMapping;
  readonly sharedKey: SharedKey;
  /** Data types of the shared key's columns, in key order. */
  readonly keyTypes: readonly string[];
  /** Leftover tables this run drops first (--initially-drop-*). */
  readonly drops: readonly string[];
}

/**
 * Inspects and validates, then tries the ALTER on a ghost table: `_T_gho` itself when executing
 * (kept for the copy), `_T_ghv` in a dry run (dropped again). Every refusal leaves the server as it
 * was: a ghost this function created is dropped before it throws.
 */
export async function inspectAndPlan(o: {
  conn: Connection;
  version: ServerVersion;
  config: MigrationConfig;
  where: string;
  log: Logger;
  /** Go on with an interrupted migration: its ghost table exists already and is reused as it is. */
  resume?: boolean;
}): Promise<Plan> {
  const { conn, version, config, log } = o;
  const ctx: CheckContext = { conn, version, config, where: o.where };
  await checkBinlogSettings(ctx);
  const privileges = await checkPrivileges(ctx);
  if (privileges.unsure) log.warn('the user has roles: could not confirm every privilege from SHOW GRANTS');

  const original = await readTableInfo(conn, config.database, config.table);
  if (original === undefined) {
    throw new OschangeError('NO_SUCH_TABLE', `table ${config.database}.${config.table} does not exist (or ${config.connection.user} cannot see it)`, { exitCode: ExitCode.usage });
  }
  const tctx: TableCheckContext = { ...ctx, table: original };
  for (const check of [checkEngine, checkHasUniqueKey, checkNoForeignKeys, checkNoTriggers, checkColumnTypes]) check(tctx);

  const parsed = parseAlter(config.alter);
  if (parsed.clause === '') throw new OschangeError('EMPTY_ALTER', '--alter is empty: give the ALTER TABLE clause, e.g. --alter "ADD COLUMN c INT"', { exitCode: ExitCode.usage });
  if (parsed.namedTable !== undefined && parsed.namedTable.toLowerCase() !== config.table.toLowerCase()) {
    throw new OschangeError('ALTER_OTHER_TABLE', `--alter names table ${parsed.namedTable} but --table is ${config.table}`, { exitCode: ExitCode.usage });
  }
  if (parsed.renamesTable) {
    throw new OschangeError('ALTER_RENAMES_TABLE', 'the ALTER renames the table; oschange keeps the table name (rename it separately with RENAME TABLE)', { exitCode: ExitCode.usage });
  }

  const names = tableNames(config.table);
  const resume = o.resume === true;
  const drops = await leftoverTables(conn, config, names, resume);
  const target = config.execute || resume ? names.ghost : names.check;
  if (config.execute) {
    for (const t of drops) await conn.query(dropTable(config.database, t).sql);
  }

  if (!resume) await conn.query(createTableLike(config.database, target, config.table).sql);
  // A resumed migration's ghost is never dropped here: it holds the work the resume goes on with.
  const dropTarget = (): Promise<unknown> => (resume ? Promise.resolve() : conn.query(dropTable(config.database, target).sql).catch(() => undefined));
  try {
    try {
      if (!resume) await conn.query(alterTable(config.database, target, parsed.clause).sql);
    } catch (err) {
      throw new OschangeError('ALTER_FAILED', `the ALTER failed on the ghost table: ${describeError(err)}`, { exitCode: ExitCode.usage, cause: err });
    }
    const ghost = await readTableInfo(conn, config.database, target);
    if (ghost === undefined) throw new Error(`ghost table ${target} vanished`);
    const mapping = mapColumns(original, ghost, parsed.renames);
    if (mapping.renamed.length > 0 && !config.approveRenamedColumns) {
      const list = mapping.renamed.map((r) => `${r.from} → ${r.to}`).join(', ');
      throw new OschangeError(
        'RENAME_NOT_APPROVED',
        `the ALTER renames column ${list}; check the mapping is what you mean, then pass --approve-renamed-columns to copy the values across`,
        { exitCode: ExitCode.usage },
      );
    }
    const sharedKey = findSharedKey(original, ghost, mapping);
    if (sharedKey === undefined) {
      throw new OschangeError(
        'NO_SHARED_KEY',
        `no shared unique key: after the ALTER, none of the table's keys (${describeKeys(original)}) exists as a PRIMARY KEY or non-null UNIQUE key on the same columns; keep one of them`,
        { exitCode: ExitCode.usage },
      );
    }
    if (mapping.pairs.length === 0) throw new OschangeError('NO_COLUMNS', 'the ALTER leaves no column to copy', { exitCode: ExitCode.usage });
    const byName = new Map<string, Column>(original.columns.map((c) => [c.name.toLowerCase(), c]));
    const keyTypes = sharedKey.originalIndex.columns.map((c) => byName.get(c.toLowerCase())?.dataType ?? '');
    if (!config.execute) await dropTarget();
    return { version, names, original, ghost, alterClause: parsed.clause, mapping, sharedKey, keyTypes, drops };
  } catch (err) {
    await dropTarget();
    throw err;
  }
}

function describeKeys(t: TableInfo): string {
  const keys = t.indexes.filter((i) => i.unique).map((i) => `${i.name} (${i.columns.join(', ')})`);
  return keys.length === 0 ? 'none' : keys.join('; ');
}

/** Tables an earlier run left behind; refused unless the operator asked to drop them. */
async function leftoverTables(conn: Connection, config: MigrationConfig, names: TableNames, resume: boolean): Promise<string[]> {
  const exists = async (t: string): Promise<boolean> => {
    const s = tableExists(config.database, t);
    return Number(await queryValue(conn, s.sql, s.params)) > 0;
  };
  const drops: string[] = [];
  const interrupted = !resume && (await exists(names.checkpoint));
  for (const t of resume ? [] : [names.ghost, names.changelog, names.checkpoint]) {
    if (!(await exists(t))) continue;
    if (!config.initiallyDropGhostTable) {
      throw new OschangeError(
        'LEFTOVER_GHOST',
        interrupted
          ? `table ${config.database}.${t} already exists: an interrupted migration of ${config.database}.${config.table} left its ghost and checkpoint (${names.checkpoint}); ` +
              'go on with it with --resume (same --alter), or start over with --initially-drop-ghost-table'
          : `table ${config.database}.${t} already exists (left by an earlier run?): drop it, or pass --initially-drop-ghost-table`,
        { exitCode: ExitCode.usage },
      );
    }
    drops.push(t);
  }
  // A resume owns the sentry of its own interrupted cut-over: it is dropped before going on.
  if (resume && (await exists(names.sentry))) drops.push(names.sentry);
  for (const t of [names.old, ...(resume ? [] : [names.sentry])]) {
    if (!(await exists(t))) continue;
    if (!config.initiallyDropOldTable) {
      throw new OschangeError(
        'LEFTOVER_OLD',
        `table ${config.database}.${t} already exists (${t === names.old ? 'the old table of an earlier migration?' : 'the sentry of an interrupted cut-over?'}): drop it, or pass --initially-drop-old-table`,
        { exitCode: ExitCode.usage },
      );
    }
    drops.push(t);
  }
  if (!config.execute && (await exists(names.check))) {
    throw new OschangeError('LEFTOVER_CHECK', `table ${config.database}.${names.check} exists (left by an interrupted dry run?): drop it first`, { exitCode: ExitCode.usage });
  }
  return drops;
}
