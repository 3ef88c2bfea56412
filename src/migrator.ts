import { existsSync } from 'node:fs';
import { currentBinlogPosition } from './binlog/stream.js';
import { formatPosition } from './binlog/types.js';
import { decideResume } from './checkpoint/resume.js';
import { loadCheckpoint, schemaFingerprint, type Checkpoint, type SavedCheckpoint } from './checkpoint/store.js';
import { connect, queryValue, type Connection } from './db/connect.js';
import { describeVersion, parseServerVersion } from './db/flavor.js';
import { resolvePrimary } from './db/primary.js';
import { isTransientError } from './db/transient.js';
import { describeError, ExitCode, OschangeError } from './errors.js';
import { createGhostAndPlan, swapMethod } from './inspect/plan.js';
import { tableNames, type TableNames } from './inspect/names.js';
import { runNames } from './migration/run-names.js';
import { findBlockerSource } from './cutover/blockers.js';
import { Hooks } from './hooks/hooks.js';
import { startControlServer } from './control/server.js';
import { readTokenFile } from './control/token-file.js';
import { panicError } from './throttle/panic-watch.js';
import { defaultSocketPath } from './control/socket-path.js';
import { migrationTarget } from './control/migration-target.js';
import { runAttempt, type AttemptStart, type CutOverGate } from './migration/attempt.js';
import { settleChildren } from './cutover/children.js';
import { instantFirst } from './migration/instant-first.js';
import { dropLeftoverSentry, finishCompletedSwap, fromCheckpoint } from './migration/recovery.js';
import { recoverTriggersFromGhost } from './cutover/triggers.js';
import type { MigrationDeps, MigrationResult } from './migration/types.js';
import { reconnect } from './migration/reconnect.js';
import { createChangelogTable } from './sql/changelog.js';
import { createCheckpointTable } from './sql/checkpoint.js';
import { dropTable, truncateTable } from './sql/ghost.js';
import { countRows } from './sql/inspect.js';
import { MigrationState } from './state.js';
import { statusIntervalMs, statusLine } from './status/format.js';
import { describePlan } from './status/plan-report.js';
import { WindowSchedule } from './schedule/window-schedule.js';
import { keepReverseSync } from './revert/reverse-sync.js';
import { planAlsoTables, refuseSeveral } from './migration/also-tables.js';
import type { AlsoTable } from './migration/attempt.js';

export type { CutOverGate } from './migration/attempt.js';

export type { MigrationDeps, MigrationResult } from './migration/types.js';

/** One migration, start to end. Only this function and runAttempt know the order of the phases. */
export async function runMigration(deps: MigrationDeps): Promise<MigrationResult> {
  const { config, log, out } = deps;
  const now = deps.now ?? Date.now;
  const state = new MigrationState({ nowMs: now(), chunkSize: config.chunkSize, chunkTimeMs: config.chunkTimeMs, dmlBatchSize: config.dmlBatchSize });
  state.maxLagMillis = config.maxLagMillis;
  state.maxLoad = config.maxLoad;
  state.criticalLoad = config.criticalLoad;
  state.niceRatio = config.niceRatio;
  state.throttleQuery = config.throttleQuery;
  state.throttleControlReplicas = config.throttleControlReplicas;
  state.postponeCutOverFlagFile = config.postponeCutOverFlagFile;
  state.maxWriteRate = config.maxWriteRate;
  deps.observe?.(state);
  const connections: Connection[] = [];
  const inner = new AbortController();
  const abortMigration = (reason: Error): void => {
    if (!inner.signal.aborted) inner.abort(reason);
  };
  const onAbort = (): void => inner.abort(deps.signal.reason);
  deps.signal.addEventListener('abort', onAbort, { once: true });
  let statusTimer: NodeJS.Timeout | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  let hooks: Hooks | undefined;
  /** The execute path created or took over _T_gho (createGhostAndPlan drops what it created when it fails). */
  let ghostCreated = false;
  /** The tables were swapped: from here the table has its new schema, whatever happens next. */
  let swapped = false;
  const elapsed = (): number => now() - state.startedAtMs;
  /** This run's table names, once known (the old table's may be stamped: --timestamp-old-table). */
  let namesOfRun: TableNames | undefined;
  /** Several tables in one cut-over (docs/design.md): the tables beside config.table. */
  const several = (config.alsoTables ?? []).length > 0;
  let alsoTables: readonly AlsoTable[] = [];

  try {
    // Read first: a token file others can read stops the run before it touches the server.
    const tcpControl = config.serveTcpPort === undefined ? undefined : { port: config.serveTcpPort, token: await readTokenFile(config.serveTcpTokenFile) };
    const given = { ...config.connection, database: config.database };
    let control = await connect(given);
    connections.push(control);
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
    const names = await runNames({ conn: control, config, startedAtMs: state.startedAtMs });
    namesOfRun = names;
    hooks = new Hooks({
      hooksPath: config.hooksPath,
      context: { database: config.database, table: config.table, ghostTable: names.ghost, oldTable: names.old, ddl: config.alter, host: where },
      state,
      now,
      log: log.child({ module: 'hooks' }),
    });
    await hooks.run('startup');

    // --- --resume: is there an interrupted migration to go on with, and is it still the same one?
    let resumed: SavedCheckpoint | undefined;
    if (config.resume) {
      const decision = await decideResume({ conn: control, database: config.database, names, alter: config.alter, log });
      if (decision.kind === 'completed') return await finishCompletedSwap({ deps, conn: control, names, state, hooks, elapsed });
      resumed = decision.checkpoint;
      if (config.execute) await recoverTriggersFromGhost({ conn: control, database: config.database, original: config.table, ghost: names.ghost, log });
    }

    // --force-kill-blockers-after must see who holds the table's locks: refused now, not at the cut-over.
    const blockerSource = config.forceKillBlockersAfter === undefined ? undefined : await findBlockerSource(control, version.flavor);
    await refuseSeveral(control, config, version);
    const plan = await createGhostAndPlan({ conn: control, version, config, endpoint, where, log, resume: resumed !== undefined, names });
    if (several) alsoTables = await planAlsoTables({ conn: control, version, config, first: plan, endpoint, where, log, startedAtMs: state.startedAtMs });
    await hooks.run('validated');
    const tables = [{ config, plan }, ...alsoTables];
    const estimates: number[] = [];
    for (const t of tables) {
      estimates.push(config.exactRowcount ? Number(await queryValue(control, countRows(config.database, t.config.table).sql)) : t.plan.original.rowEstimate);
    }
    state.rowsEstimate = estimates.reduce((a, b) => a + b, 0);
    await hooks.run('rowcount-complete');
    for (const note of config.notes) out(note);
    for (const [i, t] of tables.entries()) for (const line of describePlan(t.plan, t.config, estimates[i] ?? 0, where)) out(line);
    if (several) out(`Cut-over: ${tables.map((t) => t.config.table).join(', ')} swap together, in one RENAME.`);
    if (resumed !== undefined) {
      out(
        `Resume: going on from the checkpoint saved ${resumed.ageSeconds}s ago: ${resumed.rowsCopied} rows copied` +
          `${resumed.copyDone ? ' (copy complete)' : ''}, binlog from ${formatPosition(resumed.position)}; ${plan.names.ghost} is reused as it is.`,
      );
    }
    // --- instant first: an ALTER the server can do as a metadata change needs no copy. Not on a
    // resume: its ghost holds work, and the operator asked to go on with it. Not while the postpone
    // flag file exists: the operator decides when the table changes, and an instant ALTER cannot wait.
    const postponing = config.postponeCutOverFlagFile !== undefined && existsSync(config.postponeCutOverFlagFile);
    // An instant ALTER locks the table briefly, as a cut-over does: only inside the cut-over window.
    const outsideWindow = config.windows.cutOver.length > 0 && !new WindowSchedule(config.windows.cutOver).isOpen(now());
    // Several tables change together: one instant ALTER after another would not be atomic.
    const tryInstant = config.attemptInstantDdl && !config.resume && !postponing && !outsideWindow && !several;
    if (config.attemptInstantDdl && !config.resume && !postponing && outsideWindow) {
      out('Instant: not tried outside the cut-over window; copying, so the change waits for it.');
    }
    if (config.attemptInstantDdl && !config.resume && postponing) {
      out(`Instant: not tried while ${config.postponeCutOverFlagFile ?? ''} exists (the cut-over is postponed); copying, so the change waits for it.`);
    }
    if (!config.execute) {
      if (tryInstant) out('Instant: would try ALGORITHM=INSTANT first (--no-attempt-instant-ddl to always copy).');
      out('Dry run: nothing was changed. Add --execute to run the migration.');
      return { executed: false, plan, rowsCopied: 0, eventsApplied: 0, lockMs: undefined, elapsedMs: elapsed(), instant: false };
    }
    if (tryInstant) {
      const instant = await instantFirst({ deps, conn: control, endpoint, plan, state, hooks, elapsed });
      if (instant !== undefined) return instant;
    }

    ghostCreated = true;
    // --- the operator's socket, from here to the end.
    const activeHooks = hooks;
    const control$ = await startControlServer({
      socketPath: config.serveSocketFile ?? defaultSocketPath(config.database, config.table),
      ...(tcpControl === undefined ? {} : { tcp: tcpControl }),
      target: migrationTarget({
        state,
        config,
        now,
        // A failing hook refuses the command (gh-ost's on-interactive-command): the reply names it.
        onCommand: (name) => activeHooks.run('interactive-command', { command: name }),
        onPanic: (reason) => abortMigration(panicError(reason)),
      }),
      log: log.child({ module: 'control' }),
    });
    closers.push(() => control$.close());
    log.info({ socket: control$.socketPath, tcpPort: control$.tcpPort }, 'serving commands (try: echo status | nc -U SOCKET)');

    // --- prepare: changelog and checkpoint tables, and the binlog position taken before the
    // first chunk (docs/design.md rule 1) — or the checkpoint's, when resuming.
    state.phase = 'preparing';
    let identity: Pick<Checkpoint, 'alter' | 'originalSchema' | 'ghostSchema' | 'oldTable'>;
    let start: AttemptStart;
    if (resumed === undefined) {
      await control.query(createChangelogTable(config.database, names.changelog).sql);
      // Several tables keep no checkpoint (src/migration/attempt.ts): no table for one.
      if (!several) await control.query(createCheckpointTable(config.database, names.checkpoint).sql);
      identity = {
        alter: config.alter,
        oldTable: names.old,
        originalSchema: await schemaFingerprint(control, config.database, names.original),
        ghostSchema: await schemaFingerprint(control, config.database, names.ghost),
      };
      const position = await currentBinlogPosition(control, version);
      log.info({ position: formatPosition(position) }, 'binlog position taken before the copy');
      start = { position, range: undefined, copiedUpTo: undefined, copyDone: false };
    } else {
      identity = { alter: resumed.alter, originalSchema: resumed.originalSchema, ghostSchema: resumed.ghostSchema, oldTable: names.old };
      start = fromCheckpoint(resumed, state);
      state.rowsCopiedBefore = resumed.rowsCopied;
    }

    const printStatus = (): void => (deps.status ?? out)(statusLine(state, now()));
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

    // --- the engine; after a lost connection it goes on from the last checkpoint.
    let lockMs: number | undefined;
    for (let firstAttempt = true; !swapped; firstAttempt = false) {
      try {
        lockMs = await runAttempt({
          config, log, now, state, plan, endpoint, version, hooks, identity, start, firstAttempt, printStatus, abortMigration,
          signal: inner.signal,
          beforeCutOver: deps.beforeCutOver,
          blockerSource,
          alsoTables,
        });
        swapped = true;
      } catch (err) {
        // Several tables have no checkpoint to go on from: a lost connection ends the run.
        if (inner.signal.aborted || several || !isTransientError(err) || state.recoveries >= config.defaultRetries) throw err;
        state.recoveries++;
        const phase = state.phase;
        log.warn({ err: describeError(err), phase, recoveries: state.recoveries }, 'connection lost; reconnecting to go on from the last checkpoint');
        out(`Connection lost while ${phase} (${describeError(err)}); reconnecting to go on from the last checkpoint…`);
        const conn = await reconnect({ endpoint, timeoutMs: config.reconnectTimeoutMs, signal: inner.signal, log });
        try {
          if (resumed === undefined && (await loadCheckpoint(conn, config.database, names.checkpoint)) === undefined) {
            // Lost before the first checkpoint (the copy had not begun): start over, as this run
            // began — an empty ghost and a binlog position taken before the copy (docs/design.md rule 1).
            await dropLeftoverSentry(conn, config.database, names, log);
            await conn.query(truncateTable(config.database, names.ghost).sql);
            const position = await currentBinlogPosition(conn, version);
            log.info({ position: formatPosition(position) }, 'no checkpoint saved yet: starting the copy over; binlog position taken before the copy');
            state.rowsCopied = 0;
            state.copyEndedAtMs = undefined;
            start = { position, range: undefined, copiedUpTo: undefined, copyDone: false };
            continue;
          }
          const decision = await decideResume({ conn, database: config.database, names, alter: config.alter, log });
          if (decision.kind === 'completed') {
            log.warn('the cut-over had completed when the connection was lost');
            swapped = true;
          } else {
            await dropLeftoverSentry(conn, config.database, names, log);
            await recoverTriggersFromGhost({ conn, database: config.database, original: config.table, ghost: names.ghost, log });
            start = fromCheckpoint(decision.checkpoint, state);
            log.info({ position: formatPosition(start.position), rowsCopied: decision.checkpoint.rowsCopied }, 'going on from the checkpoint');
          }
        } finally {
          await conn.end().catch(() => undefined);
        }
      }
    }
    state.lockMs = lockMs;

    // --- clean up (over a fresh connection: the first one may have been lost on the way)
    state.phase = 'cleaning up';
    clearTimeout(statusTimer);
    // Past the point of no return a stop signal stops nothing: the cleanup runs on its own signal.
    const cleanup = await reconnect({ endpoint, timeoutMs: config.reconnectTimeoutMs, signal: AbortSignal.timeout(config.reconnectTimeoutMs + 1000), log });
    connections.push(cleanup);
    // Child tables' foreign keys, as --alter-foreign-keys-method says (docs/design.md, "Foreign keys").
    const childrenNote = await settleChildren({
      conn: cleanup,
      database: config.database,
      table: config.table,
      old: names.old,
      method: config.alterForeignKeysMethod,
      children: plan.foreignKeys.children,
      lockTimeoutSeconds: config.cutOverLockTimeoutSeconds,
      log: log.child({ module: 'cutover' }),
    });
    await cleanup.query(dropTable(config.database, names.checkpoint).sql);
    // --keep-reverse-sync: the old table follows the new one for a while (src/revert/), with the changelog.
    await keepReverseSync({ config, oldTable: names.old, conn: cleanup, endpoint, version, hooks, state, log, now, out, status: deps.status ?? out, signal: inner.signal });
    await cleanup.query(dropTable(config.database, names.changelog).sql);
    if (config.okToDropTable) for (const t of tables) await cleanup.query(dropTable(config.database, t.plan.names.old).sql);
    state.phase = 'done';
    printStatus();
    await hooks.run('success');
    const migrated = tables.map((t) => `${config.database}.${t.config.table}`).join(', ');
    out(
      `Done: ${migrated} migrated in ${(elapsed() / 1000).toFixed(1)}s; ` +
        `rows copied: ${state.rowsCopied}${state.rowsCopiedBefore > 0 ? ` (${state.rowsCopiedBefore} of them before the resume)` : ''}, binlog events applied: ${state.eventsApplied}; ` +
        (state.verifyEndedAtMs !== undefined && state.verifyStartedAtMs !== undefined
          ? `checksum equal (${state.verifyChunks} chunks, ${state.verifyRepairs} repaired, ${((state.verifyEndedAtMs - state.verifyStartedAtMs) / 1000).toFixed(1)}s); `
          : state.verifySkipped !== undefined
            ? `checksum skipped (${state.verifySkipped}); `
            : '') +
        (lockMs === undefined
          ? 'lock time unknown (the connection was lost during the cut-over); '
          : several
            ? `original tables locked for ${lockMs} ms at cut-over, swapped in one RENAME; `
            : `original table locked for ${lockMs} ms at cut-over; `) +
        childrenNote +
        (config.okToDropTable || swapMethod(config, plan) === 'drop'
          ? several
            ? 'old tables dropped.'
            : 'old table dropped.'
          : `old table${several ? 's' : ''} kept as ${tables.map((t) => t.plan.names.old).join(', ')}.`),
    );
    if (deps.signal.aborted) out('A stop signal arrived after the tables were swapped: the migration was finished, not stopped.');
    return { executed: true, plan, rowsCopied: state.rowsCopied, eventsApplied: state.eventsApplied, lockMs, elapsedMs: elapsed(), instant: false };
  } catch (err) {
    const reachedPhase = state.phase;
    state.phase = 'failed';
    const reason = inner.signal.aborted && inner.signal.reason instanceof OschangeError ? inner.signal.reason : err;
    await hooks?.run('failure', { exitReason: describeError(deps.signal.aborted ? 'stopped by signal' : reason) }).catch(() => undefined);
    if (swapped) {
      const names = namesOfRun ?? tableNames(config.table);
      throw new OschangeError(
        'CLEANUP_FAILED',
        `the swap completed: ${config.database}.${config.table} has its new schema and the old table is kept as ${names.old}; ` +
          `the cleanup after it failed (${describeError(err)}): drop ${names.changelog} and ${names.checkpoint} by hand`,
        { cause: err },
      );
    }
    if (deps.signal.aborted) {
      const leftovers = ghostCreated
        ? several
          ? ' (the ghost and changelog tables are kept: start over with --initially-drop-ghost-table; several tables cannot --resume)'
          : ' (the ghost, changelog and checkpoint tables are kept: go on later with --resume, or start over with --initially-drop-ghost-table)'
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
    await Promise.allSettled(closers.map((c) => c()));
    await Promise.allSettled(connections.map((c) => c.end()));
  }
}
