import { existsSync } from 'node:fs';
import { formatPosition } from './binlog/types.js';
import { decideResume } from './checkpoint/resume.js';
import type { SavedCheckpoint } from './checkpoint/store.js';
import { queryValue } from './db/connect.js';
import { connectToPrimary } from './db/primary.js';
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
import { runAttempt } from './migration/attempt.js';
import { settleChildren } from './cutover/children.js';
import { instantFirst } from './migration/instant-first.js';
import { finishCompletedSwap, recoverAfterLostConnection } from './migration/recovery.js';
import { prepareStart } from './migration/prepare.js';
import { recoverTriggersFromGhost } from './cutover/triggers.js';
import type { MigrationDeps, MigrationResult } from './migration/types.js';
import { reconnect } from './migration/reconnect.js';
import { dropTable } from './sql/ghost.js';
import { countRows } from './sql/inspect.js';
import { RunScope } from './run-scope.js';
import { MigrationState, takeOperatorSettings } from './state.js';
import { statusIntervalMs, statusLine } from './status/format.js';
import { startStatusTicker } from './status/ticker.js';
import { migrationDoneLine } from './status/done-line.js';
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
  takeOperatorSettings(state, config);
  deps.observe?.(state);
  const scope = new RunScope(deps.signal, (outer) => outer.reason);
  const abortMigration = (reason: Error): void => scope.abort(reason);
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
    const primary = await connectToPrimary({ endpoint: config.connection, database: config.database, assumeMasterHost: config.assumeMasterHost, log });
    const control = scope.adopt(primary.conn);
    const { version, endpoint, where } = primary;
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
    scope.onClose(() => control$.close());
    log.info({ socket: control$.socketPath, tcpPort: control$.tcpPort }, 'serving commands (try: echo status | nc -U SOCKET)');

    // --- prepare: changelog and checkpoint tables, and the binlog position taken before the
    // first chunk (docs/design.md rule 1) — or the checkpoint's, when resuming.
    state.phase = 'preparing';
    // Several tables keep no checkpoint (src/migration/attempt.ts): no table for one.
    const prepared = await prepareStart({ conn: control, version, database: config.database, alter: config.alter, names, state, resumed, keepCheckpoint: !several, log });
    const { identity } = prepared;
    let { start } = prepared;

    const printStatus = (): void => (deps.status ?? out)(statusLine(state, now()));
    let statusHookRunning = false;
    // A slow status hook must not pile up copies of itself.
    const statusHooks = setInterval(() => {
      if (statusHookRunning) return;
      statusHookRunning = true;
      void activeHooks.run('status').finally(() => (statusHookRunning = false));
    }, config.hooksStatusIntervalSeconds * 1000);
    scope.onClose(() => clearInterval(statusHooks));
    const ticker = startStatusTicker({ print: printStatus, fixedMs: config.statusIntervalMs, cadenceMs: () => statusIntervalMs(state, now()) });
    scope.onClose(() => ticker.stop());

    // --- the engine; after a lost connection it goes on from the last checkpoint.
    let lockMs: number | undefined;
    for (let firstAttempt = true; !swapped; firstAttempt = false) {
      try {
        lockMs = await runAttempt({
          config, log, now, state, plan, endpoint, version, hooks, identity, start, firstAttempt, printStatus, abortMigration,
          signal: scope.signal,
          beforeCutOver: deps.beforeCutOver,
          blockerSource,
          alsoTables,
        });
        swapped = true;
      } catch (err) {
        // Several tables have no checkpoint to go on from: a lost connection ends the run.
        if (scope.signal.aborted || several || !isTransientError(err) || state.recoveries >= config.defaultRetries) throw err;
        state.recoveries++;
        const phase = state.phase;
        log.warn({ err: describeError(err), phase, recoveries: state.recoveries }, 'connection lost; reconnecting to go on from the last checkpoint');
        out(`Connection lost while ${phase} (${describeError(err)}); reconnecting to go on from the last checkpoint…`);
        const next = await recoverAfterLostConnection({ config, endpoint, version, names, state, log, resumed: resumed !== undefined, signal: scope.signal });
        if (next === 'swapped') swapped = true;
        else start = next;
      }
    }
    state.lockMs = lockMs;

    // --- clean up (over a fresh connection: the first one may have been lost on the way)
    state.phase = 'cleaning up';
    ticker.stop();
    // Past the point of no return a stop signal stops nothing: the cleanup runs on its own signal.
    const cleanup = await reconnect({ endpoint, timeoutMs: config.reconnectTimeoutMs, signal: AbortSignal.timeout(config.reconnectTimeoutMs + 1000), log });
    scope.adopt(cleanup);
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
    await keepReverseSync({ config, oldTable: names.old, conn: cleanup, endpoint, version, hooks, state, log, now, out, status: deps.status ?? out, signal: scope.signal });
    await cleanup.query(dropTable(config.database, names.changelog).sql);
    if (config.okToDropTable) for (const t of tables) await cleanup.query(dropTable(config.database, t.plan.names.old).sql);
    state.phase = 'done';
    printStatus();
    await hooks.run('success');
    out(
      migrationDoneLine({
        migrated: tables.map((t) => `${config.database}.${t.config.table}`),
        elapsedMs: elapsed(),
        state,
        lockMs,
        childrenNote,
        oldTables: tables.map((t) => t.plan.names.old),
        oldDropped: config.okToDropTable || swapMethod(config, plan) === 'drop',
      }),
    );
    if (deps.signal.aborted) out('A stop signal arrived after the tables were swapped: the migration was finished, not stopped.');
    return { executed: true, plan, rowsCopied: state.rowsCopied, eventsApplied: state.eventsApplied, lockMs, elapsedMs: elapsed(), instant: false };
  } catch (err) {
    const reachedPhase = state.phase;
    state.phase = 'failed';
    const reason = scope.signal.aborted && scope.signal.reason instanceof OschangeError ? scope.signal.reason : err;
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
    await scope.close('migration ended');
  }
}
