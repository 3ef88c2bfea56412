import { setTimeout as sleep } from 'node:timers/promises';
import { startControlServer } from '../control/server.js';
import { backfillTarget } from '../control/backfill-target.js';
import { queryRows, type Connection } from '../db/connect.js';
import { RunScope } from '../run-scope.js';
import { takeOperatorSettings } from '../state.js';
import { startStatusTicker } from '../status/ticker.js';
import { describeVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { backfillChunk, backfillChunkEnd } from '../sql/backfill.js';
import { createBackfillCheckpointTable, insertBackfillCheckpoint, writeBackfillProgress } from '../sql/backfill-checkpoint.js';
import { createChangelogTable } from '../sql/changelog.js';
import { dropTable } from '../sql/ghost.js';
import type { Throttler } from '../throttle/throttler.js';
import { decideBackfillStart, progressRow, type BackfillCheckpoint } from './checkpoint.js';
import { BACKFILL_DEFAULTS, type BackfillConfig } from './config.js';
import { backfillTableNames } from './names.js';
import { countRows, planBackfill, type BackfillPlan } from './plan.js';
import { backfillDoneLine, backfillNumbers, backfillStatusLine, describeBackfill } from './report.js';
import { openChunkSession } from './session.js';
import { connectToPrimary } from '../db/primary.js';
import { defaultBackfillSocketPath } from './socket-path.js';
import { BackfillState } from './state.js';
import { startThrottling } from './throttling.js';
import { keyTuple, MIN_CHUNK_ROWS, walkChunks } from './walker.js';

export interface BackfillDeps {
  readonly config: BackfillConfig;
  readonly log: Logger;
  /** User-facing lines: the plan, the status line, the end line. */
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  /** Where status lines go (default: `out`). */
  readonly status?: (line: string) => void;
  /** Receives the live state as soon as it exists (tests watch it). */
  readonly observe?: (state: BackfillState) => void;
}

export interface BackfillResult {
  readonly executed: boolean;
  readonly rowsMatched: number;
  readonly rowsChanged: number;
  readonly chunks: number;
  readonly throttledMs: number;
  readonly elapsedMs: number;
}

/**
 * One backfill, start to end (docs/design.md, "Backfill"): connect, plan (read only), decide
 * fresh or resume, count, describe — the dry run ends there — then its own tables, the socket,
 * heartbeat and throttler beside the chunk walk, and the cleanup.
 */
export async function runBackfill(deps: BackfillDeps): Promise<BackfillResult> {
  const { config, log, out } = deps;
  const now = deps.now ?? Date.now;
  const state = newState(config, now());
  deps.observe?.(state);
  const scope = new RunScope(deps.signal, () => new OschangeError('INTERRUPTED', 'stopped by signal', { exitCode: ExitCode.interrupted }));
  const stop = (reason: Error): void => scope.abort(reason);
  let checkpointTable: string | undefined;
  let chunkConn: Connection | undefined;
  const elapsed = (): number => now() - state.startedAtMs;
  const result = (executed: boolean): BackfillResult => ({ executed, rowsMatched: state.rowsMatched, rowsChanged: state.rowsChanged, chunks: state.chunks, throttledMs: state.throttledMs, elapsedMs: elapsed() });

  try {
    // The primary, followed from a replica as for a migration.
    const primary = await connectToPrimary({ endpoint: config.connection, database: config.database, assumeMasterHost: undefined, log });
    scope.adopt(primary.conn);
    const plan = await planBackfill({ conn: primary.conn, config });
    const saved = await decideBackfillStart({ conn: primary.conn, config, plan });
    if (saved !== undefined) restore(state, saved);
    const count = await countRows({ endpoint: primary.endpoint, version: primary.version, config, estimate: plan.table.rowEstimate });
    state.tableRows = count.total;
    state.matchingAtStart = count.matching;
    const chunks = await exampleChunks(primary.conn, config, plan, saved);
    for (const line of describeBackfill({ config, target: plan.target, server: `${describeVersion(primary.version)} at ${primary.where}`, count, checkpointTable: plan.names.checkpoint, chunks, resumed: saved })) out(line);
    if (!config.execute) {
      out('Dry run: nothing was changed. Add --execute to run the backfill.');
      return result(false);
    }

    // A stop that came while it looked: nothing is created.
    scope.signal.throwIfAborted();

    // --- its own tables: the checkpoint (kept from here on until the walk is done) and the heartbeat.
    await prepareTables(primary.conn, config, plan, state, saved === undefined);
    checkpointTable = plan.names.checkpoint;
    // The message is made when the backfill has stopped (stoppedError): the chunk in flight counts.
    const panicked = (reason: string): OschangeError => new OschangeError('PANIC', reason);
    const control$ = await startControlServer({
      socketPath: config.serveSocketFile ?? defaultBackfillSocketPath(config.database, config.table),
      target: backfillTarget({ state, config, statusLine: () => backfillStatusLine(state, plan.target.key.columns, now()), onPanic: (reason) => stop(panicked(reason)) }),
      log: log.child({ module: 'control' }),
    });
    scope.onClose(() => control$.close());
    log.info({ socket: control$.socketPath }, 'serving commands (try: echo status | nc -U SOCKET)');
    const throttler = await startThrottling({ primary, config, plan, state, log, now, signal: scope.signal, fail: stop, onPanic: (reason) => stop(panicked(reason)), track: (p) => scope.track(p) });

    const printStatus = (): void => (deps.status ?? out)(backfillStatusLine(state, plan.target.key.columns, now()));
    const ticker = startStatusTicker({ print: printStatus, fixedMs: config.statusIntervalMs, cadenceMs: () => statusCadenceMs(state, now()) });
    scope.onClose(() => ticker.stop());

    // --- the walk
    chunkConn = scope.adopt(await openChunkSession(primary.endpoint, config, log));
    state.backfillPhase = 'backfilling';
    state.walkStartedAtMs = now();
    if (saved?.done !== true) await walk({ conn: chunkConn, config, plan, state, throttler, now, log }, scope.signal);
    state.walkEndedAtMs = now();

    // --- done: its tables go, the end line says what it did.
    ticker.stop();
    state.backfillPhase = 'done';
    printStatus();
    checkpointTable = undefined;
    await primary.conn.query(dropTable(config.database, plan.names.checkpoint).sql);
    await primary.conn.query(dropTable(config.database, plan.names.changelog).sql);
    out(backfillDoneLine(state, config, elapsed()));
    return result(true);
  } catch (err) {
    state.backfillPhase = scope.signal.aborted ? 'stopped' : 'failed';
    // The last counters (time throttled since the last chunk) on the chunk session, now idle.
    if (checkpointTable !== undefined && chunkConn !== undefined) {
      const s = writeBackfillProgress(config.database, checkpointTable, progressRow({ ...state, done: false }));
      await chunkConn.query(s.sql, [...s.params]).catch((e: unknown) => log.warn({ err: describeError(e) }, 'saving the last checkpoint failed'));
      // The heartbeat table holds nothing a resume needs (it is made anew).
      await chunkConn.query(dropTable(config.database, backfillTableNames(config.table).changelog).sql).catch(() => undefined);
    }
    throw stoppedError(err, { config, state, started: checkpointTable !== undefined, signal: scope.signal });
  } finally {
    await scope.close('backfill ended');
  }
}

function newState(config: BackfillConfig, nowMs: number): BackfillState {
  const state = new BackfillState({ nowMs, chunkSize: config.chunkSize, chunkTimeMs: config.chunkTimeMs, dmlBatchSize: 1 });
  takeOperatorSettings(state, config);
  return state;
}

/** A resume starts from the checkpoint's counters. */
function restore(state: BackfillState, saved: BackfillCheckpoint): void {
  state.doneUpTo = saved.doneUpTo;
  state.rowsWalked = saved.rowsWalked;
  state.rowsMatched = saved.rowsMatched;
  state.rowsChanged = saved.rowsChanged;
  state.chunks = saved.chunks;
  state.busyMs = saved.busyMs;
  state.throttledMs = saved.throttledMs;
  state.before = { rowsWalked: saved.rowsWalked, chunks: saved.chunks, busyMs: saved.busyMs, throttledMs: saved.throttledMs };
}

/** The walk, asking the throttler before each chunk and sleeping --nice-ratio after it. */
function walk(o: { conn: Connection; config: BackfillConfig; plan: BackfillPlan; state: BackfillState; throttler: Throttler; now: () => number; log: Logger }, signal: AbortSignal): Promise<void> {
  const { state, now } = o;
  return walkChunks(
    {
      conn: o.conn,
      target: o.plan.target,
      keyTypes: o.plan.keyTypes,
      set: o.config.expressions.set,
      where: o.config.expressions.where,
      checkpointTable: o.plan.names.checkpoint,
      state,
      minChunkRows: Math.min(MIN_CHUNK_ROWS, o.config.chunkSize),
      retries: BACKFILL_DEFAULTS.retries,
      log: o.log.child({ module: 'backfill' }),
      beforeChunk: async (s) => {
        if (state.throttleReason === undefined) return;
        const from = now();
        try {
          await o.throttler.waitWhileThrottled(s);
        } finally {
          state.throttledMs += now() - from;
        }
      },
      afterChunk: async (chunkMs, s) => {
        if (state.niceRatio > 0) await sleep(chunkMs * state.niceRatio, undefined, { signal: s });
      },
    },
    signal,
  );
}

/** The statements the dry run shows: the first chunk (with its bounds), a middle one, the last. */
async function exampleChunks(conn: Connection, config: BackfillConfig, plan: BackfillPlan, saved: BackfillCheckpoint | undefined) {
  const after = saved?.doneUpTo;
  const end = backfillChunkEnd({ ...plan.target, after, size: config.chunkSize });
  const [row] = await queryRows(conn, end.sql, end.params);
  const firstEnd = row === undefined ? undefined : keyTuple(row, plan.target.key.columns, plan.keyTypes);
  const chunk = (a: typeof after, upTo: typeof after) => backfillChunk({ ...plan.target, set: config.expressions.set, where: config.expressions.where, after: a, upTo });
  if (firstEnd === undefined) {
    const only = chunk(after, undefined);
    return { first: only, middle: only, last: only, only: true };
  }
  return { first: chunk(after, firstEnd), middle: chunk(firstEnd, firstEnd), last: chunk(firstEnd, undefined), only: false };
}

/**
 * The checkpoint table (fresh: created with the backfill's identity; resumed: kept as it is) and
 * the heartbeat table, which holds nothing worth keeping and is made anew.
 */
async function prepareTables(conn: Connection, config: BackfillConfig, plan: BackfillPlan, state: BackfillState, fresh: boolean): Promise<void> {
  const { database } = config;
  await conn.query(dropTable(database, plan.names.changelog).sql);
  await conn.query(createChangelogTable(database, plan.names.changelog).sql);
  if (!fresh) return;
  await conn.query(createBackfillCheckpointTable(database, plan.names.checkpoint).sql);
  const identity = { setExpression: config.setText, whereExpression: config.whereText, keyName: plan.target.key.indexName, keyColumns: JSON.stringify(plan.target.key.columns) };
  const s = insertBackfillCheckpoint(database, plan.names.checkpoint, identity, progressRow({ ...state, done: false }));
  await conn.query(s.sql, [...s.params]);
}

/** Every second for the first minute and near the end, every 5 s under 3 minutes to go, every 30 s otherwise. */
function statusCadenceMs(state: BackfillState, nowMs: number): number {
  const { etaMs } = backfillNumbers(state, nowMs);
  if (nowMs - state.startedAtMs < 60_000 || (etaMs !== undefined && etaMs < 10_000)) return 1000;
  if (etaMs !== undefined && etaMs < 180_000) return 5000;
  return 30_000;
}

/** What is kept after a stop, and how to go on. */
function keptText(config: BackfillConfig, state: BackfillState): string {
  return (
    `the ${state.chunks} chunks done stay done (rows matched: ${state.rowsMatched}, changed: ${state.rowsChanged}); ` +
    `the checkpoint ${config.database}.${backfillTableNames(config.table).checkpoint} is kept: go on with --resume (same --set and --where)`
  );
}

/** The error a backfill ends with: a stop or a panic says what is kept, a failure after the start how to go on. */
function stoppedError(err: unknown, o: { config: BackfillConfig; state: BackfillState; started: boolean; signal: AbortSignal }): unknown {
  const reason = o.signal.aborted && o.signal.reason instanceof OschangeError ? o.signal.reason : err;
  if (reason instanceof OschangeError && reason.code === 'INTERRUPTED') {
    return new OschangeError('INTERRUPTED', o.started ? `stopped by signal: ${keptText(o.config, o.state)}` : 'stopped by signal; nothing was changed', { exitCode: ExitCode.interrupted, cause: err });
  }
  if (reason instanceof OschangeError && reason.code === 'PANIC') return new OschangeError('PANIC', `stopped: ${reason.message}; ${keptText(o.config, o.state)}`, { cause: err });
  if (reason instanceof OschangeError || !o.started) return reason;
  return new OschangeError('BACKFILL_FAILED', `the backfill failed: ${describeError(reason)}; ${keptText(o.config, o.state)}`, { cause: reason });
}
