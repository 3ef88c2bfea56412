import type { Connection } from '../db/connect.js';
import { queryValue } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { MigrationConfig } from '../config.js';
import type { Logger } from '../log.js';
import { alterTable, createTableLike, dropTable } from '../sql/ghost.js';
import { tableExists } from '../sql/inspect.js';
import { columnChanges } from '../alter/columns.js';
import type { AlterStatement } from '../alter/model.js';
import { parseAlterStatement } from '../alter/parse.js';
import { renderActions } from '../alter/render.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerContext } from '../lint/check.js';
import { openDataReader } from './data-reader.js';
import type { Finding } from '../lint/finding.js';
import { refuseOnErrors, runChecks } from '../lint/run.js';
import { isAllowed, lintForMigration, refuseUnallowed } from '../lint/gate.js';
import { tableNames, type TableNames } from './names.js';
import { addForeignKeys, foreignKeyChecksOff, foreignKeyChecksOn, type ForeignKeyDefinition } from '../sql/foreign-keys.js';
import { NO_FOREIGN_KEYS, readForeignKeys, secondNames, type ForeignKeysAround } from './foreign-keys.js';
import { tryTriggersOnCopy } from './trigger-trial.js';
import { recoverTriggersFromGhost } from '../cutover/triggers.js';
import type { SwapMethod } from '../cutover/swap.js';
import { readMovableTriggers } from './triggers.js';
import { candidateKeys, findSharedKey, mapColumns, type ColumnMapping, type SharedKey } from './shared-key.js';
import { readTableInfo, type Column, type TableInfo } from './table-info.js';

/** Everything the migration needs to know, established before anything is copied. */
export interface Plan {
  readonly version: ServerVersion;
  readonly names: TableNames;
  readonly original: TableInfo;
  readonly ghost: TableInfo;
  /** The ALTER as understood (src/alter/), and its actions rebuilt without comments: what runs. */
  readonly alter: AlterStatement;
  readonly alterClause: string;
  readonly mapping: ColumnMapping;
  readonly sharedKey: SharedKey;
  /** Data types of the shared key's columns, in key order. */
  readonly keyTypes: readonly string[];
  /** Leftover tables this run drops first (--initially-drop-*). */
  readonly drops: readonly string[];
  /** What the checks found that did not stop the run (warnings, notes, losses accepted with --allow-data-loss). */
  readonly findings: readonly Finding[];
  /** What the lint rules found (src/lint/gate.ts): errors not named with --allow stop --execute. */
  readonly lint: readonly Finding[];
  /** The original's triggers that move to the new table at the cut-over (--include-triggers), in creation order. */
  readonly triggers: readonly string[];
  /** The table's foreign keys in both directions (docs/design.md, "Foreign keys"). */
  readonly foreignKeys: ForeignKeysAround;
  /** The own keys the ghost carries, under their second names (none with --discard-foreign-keys). */
  readonly ghostForeignKeys: readonly { readonly name: string; readonly as: string }[];
}

/**
 * Inspects and validates, then tries the ALTER on a ghost table: `_T_gho` itself when executing
 * (kept for the copy), `_T_ghv` in a dry run (dropped again). Every refusal leaves the server as it
 * was: a ghost this function created is dropped before it throws.
 */
export async function createGhostAndPlan(o: {
  conn: Connection;
  version: ServerVersion;
  config: MigrationConfig;
  /** Where `conn` is (the primary): replicas for the data checks are reached with its credentials. */
  endpoint: Endpoint;
  where: string;
  log: Logger;
  /** Go on with an interrupted migration: its ghost table exists already and is reused as it is. */
  resume?: boolean;
  /** This run's table names (the old table's may be stamped: --timestamp-old-table); default tableNames(table). */
  names?: TableNames;
}): Promise<Plan> {
  const { conn, version, config, log } = o;
  const ctx: ServerContext = { conn, version, config, where: o.where };
  const serverFindings = await runChecks('server', ctx);
  report(serverFindings, log);
  refuseOnErrors(serverFindings);

  const original = await readTableInfo(conn, config.database, config.table);
  if (original === undefined) {
    throw new OschangeError('NO_SUCH_TABLE', `table ${config.database}.${config.table} does not exist (or ${config.connection.user} cannot see it)`, { exitCode: ExitCode.usage });
  }
  if (config.keepReverseSyncMs !== undefined && (original.triggers.length > 0 || original.foreignKeys.length > 0)) {
    const what = [original.triggers.length > 0 ? 'triggers' : '', original.foreignKeys.length > 0 ? 'foreign keys' : ''].filter((w) => w !== '').join(' and ');
    throw new OschangeError(
      'REVERSE_SYNC_UNSUPPORTED',
      `--keep-reverse-sync: ${config.database}.${config.table} has ${what}, which a revert does not carry back yet (README, "Rolling back"); migrate without --keep-reverse-sync`,
      { exitCode: ExitCode.usage },
    );
  }
  const tableFindings = await runChecks('table', { ...ctx, table: original });
  report(tableFindings, log);
  refuseOnErrors(tableFindings);

  const alter = parseAlterStatement(config.alter);
  refuseAlterShape(alter, config);
  const clause = renderActions(alter);
  // The table's own foreign keys are not copied by CREATE TABLE … LIKE: the ghost gets them after its
  // ALTER, under second names; the ALTER's DROP FOREIGN KEY of one of them drops it from that list.
  const foreignKeys = original.foreignKeys.length > 0 ? await readForeignKeys(conn, config.database, config.table) : NO_FOREIGN_KEYS;
  const own = ghostOwnKeys(alter, foreignKeys, config.discardForeignKeys);

  const names = o.names ?? tableNames(config.table);
  const resume = o.resume === true;
  const drops = await leftoverTables(conn, config, names, resume);
  const target = config.execute || resume ? names.ghost : names.check;
  if (config.execute) {
    // A ghost left by a run that died inside its cut-over may hold the original's triggers: back first.
    if (drops.includes(names.ghost)) await recoverTriggersFromGhost({ conn, database: config.database, original: config.table, ghost: names.ghost, log });
    for (const t of drops) await conn.query(dropTable(config.database, t).sql);
  }

  if (!resume) await conn.query(createTableLike(config.database, target, config.table).sql);
  // A resumed migration's ghost is never dropped here: it holds the work the resume goes on with.
  const dropTarget = (): Promise<unknown> => (resume ? Promise.resolve() : conn.query(dropTable(config.database, target).sql).catch(() => undefined));
  try {
    try {
      if (!resume && own.clause !== '') await conn.query(alterTable(config.database, target, own.clause).sql);
    } catch (err) {
      throw new OschangeError('ALTER_FAILED', `the ALTER failed on the ghost table: ${describeError(err)}`, { exitCode: ExitCode.usage, cause: err });
    }
    const ghostForeignKeys = resume ? [] : await addOwnForeignKeys(conn, config.database, config.table, target, own.kept);
    const ghost = await readTableInfo(conn, config.database, target);
    if (ghost === undefined) throw new Error(`ghost table ${target} vanished`);
    const mapping = mapColumns(original, ghost, columnChanges(alter, original.columns.map((c) => c.name)));
    if (mapping.missing.length > 0) {
      const list = mapping.missing.map((m) => (m.column === m.expectedAs ? m.column : `${m.column} (as ${m.expectedAs})`)).join(', ');
      throw new OschangeError(
        'COLUMN_MISSING',
        `${config.database}.${config.table}: column ${list} is not in the altered table, though the ALTER neither drops nor renames it; its values would be lost. Drop or rename it explicitly in the ALTER if that is what you mean`,
        { exitCode: ExitCode.usage },
      );
    }
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
        `no shared unique key: after the ALTER, none of the table's keys (${describeKeys(original)}) exists as a PRIMARY KEY or non-null UNIQUE key on the same columns ` +
          `(or as the leading columns of one); keep one of them${generatedKeyHint(original, mapping)}`,
        { exitCode: ExitCode.usage },
      );
    }
    if (mapping.pairs.length === 0) throw new OschangeError('NO_COLUMNS', 'the ALTER leaves no column to copy', { exitCode: ExitCode.usage });
    const byName = new Map<string, Column>(original.columns.map((c) => [c.name.toLowerCase(), c]));
    const keyTypes = sharedKey.originalIndex.columns.map((c) => byName.get(c.toLowerCase())?.dataType ?? '');
    // The data against the altered shape: values that would change, rows a new unique key would drop.
    const reader = await openDataReader({ primary: conn, endpoint: o.endpoint, version, config, log });
    let dataFindings: Finding[];
    try {
      dataFindings = await runChecks('data', { ...ctx, table: original, ghost, mapping, sharedKey, reader: reader.conn, readerWhere: reader.where, readerVersion: reader.version });
    } finally {
      await reader.close();
    }
    report(dataFindings, log);
    refuseOnErrors(dataFindings, config.allowDataLoss);
    // The lint rules: shown in the plan; an error-level finding stops --execute unless named with --allow.
    const lint = await lintForMigration({ conn, version, where: o.where, config, original, ghost, alter });
    report(lint.filter((f) => f.severity !== 'error' || isAllowed(f, config)), log);
    if (config.execute) refuseUnallowed(lint, config);
    const triggers = await tryTriggers(conn, config, original, target);
    if (!config.execute) await dropTarget();
    const findings = [...serverFindings, ...tableFindings, ...dataFindings].filter((f) => f.severity !== 'error' || (f.allowedBy !== undefined && config.allowDataLoss.has(f.allowedBy)));
    return { version, names, original, ghost, alter, alterClause: clause, mapping, sharedKey, keyTypes, drops, findings, lint, triggers, foreignKeys, ghostForeignKeys };
  } catch (err) {
    await dropTarget();
    throw err;
  }
}

/** drop_swap only matters (and only drops the old table) when child tables reference the table. */
export function swapMethod(config: Pick<MigrationConfig, 'alterForeignKeysMethod'>, plan: Pick<Plan, 'foreignKeys'>): SwapMethod {
  return config.alterForeignKeysMethod === 'drop_swap' && plan.foreignKeys.children.length > 0 ? 'drop' : 'rename';
}

/**
 * The ALTER as run on the ghost, and the own foreign keys the ghost gets afterwards: a DROP FOREIGN
 * KEY of one of the table's keys leaves the ghost's ALTER (the ghost, made LIKE the original, has
 * none to drop) and takes that key off the list. With --discard-foreign-keys the list is empty.
 */
export function ghostOwnKeys(alter: AlterStatement, fks: ForeignKeysAround, discard: boolean): { clause: string; kept: ForeignKeyDefinition[] } {
  const lower = (s: string): string => s.toLowerCase();
  const ownNames = new Set(fks.own.map((f) => lower(f.name)));
  const dropsOwn = (a: AlterStatement['actions'][number]): boolean => (a.kind === 'drop-foreign-key' || a.kind === 'drop-constraint') && ownNames.has(lower(a.name));
  const dropped = new Set(alter.actions.filter(dropsOwn).map((a) => ('name' in a && typeof a.name === 'string' ? lower(a.name) : '')));
  return {
    clause: renderActions({ ...alter, actions: alter.actions.filter((a) => !dropsOwn(a)) }),
    kept: discard ? [] : fks.own.filter((f) => !dropped.has(lower(f.name))),
  };
}

/** Adds the table's own foreign keys to the (empty) ghost under their second names; refuses when a second name is taken. */
async function addOwnForeignKeys(conn: Connection, database: string, table: string, target: string, kept: readonly ForeignKeyDefinition[]): Promise<{ name: string; as: string }[]> {
  if (kept.length === 0) return [];
  const second = await secondNames(conn, kept);
  if ('taken' in second) {
    throw new OschangeError(
      'FOREIGN_KEY_NAME_TAKEN',
      `foreign key ${second.by.name} of ${database}.${table} is carried by the new table as ${second.taken}, a name another table of ${database} already uses ` +
        `(foreign key names are unique in a schema; often the old table of an earlier migration, _${table}_del): drop that table or rename its key, then run again`,
      { exitCode: ExitCode.usage },
    );
  }
  const pairs = kept.map((fk) => ({ fk, name: second.names.get(fk) as string }));
  await conn.query(foreignKeyChecksOff().sql);
  try {
    await conn.query(addForeignKeys(database, target, pairs).sql);
  } catch (err) {
    const parents = [...new Set(kept.map((f) => `${f.parentSchema}.${f.parentTable}`))].join(', ');
    throw new OschangeError(
      'FOREIGN_KEY_NOT_CARRIED',
      `the new table cannot carry the foreign keys of ${database}.${table} (${describeError(err)}); creating them needs the REFERENCES privilege on ${parents}` +
        ' — grant it, or migrate with --discard-foreign-keys to leave them off the new table',
      { exitCode: ExitCode.usage, cause: err },
    );
  } finally {
    await conn.query(foreignKeyChecksOn().sql);
  }
  return pairs.map((p) => ({ name: p.fk.name, as: p.name }));
}

/**
 * --include-triggers: each trigger created on an empty copy of the altered ghost, so a body that
 * names a column the ALTER drops fails in the plan, not inside the cut-over lock.
 */
async function tryTriggers(conn: Connection, config: MigrationConfig, original: TableInfo, target: string): Promise<string[]> {
  if (!config.includeTriggers || original.triggers.length === 0) return [];
  const triggers = await readMovableTriggers(conn, config.database, config.table);
  const failed = await tryTriggersOnCopy({ conn, database: config.database, altered: target, scratch: `_${config.table}_ght`, triggers });
  if (failed.length > 0) {
    throw new OschangeError(
      'TRIGGER_FAILS_ON_NEW_TABLE',
      `${failed.map((f) => `trigger ${f.name} cannot be created on the altered table (${f.error})`).join('; ')}: change the trigger so that it works with the new columns, or drop it for the migration`,
      { exitCode: ExitCode.usage },
    );
  }
  return triggers.map((t) => t.name);
}

/** Why a key with a generated column did not count, when the original has one (docs/design.md, "The shared key"). */
function generatedKeyHint(original: TableInfo, mapping: ColumnMapping): string {
  const same = new Set(mapping.sameGenerated.map((g) => g.from.toLowerCase()));
  const generated = new Set(original.columns.filter((c) => c.generated).map((c) => c.name.toLowerCase()));
  const lost = candidateKeys(original).some((k) => k.columns.some((c) => generated.has(c.toLowerCase()) && !same.has(c.toLowerCase())));
  return lost
    ? '. A key with a STORED generated column is shared only when the altered table computes the column the same way: the same expression, type and storage, from columns whose type, charset and collation the ALTER leaves alone'
    : '';
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

/** ALTERs oschange does not run at all, whatever the table: refused before anything is created. */
function refuseAlterShape(alter: AlterStatement, config: MigrationConfig): void {
  if (alter.actions.length === 0) throw new OschangeError('EMPTY_ALTER', '--alter is empty: give the ALTER TABLE clause, e.g. --alter "ADD COLUMN c INT"', { exitCode: ExitCode.usage });
  const named = alter.table;
  if (named !== undefined && (named.name.toLowerCase() !== config.table.toLowerCase() || (named.database !== undefined && named.database !== config.database))) {
    const shown = named.database === undefined ? named.name : `${named.database}.${named.name}`;
    throw new OschangeError('ALTER_OTHER_TABLE', `--alter names table ${shown} but the migration is of ${config.database}.${config.table}`, { exitCode: ExitCode.usage });
  }
  if (alter.ignore) {
    throw new OschangeError(
      'ALTER_IGNORE',
      'ALTER IGNORE drops every row that breaks a new unique key, and oschange never drops rows: remove IGNORE, and remove the duplicates first (the dry run names them)',
      { exitCode: ExitCode.usage },
    );
  }
  if (alter.actions.some((a) => a.kind === 'rename-table')) {
    throw new OschangeError('ALTER_RENAMES_TABLE', 'the ALTER renames the table; oschange keeps the table name (rename it separately with RENAME TABLE)', { exitCode: ExitCode.usage });
  }
}

/** Warnings and notes go to the log; errors are thrown by refuseOnErrors. */
function report(findings: readonly Finding[], log: Logger): void {
  for (const f of findings) if (f.severity !== 'error') log[f.severity === 'warning' ? 'warn' : 'info']({ check: f.check, code: f.code }, f.message);
}
