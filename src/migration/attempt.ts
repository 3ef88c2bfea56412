import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Applier } from '../apply/applier.js';
import { BinlogStream } from '../binlog/stream.js';
import { formatPosition, type BinlogPosition } from '../binlog/types.js';
import { startHeartbeat, writeMarker } from '../changelog/heartbeat.js';
import { Checkpointer } from '../checkpoint/checkpointer.js';
import type { Checkpoint } from '../checkpoint/store.js';
import type { MigrationConfig } from '../config.js';
import type { CopyRange } from '../copy/copier.js';
import { swapTables } from '../cutover/swap.js';
import { swapTogether } from '../cutover/swap-together.js';
import { BlockerPolicy } from '../cutover/blocker-policy.js';
import type { BlockerSource } from '../cutover/blockers.js';
import { connect, isAlive, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, OschangeError } from '../errors.js';
import { lossPoint } from '../fault-point.js';
import { guardTables, type GuardTables } from '../guard/tables.js';
import { analyzeTable } from '../sql/ghost.js';
import { ghostWriterSetup } from '../db/session.js';
import type { Hooks } from '../hooks/hooks.js';
import { swapMethod, type Plan } from '../inspect/plan.js';
import type { Logger } from '../log.js';
import type { KeyTuple } from '../sql/key-range.js';
import type { MigrationState } from '../state.js';
import { verifyPhase } from './verify-phase.js';
import { copyPhase } from './copy-phase.js';
import { startMigrationThrottler } from './throttling.js';
import { cutOverVerdict } from '../schedule/cut-over-gate.js';
import { WindowSchedule } from '../schedule/window-schedule.js';
import { checksumEstimateMs, cutOverAllowanceMs, waitForCutOverWindow } from '../schedule/window-wait.js';

/** Where an attempt starts: a fresh position before the copy, or a checkpoint. */
export interface AttemptStart {
  readonly position: BinlogPosition;
  readonly range: CopyRange | undefined;
  readonly copiedUpTo: KeyTuple | undefined;
  readonly copyDone: boolean;
}

export interface CutOverGate {
  readonly plan: Plan;
  readonly state: MigrationState;
  /** Resolves once every write committed before this call is in the ghost table. */
  waitCaughtUp(): Promise<void>;
}

/**
 * A table beside the first in a migration that swaps several in one cut-over (docs/design.md,
 * "Several tables in one cut-over"): its own view of the settings (its table and ALTER) and its plan.
 * Its copy, checksum and ghost are its own; the stream, applier, throttler and cut-over are shared.
 */
export interface AlsoTable {
  readonly config: MigrationConfig;
  readonly plan: Plan;
}

export interface AttemptContext {
  readonly config: MigrationConfig;
  readonly log: Logger;
  readonly now: () => number;
  readonly state: MigrationState;
  readonly plan: Plan;
  readonly endpoint: Endpoint;
  readonly version: ServerVersion;
  readonly hooks: Hooks;
  readonly identity: Pick<Checkpoint, 'alter' | 'originalSchema' | 'ghostSchema' | 'oldTable'>;
  readonly start: AttemptStart;
  /** The migration's signal: a stop, a panic. */
  readonly signal: AbortSignal;
  /** Stops the whole migration (panic flag, critical load). */
  readonly abortMigration: (reason: Error) => void;
  readonly printStatus: () => void;
  /** First attempt of this process: hooks that mark one-time moments run only then. */
  readonly firstAttempt: boolean;
  readonly beforeCutOver?: ((gate: CutOverGate) => Promise<void>) | undefined;
  /** --force-kill-blockers-after: where the server shows who holds a lock (checked before the plan). */
  readonly blockerSource?: BlockerSource | undefined;
  /** More tables, swapped with the first in one RENAME; a fresh start only (no checkpoint is kept). */
  readonly alsoTables?: readonly AlsoTable[] | undefined;
}

const CATCH_UP_TIMEOUT_MS = 60_000;
const TEARDOWN_MS = 5000;
const STATE_HINT = 'state';

/**
 * One run of the engine, from opening the binlog stream at `start` to a completed swap: heartbeat,
 * stream, applier, checkpoints and throttler beside the copy; then the cut-over gates, the checksum
 * and the cut-over. Everything it opens it closes. A lost connection makes it throw an error that
 * isTransientError() recognizes, and the migrator starts a new attempt from the last checkpoint.
 * Resolves with the cut-over's lock time in ms.
 */
export async function runAttempt(ctx: AttemptContext): Promise<number> {
  const { config, log, now, state, plan, endpoint, version, hooks, start } = ctx;
  const { names } = plan;
  const tables: readonly AlsoTable[] = [{ config, plan }, ...(ctx.alsoTables ?? [])];
  const several = tables.length > 1;
  if (several && (start.copyDone || start.range !== undefined)) throw new Error('several tables in one cut-over start fresh: they keep no checkpoint to resume from');
  const guards = tables.map((t) => guardTables(t.plan, config.database, config.allowDataLoss));
  const guard = guards[0] as (typeof guards)[number];
  const attempt = new AbortController();
  const fail = (err: unknown): void => {
    if (!attempt.signal.aborted) attempt.abort(err instanceof Error ? err : new Error(String(err)));
  };
  const onMigrationAbort = (): void => fail(ctx.signal.reason);
  if (ctx.signal.aborted) onMigrationAbort();
  ctx.signal.addEventListener('abort', onMigrationAbort, { once: true });
  const connections: Connection[] = [];
  const open = async (): Promise<Connection> => {
    const c = await connect(endpoint);
    connections.push(c);
    return c;
  };
  const background: Promise<unknown>[] = [];
  const track = (p: Promise<unknown>): void => void background.push(p.catch(fail));
  let stream: BinlogStream | undefined;
  let checkpointer: Checkpointer | undefined;
  let swapped = false;
  try {
    const control = await open();
    const heartbeatConn = await open();
    track(startHeartbeat({ conn: heartbeatConn, database: config.database, changelog: names.changelog, intervalMs: config.heartbeatIntervalMs, now, log, signal: attempt.signal }));
    stream = await BinlogStream.open({
      endpoint,
      serverId: config.replicaServerId,
      database: config.database,
      table: config.table,
      alsoTables: tables.slice(1).map((t) => t.config.table),
      changelogTable: names.changelog,
      start: start.position,
      log: log.child({ module: 'binlog' }),
    });
    log.info({ position: formatPosition(start.position) }, 'binlog stream opened');
    state.backlogCapacity = 20_000;
    state.streamerPosition = start.position;
    // Every event before the start is in the ghost (fresh: there are none that matter; resumed: the checkpoint says so).
    state.safeAppliedPosition = start.position;
    state.copyRange = start.range;
    state.copiedUpTo = start.copiedUpTo;
    const applyConn = await open();
    for (const s of ghostWriterSetup()) await applyConn.query(s.sql);
    const applier = new Applier({
      conn: applyConn,
      source: stream,
      guard,
      pairs: plan.mapping.pairs,
      alsoTargets: tables.slice(1).map((t, i) => ({ guard: guards[i + 1] as GuardTables, pairs: t.plan.mapping.pairs })),
      state,
      log: log.child({ module: 'apply' }),
      retries: config.defaultRetries,
    });
    track(
      applier.run(attempt.signal).catch((err: unknown) => {
        // The write guard's refusals say what they are; anything else is named as the applier's.
        if (err instanceof OschangeError) throw err;
        throw new OschangeError('APPLY_FAILED', `applying binlog events failed: ${describeError(err)}`, { cause: err });
      }),
    );
    const markerConn = await open();
    const waitCaughtUp = async (timeoutMs = CATCH_UP_TIMEOUT_MS): Promise<void> => {
      const token = randomBytes(8).toString('hex');
      const reached = applier.waitForMarker(STATE_HINT, token, timeoutMs, attempt.signal);
      // When the marker cannot be written, the wait is abandoned: its rejection must not go unhandled.
      reached.catch(() => undefined);
      await writeMarker(markerConn, config.database, names.changelog, STATE_HINT, token);
      await reached;
    };
    // Several tables keep no checkpoint: a checkpoint holds one table's copy (docs/design.md,
    // "Several tables in one cut-over"); such a run that stops starts over.
    checkpointer = several
      ? undefined
      : new Checkpointer({
          conn: await open(),
          database: config.database,
          table: names.checkpoint,
          identity: ctx.identity,
          state,
          intervalMs: config.checkpointIntervalMs,
          log: log.child({ module: 'checkpoint' }),
        });
    lossPoint('attempt:before-first-checkpoint');
    // Without a first checkpoint a lost connection would have nothing to go on from: it must be saved.
    if (checkpointer !== undefined && !(await checkpointer.save())) throw new Error(`could not save the first checkpoint to ${names.checkpoint} (the log says why)`);
    if (checkpointer !== undefined) track(checkpointer.run(attempt.signal));

    // --- throttling: decided continuously beside the copy; a panic stops everything.
    const throttler = await startMigrationThrottler({ ctx, control, signal: attempt.signal, background: (p) => background.push(p), track });

    // --- copy (what an interrupted run copied is not copied again); several tables one after another.
    if (!start.copyDone) {
      await copyPhase({ config, tables, guards, start, endpoint, version, state, throttler, checkpointer, hooks, open, firstAttempt: ctx.firstAttempt, printStatus: ctx.printStatus, now, log, signal: attempt.signal });
    }
    state.copyStartedAtMs ??= now();
    state.copyEndedAtMs ??= now();

    // --- wait for the cut-over gates: caught up, postpone flag.
    state.phase = 'waiting for cut-over';
    await waitReplayed(waitCaughtUp, state, attempt.signal);
    const postponed = (): boolean => !state.unpostponeRequested && state.postponeCutOverFlagFile !== undefined && existsSync(state.postponeCutOverFlagFile);
    if (postponed()) {
      state.phase = 'postponing cut-over';
      ctx.printStatus();
      await hooks.run('begin-postponed');
      // The applier keeps the ghost in sync meanwhile; deleting the file or `unpostpone` goes on.
      while (postponed()) {
        attempt.signal.throwIfAborted();
        await sleep(200, undefined, { signal: attempt.signal });
      }
      state.phase = 'waiting for cut-over';
      await waitCaughtUp();
    }

    const cutOverWindow = config.windows.cutOver.length > 0 ? new WindowSchedule(config.windows.cutOver) : undefined;
    const windowWait = (neededMs: number, what: string): Promise<void> =>
      waitForCutOverWindow({ schedule: cutOverWindow, neededMs, what, now, state, log, printStatus: ctx.printStatus, signal: attempt.signal });
    const allowanceMs = cutOverAllowanceMs(config.cutOverLockTimeoutSeconds);
    await windowWait((config.checksum ? checksumEstimateMs(state) : 0) + allowanceMs, config.checksum ? 'checksum and the cut-over' : 'cut-over');

    // --- the checksum: the ghost must hold exactly the original's rows before the swap.
    if (config.checksum) {
      state.phase = 'verifying';
      // Several tables one after another; the status and the Done line count them all.
      const sum = { chunks: 0, repairs: 0, startedAtMs: now() };
      for (const t of tables) {
        const verifyLog = log.child({ module: 'verify', ...(several ? { table: t.config.table } : {}) });
        await verifyPhase({ config: t.config, plan: t.plan, version, state, now, log: verifyLog, open, waitCaughtUp: () => waitCaughtUp(), signal: attempt.signal });
        sum.chunks += state.verifyChunks;
        sum.repairs += state.verifyRepairs;
      }
      if (several && state.verifyEndedAtMs !== undefined) {
        state.verifyChunks = sum.chunks;
        state.verifyRepairs = sum.repairs;
        state.verifyStartedAtMs = sum.startedAtMs;
      }
      ctx.printStatus();
      state.phase = 'waiting for cut-over';
    }
    if (ctx.beforeCutOver !== undefined) await ctx.beforeCutOver({ plan, state, waitCaughtUp: () => waitCaughtUp() });
    attempt.signal.throwIfAborted();

    if (config.analyzeGhostTableBeforeCutOver) {
      for (const t of tables) {
        log.info({ table: t.plan.names.ghost }, 'analyzing the ghost table before the cut-over');
        await control.query(analyzeTable(config.database, t.plan.names.ghost).sql);
      }
    }

    // --- cut-over, retried; the original table stays untouched on every failed attempt.
    await hooks.run('before-cut-over');
    state.phase = 'cutting over';
    ctx.printStatus();
    // --force-kill-blockers-after: attempts after N lock timeouts kill what the lock waits behind.
    const blockers = new BlockerPolicy({ source: ctx.blockerSource, after: config.forceKillBlockersAfter });
    for (let n = 1; ; n++) {
      attempt.signal.throwIfAborted();
      // A checksum that outlasted the window, or a retry near its end: the swap waits for the next one.
      if (cutOverWindow !== undefined && !cutOverVerdict({ schedule: cutOverWindow, nowMs: now(), neededMs: allowanceMs }).go) {
        state.phase = 'waiting for cut-over';
        await windowWait(allowanceMs, 'cut-over');
        state.phase = 'cutting over';
        ctx.printStatus();
      }
      state.cutOverAttempts++;
      await waitCaughtUp();
      stream.expectTableChange();
      try {
        if (several) {
          // docs/design.md, "Several tables in one cut-over": every table held, the ghosts caught up,
          // one RENAME handed the tables one by one.
          const result = await swapTogether({
            connect: () => connect(endpoint),
            database: config.database,
            version,
            tables: tables.map((t) => t.plan.names),
            lockTimeoutSeconds: config.cutOverLockTimeoutSeconds,
            flush: async () => {
              await waitCaughtUp(config.cutOverLockTimeoutSeconds * 1000);
              // Every write to the originals applied, none can come: the revert's start (src/revert/record.ts).
              state.cutOverPosition = state.safeAppliedPosition;
            },
            log: log.child({ module: 'cutover' }),
            now,
            signal: attempt.signal,
          });
          swapped = true;
          return result.lockMs;
        }
        const result = await swapTables({
          connect: () => connect(endpoint),
          control,
          database: config.database,
          names,
          lockTimeoutSeconds: config.cutOverLockTimeoutSeconds,
          waitForAllEvents: async (timeoutMs) => {
            await waitCaughtUp(timeoutMs);
            // Under the lock, every write to the original applied: the revert's start (src/revert/record.ts).
            state.cutOverPosition = state.safeAppliedPosition;
          },
          log: log.child({ module: 'cutover' }),
          now,
          signal: attempt.signal,
          killBlockers: blockers.next(),
          // docs/design.md, "Triggers" and "Foreign keys": what moves inside the lock.
          method: swapMethod(config, plan),
          moveTriggers: plan.triggers.length > 0,
          ownSessions: new Set(connections.flatMap((c) => (c.threadId === null ? [] : [c.threadId]))),
        });
        swapped = true;
        return result.lockMs;
      } catch (err) {
        // A lost connection goes to the migrator, which finds out whether the swap went through.
        if (attempt.signal.aborted || !(await isAlive(control))) throw err;
        blockers.failed(err);
        if (n >= config.defaultRetries) {
          throw new OschangeError('CUTOVER_FAILED', `cut-over failed after ${n} attempt(s), the original table is untouched: ${describeError(err)}`, { cause: err });
        }
        log.warn({ attempt: n, err: describeError(err) }, 'cut-over attempt failed; the original table is untouched; retrying');
        await sleep(Math.min(5000, 500 * n), undefined, { signal: attempt.signal });
      }
    }
  } catch (err) {
    // A background failure (applier, heartbeat, throttler) is the real reason the flow stopped.
    throw attempt.signal.aborted && attempt.signal.reason instanceof Error ? attempt.signal.reason : err;
  } finally {
    fail(new Error('attempt ended'));
    ctx.signal.removeEventListener('abort', onMigrationAbort);
    // Teardown after a lost connection must not wait on that connection: everything is bounded.
    if (!(await within(Promise.allSettled(background), TEARDOWN_MS))) log.warn('background tasks did not stop in time; going on without them');
    // A last checkpoint with the applier stopped: an interrupted run resumes from exactly where it
    // stopped, not from the last periodic save (on a dead connection this fails and the periodic one stands).
    if (checkpointer !== undefined && !swapped) await within(checkpointer.save(), TEARDOWN_MS);
    if (stream !== undefined) {
      const closing = stream.close().catch((e: unknown) => log.error({ err: describeError(e) }, 'closing the binlog stream failed'));
      if (!(await within(closing, TEARDOWN_MS))) log.warn('the binlog stream did not close in time; abandoning it');
    }
    await within(Promise.allSettled(connections.map((c) => c.end())), TEARDOWN_MS);
    for (const c of connections) c.destroy();
  }
}

/**
 * The first catch-up after a start from an old position (a resume whose copy was done, a revert) may
 * have far more binlog to replay than one catch-up's time allows: waits again for as long as the
 * applier moves on, and gives up only when it stands still.
 */
async function waitReplayed(waitCaughtUp: () => Promise<void>, state: MigrationState, signal: AbortSignal): Promise<void> {
  for (;;) {
    const before = state.appliedPosition;
    try {
      return await waitCaughtUp();
    } catch (err) {
      const after = state.appliedPosition;
      const moved = after !== undefined && (before === undefined || after.file !== before.file || after.position !== before.position);
      if (signal.aborted || !moved) throw err;
    }
  }
}

/** True when `p` settled within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = p.then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

