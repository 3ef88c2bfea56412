import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { Applier } from './apply/applier.js';
import { BinlogStream, currentBinlogPosition } from './binlog/stream.js';
import { formatPosition } from './binlog/types.js';
import { startHeartbeat, writeMarker } from './changelog/heartbeat.js';
import type { MigrationConfig } from './config.js';
import { copyRows, isMemberType, readCopyRange } from './copy/copier.js';
import { sentrySwap } from './cutover/sentry-swap.js';
import { connect, queryValue, type Connection } from './db/connect.js';
import type { Endpoint } from './db/dsn.js';
import { describeVersion, parseServerVersion } from './db/flavor.js';
import { resolvePrimary } from './db/primary.js';
import { prepareWriterSession } from './db/session.js';
import { describeError, ExitCode, OschangeError } from './errors.js';
import { inspectAndPlan, type Plan } from './inspect/plan.js';
import { tableNames } from './inspect/names.js';
import { Hooks } from './hooks/hooks.js';
import { startControlServer } from './control/server.js';
import { defaultSocketPath } from './control/socket-path.js';
import { migrationTarget } from './control/migration-target.js';
import type { Logger } from './log.js';
import { createChangelogTable } from './sql/changelog.js';
import { dropTable } from './sql/ghost.js';
import { countRows } from './sql/inspect.js';
import { MigrationState } from './state.js';
import { statusIntervalMs, statusLine } from './status/format.js';
import { discoverReplicas, ReplicaLag } from './throttle/replica-lag.js';
import { Throttler } from './throttle/throttler.js';
import { describePlan } from './status/plan-report.js';

export interface MigrationDeps {
  readonly config: MigrationConfig;
  readonly log: Logger;
  /** User-facing lines: the plan, the status line, the result. */
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  /**
   * Called once the copy is done and the ghost is in sync, right before the cut-over; the
   * migration waits for it. Tests use it as a programmable postponed cut-over.
   */
  readonly beforeCutOver?: (gate: CutOverGate) => Promise<void>;
  /** Receives the live state as soon as it exists (the control socket and tests watch it). */
  readonly observe?: (state: MigrationState) => void;
}

export interface CutOverGate {
  readonly plan: Plan;
  readonly state: MigrationState;
  /** Resolves once every write committed before this call is in the ghost table. */
  waitCaughtUp(): Promise<void>;
}

export interface MigrationResult {
  readonly executed: boolean;
  readonly plan: Plan;
  readonly rowsCopied: number;
  readonly eventsApplied: number;
  readonly lockMs: number | undefined;
  readonly elapsedMs: number;
}

const CATCH_UP_TIMEOUT_MS = 60_000;
const STATE_HINT = 'state';

/** One migration, start to end. Only this function knows the order of the phases. */
export async function runMigration(deps: MigrationDeps): Promise<MigrationResult> {
  const { config, log, out } = deps;
  const now = deps.now ?? Date.now;
  const state = new MigrationState({ nowMs: now(), chunkSize: config.chunkSize, dmlBatchSize: config.dmlBatchSize });
  state.maxLagMillis = config.maxLagMillis;
  state.maxLoad = config.maxLoad;
  state.criticalLoad = config.criticalLoad;
  state.niceRatio = config.niceRatio;
  state.throttleQuery = config.throttleQuery;
  state.throttleControlReplicas = config.throttleControlReplicas;
  state.postponeCutOverFlagFile = config.postponeCutOverFlagFile;
  deps.observe?.(state);
  const connections: Connection[] = [];
  const open = async (e: Endpoint): Promise<Connection> => {
    const c = await connect(e);
    connections.push(c);
    return c;
  };
  const inner = new AbortController();
  const onAbort = (): void => inner.abort(deps.signal.reason);
  deps.signal.addEventListener('abort', onAbort, { once: true });
  let stream: BinlogStream | undefined;
  const background: Promise<unknown>[] = [];
  let statusTimer: NodeJS.Timeout | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  let hooks: Hooks | undefined;
  /** The execute path created _T_gho (inspectAndPlan drops it itself when it fails). */
  let ghostCreated = false;

  try {
    const given = { ...config.connection, database: config.database };
    let control = await open(given);
    let version = parseServerVersion(String(await queryValue(control, 'SELECT VERSION()')));
    const primary = await resolvePrimary({ conn: control, version, endpoint: given, assumeMasterHost: config.assumeMasterHost, log });
    if (primary.conn !== control) {
      connections.push(primary.conn);
      control = primary.conn;
      version = parseServerVersion(String(await queryValue(control, 'SELECT VERSION()')));
    }
    const endpoint = primary.endpoint;
    const where = `${endpoint.host}:${endpoint.port}`;
    log.info({ server: describeVersion(version), where }, 'connected');
    const hookNames = tableNames(config.table);
    hooks = new Hooks({
      hooksPath: config.hooksPath,
      context: { database: config.database, table: config.table, ghostTable: hookNames.ghost, oldTable: hookNames.old, ddl: config.alter, host: where },
      state,
      now,
      log: log.child({ module: 'hooks' }),
    });
    await hooks.run('startup');

    const plan = await inspectAndPlan({ conn: control, version, config, where, log });
    await hooks.run('validated');
    state.rowsEstimate = config.exactRowcount
      ? Number(await queryValue(control, countRows(config.database, config.table).sql))
      : plan.original.rowEstimate;
    await hooks.run('rowcount-complete');
    for (const line of describePlan(plan, config, state.rowsEstimate, where)) out(line);
    if (!config.execute) {
      out('Dry run: nothing was changed. Add --execute to run the migration.');
      return { executed: false, plan, rowsCopied: 0, eventsApplied: 0, lockMs: undefined, elapsedMs: now() - state.startedAtMs };
    }

    ghostCreated = true;
    // --- the operator's socket, from here to the end.
    const activeHooks = hooks;
    const control$ = await startControlServer({
      socketPath: config.serveSocketFile ?? defaultSocketPath(config.database, config.table),
      ...(config.serveTcpPort === undefined ? {} : { tcpPort: config.serveTcpPort }),
      target: migrationTarget({
        state,
        config,
        now,
        onCommand: (name) => void activeHooks.run('interactive-command', { command: name }).catch((err: unknown) => log.warn({ err: describeError(err) }, 'interactive-command hook failed')),
      }),
      log: log.child({ module: 'control' }),
    });
    closers.push(() => control$.close());
    log.info({ socket: control$.socketPath, tcpPort: control$.tcpPort }, 'serving commands (try: echo status | nc -U SOCKET)');

    // --- prepare: changelog, binlog position (before the first chunk: DESIGN rule 1), stream.
    state.phase = 'preparing';
    const { names } = plan;
    await control.query(createChangelogTable(config.database, names.changelog).sql);
    const heartbeatConn = await open(endpoint);
    background.push(startHeartbeat({ conn: heartbeatConn, database: config.database, changelog: names.changelog, intervalMs: config.heartbeatIntervalMs, now, log, signal: inner.signal }));
    const start = await currentBinlogPosition(control, version);
    log.info({ position: formatPosition(start) }, 'binlog position taken before the copy');
    stream = await BinlogStream.open({
      endpoint,
      serverId: config.replicaServerId,
      database: config.database,
      table: config.table,
      changelogTable: names.changelog,
      start,
      log: log.child({ module: 'binlog' }),
    });
    state.backlogCapacity = 20_000;
    state.streamerPosition = start;
    const applyConn = await open(endpoint);
    await prepareWriterSession(applyConn);
    const applier = new Applier({
      conn: applyConn,
      source: stream,
      database: config.database,
      ghost: names.ghost,
      pairs: plan.mapping.pairs,
      keyColumns: plan.sharedKey.originalIndex.columns,
      ghostKeyColumns: plan.sharedKey.ghostColumns,
      keyTypes: plan.keyTypes,
      state,
      log: log.child({ module: 'apply' }),
      retries: config.defaultRetries,
    });
    const applying = applier.run(inner.signal).catch((err: unknown) => {
      if (!inner.signal.aborted) inner.abort(new OschangeError('APPLY_FAILED', `applying binlog events failed: ${describeError(err)}`, { cause: err }));
    });
    background.push(applying);
    const markerConn = await open(endpoint);
    const waitCaughtUp = async (timeoutMs = CATCH_UP_TIMEOUT_MS): Promise<void> => {
      const token = randomBytes(8).toString('hex');
      const reached = applier.waitForMarker(STATE_HINT, token, timeoutMs, inner.signal);
      await writeMarker(markerConn, config.database, names.changelog, STATE_HINT, token);
      await reached;
    };

    const printStatus = (): void => out(statusLine(state, now()));
    let statusHookRunning = false;
    // A slow status hook must not pile up copies of itself.
    const statusHooks = setInterval(() => {
      if (statusHookRunning) return;
      statusHookRunning = true;
      void activeHooks.run('status').finally(() => (statusHookRunning = false));
    }, config.hooksStatusIntervalSeconds * 1000);
    closers.push(async () => clearInterval(statusHooks));
    const scheduleStatus = (): void => {
      statusTimer = setTimeout(() => {
        printStatus();
        scheduleStatus();
      }, config.statusIntervalMs > 0 ? config.statusIntervalMs : statusIntervalMs(state, now()));
    };
    scheduleStatus();

    // --- throttling: decided continuously beside the copy; a panic stops everything.
    const throttleConn = await open(endpoint);
    const replicaLag = new ReplicaLag({ credentials: { user: endpoint.user, password: endpoint.password }, version, database: config.database, changelog: names.changelog, now });
    closers.push(() => replicaLag.close());
    const discoveredReplicas =
      config.throttleControlReplicas.length > 0
        ? []
        : await discoverReplicas(control, version).catch((err: unknown) => {
            log.warn({ err: describeError(err) }, 'could not list the replicas (throttling on replica lag is off): name them with --throttle-control-replicas');
            return [];
          });
    log.info({ replicas: (config.throttleControlReplicas.length > 0 ? config.throttleControlReplicas : discoveredReplicas).map((r) => `${r.host}:${r.port}`) }, 'replicas watched for lag');
    const throttler = new Throttler({
      state,
      conn: throttleConn,
      replicaLag,
      discoveredReplicas,
      throttleFlagFile: config.throttleFlagFile,
      throttleAdditionalFlagFile: config.throttleAdditionalFlagFile,
      throttleHttp: config.throttleHttp,
      panicFlagFile: config.panicFlagFile,
      criticalLoadIntervalMs: config.criticalLoadIntervalMs,
      intervalMs: 100,
      log: log.child({ module: 'throttle' }),
      onPanic: (reason) => {
        if (!inner.signal.aborted) inner.abort(new OschangeError('PANIC', `stopped: ${reason}; the original table is untouched`));
      },
    });
    background.push(throttler.run(inner.signal));

    // --- copy
    state.phase = 'copying';
    const copyConn = await open(endpoint);
    await prepareWriterSession(copyConn);
    const keyIndex = plan.sharedKey.originalIndex;
    const copyOptions = {
      conn: copyConn,
      version,
      database: config.database,
      table: config.table,
      ghost: names.ghost,
      key: { indexName: keyIndex.name, columns: keyIndex.columns, byNumber: plan.keyTypes.map(isMemberType) },
      keyTypes: plan.keyTypes,
      pairs: plan.mapping.pairs,
      state,
      log: log.child({ module: 'copy' }),
      retries: config.defaultRetries,
      beforeChunk: (signal: AbortSignal) => throttler.waitWhileThrottled(signal),
      afterChunk: async (chunkMs: number, signal: AbortSignal) => {
        if (state.niceRatio > 0) await sleep(chunkMs * state.niceRatio, undefined, { signal });
      },
    };
    await hooks.run('before-row-copy');
    state.copyStartedAtMs = now();
    const range = await readCopyRange(copyOptions);
    await copyRows(copyOptions, range, inner.signal);
    state.copyEndedAtMs = now();
    printStatus();
    log.info({ rows: state.rowsCopied, chunks: state.chunksCopied }, 'row copy complete');
    await hooks.run('row-copy-complete');

    // --- wait for the cut-over gates: caught up, postpone flag, the caller's check.
    state.phase = 'waiting for cut-over';
    await waitCaughtUp();
    const postponed = (): boolean => !state.unpostponeRequested && state.postponeCutOverFlagFile !== undefined && existsSync(state.postponeCutOverFlagFile);
    if (postponed()) {
      state.phase = 'postponing cut-over';
      printStatus();
      await hooks.run('begin-postponed');
      // The applier keeps the ghost in sync meanwhile; deleting the file or `unpostpone` goes on.
      while (postponed()) {
        inner.signal.throwIfAborted();
        await sleep(200, undefined, { signal: inner.signal });
      }
      state.phase = 'waiting for cut-over';
      await waitCaughtUp();
    }
    if (deps.beforeCutOver !== undefined) await deps.beforeCutOver({ plan, state, waitCaughtUp: () => waitCaughtUp() });
    inner.signal.throwIfAborted();

    // --- cut-over, retried; the original table stays untouched on every failed attempt.
    await hooks.run('before-cut-over');
    state.phase = 'cutting over';
    printStatus();
    let lockMs: number | undefined;
    for (let attempt = 1; lockMs === undefined; attempt++) {
      inner.signal.throwIfAborted();
      state.cutOverAttempts = attempt;
      await waitCaughtUp();
      stream.expectTableChange();
      try {
        const result = await sentrySwap({
          connect: () => connect(endpoint),
          control,
          database: config.database,
          names,
          lockTimeoutSeconds: config.cutOverLockTimeoutSeconds,
          waitForAllEvents: (timeoutMs) => waitCaughtUp(timeoutMs),
          log: log.child({ module: 'cutover' }),
          now,
        });
        lockMs = result.lockMs;
      } catch (err) {
        if (inner.signal.aborted || attempt >= config.defaultRetries) {
          throw new OschangeError('CUTOVER_FAILED', `cut-over failed after ${attempt} attempt(s), the original table is untouched: ${describeError(err)}`, { cause: err });
        }
        log.warn({ attempt, err: describeError(err) }, 'cut-over attempt failed; the original table is untouched; retrying');
        await sleep(Math.min(5000, 500 * attempt), undefined, { signal: inner.signal });
      }
    }
    state.lockMs = lockMs;

    // --- clean up
    state.phase = 'cleaning up';
    clearTimeout(statusTimer);
    inner.abort(new Error('migration complete'));
    await Promise.allSettled(background);
    await stream.close();
    stream = undefined;
    await control.query(dropTable(config.database, names.changelog).sql);
    if (config.okToDropTable) await control.query(dropTable(config.database, names.old).sql);
    state.phase = 'done';
    printStatus();
    await hooks.run('success');
    out(
      `Done: ${config.database}.${config.table} migrated in ${((now() - state.startedAtMs) / 1000).toFixed(1)}s; ` +
        `rows copied: ${state.rowsCopied}, binlog events applied: ${state.eventsApplied}; original table locked for ${lockMs} ms at cut-over; ` +
        (config.okToDropTable ? 'old table dropped.' : `old table kept as ${names.old}.`),
    );
    return { executed: true, plan, rowsCopied: state.rowsCopied, eventsApplied: state.eventsApplied, lockMs, elapsedMs: now() - state.startedAtMs };
  } catch (err) {
    const reachedPhase = state.phase;
    state.phase = 'failed';
    const reason = inner.signal.aborted && inner.signal.reason instanceof OschangeError ? inner.signal.reason : err;
    await hooks?.run('failure', { exitReason: describeError(deps.signal.aborted ? 'stopped by signal' : reason) }).catch(() => undefined);
    if (deps.signal.aborted) {
      const leftovers = ghostCreated
        ? ' (ghost and changelog tables are left in place: rerun with --initially-drop-ghost-table)'
        : reachedPhase === 'inspecting'
          ? ' (nothing was created)'
          : '';
      throw new OschangeError('INTERRUPTED', `stopped by signal; the original table is untouched${leftovers}`, {
        exitCode: ExitCode.interrupted,
        cause: err,
      });
    }
    throw reason;
  } finally {
    clearTimeout(statusTimer);
    if (!inner.signal.aborted) inner.abort(new Error('migration ended'));
    deps.signal.removeEventListener('abort', onAbort);
    await Promise.allSettled(background);
    if (stream !== undefined) await stream.close().catch((e: unknown) => log.error({ err: describeError(e) }, 'closing the binlog stream failed'));
    await Promise.allSettled(closers.map((c) => c()));
    await Promise.allSettled(connections.map((c) => c.end()));
  }
}
