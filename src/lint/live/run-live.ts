import { columnChanges, composeChanges, type ColumnChanges } from '../../alter/columns.js';
import type { AlterStatement } from '../../alter/model.js';
import type { TableName } from '../../alter/statement.js';
import type { Connection } from '../../db/connect.js';
import type { Endpoint } from '../../db/dsn.js';
import type { ServerVersion } from '../../db/flavor.js';
import { findSharedKey, mapColumns } from '../../inspect/shared-key.js';
import { readTableInfo, type TableInfo } from '../../inspect/table-info.js';
import type { Check, CheckConfig, LintStatement, LiveContext, StatementContext, TableShapes } from '../check.js';
import { describeError } from '../../errors.js';
import type { Finding } from '../finding.js';
import { runChecks } from '../run.js';
import { createdEarlier, actionsWithoutAlgorithm } from '../rules/common.js';
import { ScratchTables } from './scratch.js';
import { measureSize } from './size.js';
import { tryAlgorithms, type AlgorithmTrial, type TableSize } from './trial.js';

export interface LintServer {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly endpoint: Endpoint;
  /** `127.0.0.1:3306`, for messages. */
  readonly where: string;
}

/** What lint knows of one table while it goes through the input: the table itself, and its altered copy. */
interface TableState {
  readonly original: TableInfo;
  /** lint's empty copy, or why it could not make one (a read-only replica, no CREATE privilege). */
  readonly scratch: string | { readonly failed: string };
  /** ALTERs of the table seen so far. */
  alters: number;
  /** What the input's ALTERs of it so far do to its columns, together; undefined before the first the server accepted. */
  changes: ColumnChanges | undefined;
  /** Measured at its first ALTER, for the later ones too. */
  size: TableSize | undefined;
  /** Data findings already reported for it (a later ALTER's checks see the earlier ones' changes again). */
  readonly seen: Set<string>;
}

/**
 * Lint with a server, statement by statement, in order. For an ALTER of an existing table: the
 * table's shape; the ALTER tried on lint's empty copy of it (which keeps each accepted ALTER, so a
 * file's second ALTER of a table is tried on the shape the first one left); the table's data
 * checked against the shape its ALTERs leave so far; at its first ALTER also the table checks and a
 * timed sample copy. Then every enabled rule. The copies are dropped in a `finally`.
 */
export async function lintWithServer(o: {
  server: LintServer;
  batch: readonly LintStatement[];
  database: string | undefined;
  checks: readonly Check[];
  now: () => number;
  signal?: AbortSignal;
}): Promise<Finding[][]> {
  const { conn, version, where } = o.server;
  const scratch = new ScratchTables(conn);
  const tables = new Map<string, TableState | 'missing'>();
  const out: Finding[][] = [];
  const enabled = (scope: Check['scope']): readonly Check[] => o.checks.filter((c) => c.scope === scope);
  try {
    for (let index = 0; index < o.batch.length; index++) {
      o.signal?.throwIfAborted();
      const item = o.batch[index] as LintStatement;
      const base: StatementContext = { item, batch: o.batch, index, database: o.database, shapes: undefined, version };
      const findings: Finding[] = [];
      let shapes: TableShapes | undefined;
      let trial: AlgorithmTrial | undefined;
      let size: TableSize | undefined;
      const s = item.statement;
      if (s.kind === 'alter' && !createdEarlier(base, s.table)) {
        const checked = await checkAlter({ ...o, conn, version, where, scratch, tables, alter: s.alter, table: s.table, enabled });
        findings.push(...checked.findings);
        ({ shapes, trial, size } = checked);
      }
      const ctx: StatementContext = { ...base, shapes };
      for (const rule of enabled('statement')) if (rule.scope === 'statement') findings.push(...rule.run(ctx));
      const live: LiveContext = { ...ctx, conn, version, where, user: o.server.endpoint.user, trial, size };
      for (const rule of enabled('live')) if (rule.scope === 'live') findings.push(...(await rule.run(live)));
      out.push(findings);
    }
  } finally {
    const left = await scratch.dropAll();
    if (left.length > 0) {
      out.at(-1)?.push({ check: 'alter-algorithm', severity: 'warning', code: 'SCRATCH_LEFT', message: `could not drop lint's empty copies: ${left.join('; ')}; drop them by hand` });
    }
  }
  return out;
}

/**
 * One ALTER of an existing table: tried on lint's copy of the table; the table and data checks
 * against the shape the input's ALTERs of it leave so far (each finding once per table); and the
 * timed sample at its first ALTER.
 */
async function checkAlter(o: {
  server: LintServer;
  conn: Connection;
  version: ServerVersion;
  where: string;
  database: string | undefined;
  checks: readonly Check[];
  now: () => number;
  scratch: ScratchTables;
  tables: Map<string, TableState | 'missing'>;
  table: TableName;
  alter: AlterStatement;
  enabled: (scope: Check['scope']) => readonly Check[];
}): Promise<{ findings: Finding[]; shapes: TableShapes | undefined; trial: AlgorithmTrial | undefined; size: TableSize | undefined }> {
  const { conn, version, where } = o;
  const database = o.table.database ?? o.database;
  const key = `${database ?? ''}.${o.table.name}`;
  let state = o.tables.get(key);
  if (state === undefined && database !== undefined) {
    const original = await readTableInfo(conn, database, o.table.name);
    const scratch = original === undefined ? undefined : await o.scratch.copyOf(database, o.table.name).catch((err: unknown) => ({ failed: describeError(err) }));
    state = original === undefined || scratch === undefined ? 'missing' : { original, scratch, alters: 0, changes: undefined, size: undefined, seen: new Set() };
    o.tables.set(key, state);
  }
  if (state === 'missing' || state === undefined || database === undefined) return { findings: [tableNotFound(o.table, database, where)], shapes: undefined, trial: undefined, size: undefined };
  const findings: Finding[] = [];
  const server = { conn, version, config: { database, table: o.table.name, connection: o.server.endpoint, throttleControlReplicas: [] } satisfies CheckConfig, where };
  const first = state.alters++ === 0;
  if (first) findings.push(...(await runChecks('table', { ...server, table: state.original }, o.checks)));
  if (typeof state.scratch !== 'string') {
    if (first) findings.push({ check: 'alter-algorithm', severity: 'info', code: 'NO_EMPTY_COPY', message: `lint could not make an empty copy of ${o.table.name} to try its ALTERs on (${state.scratch.failed}): what the server does with them, the copy's cost and the data checks were skipped` });
    return { findings, shapes: undefined, trial: undefined, size: undefined };
  }
  const scratch = state.scratch;
  // The shape this ALTER starts from: the table's own, or what the input's earlier ALTERs of it left.
  const current = state.changes === undefined ? undefined : await readTableInfo(conn, database, scratch);
  const before = current === undefined ? state.original : { ...current, name: o.table.name };
  const actions = actionsWithoutAlgorithm(o.alter);
  const trial = actions === '' ? undefined : await tryAlgorithms({ conn, version, database, scratch, actions, table: o.table.name });
  const after = trial?.outcome.kind === 'accepted' ? await readTableInfo(conn, database, scratch) : undefined;
  if (after !== undefined) {
    const firstAccepted = state.changes === undefined;
    const own = columnChanges(o.alter, before.columns.map((c) => c.name));
    state.changes = state.changes === undefined ? own : composeChanges(state.changes, own);
    const mapping = mapColumns(state.original, after, state.changes);
    const sharedKey = mapping.missing.length === 0 ? findSharedKey(state.original, after, mapping) : undefined;
    if (firstAccepted && o.enabled('live').some((c) => c.id === 'copy-estimate')) {
      state.size = await measureSize({ conn, database, table: o.table.name, scratch, mapping, sharedKey, now: o.now });
      await o.scratch.empty(database, scratch);
    }
    if (sharedKey !== undefined) {
      const data = { ...server, table: state.original, ghost: after, mapping, sharedKey, reader: conn, readerWhere: where, readerVersion: version };
      for (const f of await runChecks('data', data, o.checks)) {
        if (state.seen.has(f.message)) continue;
        state.seen.add(f.message);
        findings.push(f);
      }
    }
  }
  return { findings, shapes: after === undefined ? undefined : { before, after: { ...after, name: o.table.name } }, trial, size: state.size };
}

function tableNotFound(table: TableName, database: string | undefined, where: string): Finding {
  return {
    check: 'alter-algorithm',
    severity: 'info',
    code: 'TABLE_NOT_FOUND',
    message:
      database === undefined
        ? `${table.name}: no database given (--database), so it was not checked against the server`
        : `table ${database}.${table.name} does not exist on ${where}: the statement was not checked against the server`,
  };
}
