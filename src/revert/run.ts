import type { MigrationConfig } from '../config.js';
import { queryValue } from '../db/connect.js';
import { connectToPrimary } from '../db/primary.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import { startControlServer } from '../control/server.js';
import { defaultSocketPath } from '../control/socket-path.js';
import { migrationTarget } from '../control/migration-target.js';
import { readTokenFile } from '../control/token-file.js';
import { Hooks } from '../hooks/hooks.js';
import type { Logger } from '../log.js';
import { runAttempt, type CutOverGate } from '../migration/attempt.js';
import { dropLeftoverSentry } from '../migration/recovery.js';
import { createChangelogTable } from '../sql/changelog.js';
import { dropTable } from '../sql/ghost.js';
import { tableExists } from '../sql/inspect.js';
import { RunScope } from '../run-scope.js';
import { MigrationState, takeOperatorSettings } from '../state.js';
import { statusIntervalMs, statusLine } from '../status/format.js';
import { startStatusTicker } from '../status/ticker.js';
import { checksumPart } from '../status/done-line.js';
import { panicError } from '../throttle/panic-watch.js';
import { reverseConfig } from './config.js';
import { findInexact, isLiftable } from './exactness.js';
import { inspectRevert } from './inspect.js';
import { reversePlan } from './plan.js';
import { describeRevert, guardAdviceForRevert, impossibleMessage, inexactMessage } from './report.js';

export interface RevertDeps {
  /** The operator's settings as a migration's (src/cli/revert-options.ts); `alter` is read from the record. */
  readonly config: MigrationConfig;
  /** --allow-inexact-revert: swap back even when rows of the table do not fit the old schema. */
  readonly allowInexact: boolean;
  readonly log: Logger;
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly status?: (line: string) => void;
  readonly observe?: (state: MigrationState) => void;
  /** Called right before the swap back, the old table caught up and checked (tests look at it there). */
  readonly beforeCutOver?: (gate: CutOverGate) => Promise<void>;
}

export interface RevertResult {
  readonly executed: boolean;
  /** No row of the table was found that the old schema cannot hold unchanged. */
  readonly exact: boolean;
  readonly eventsApplied: number;
  readonly lockMs: number | undefined;
}

/**
 * `oschange revert`: a migration whose ghost is the old table `_T_del`, with no copy, starting at the
 * position recorded at the cut-over (or where the reverse sync got to): connect, read the record and
 * check both tables and the binlog, plan the columns backwards, check the rows are exact — the dry
 * run ends there — then the engine (src/migration/attempt.ts) replays, checksums and swaps back, and
 * the revert's tables are dropped. docs/design.md, "Revert".
 */
export async function runRevert(deps: RevertDeps): Promise<RevertResult> {
  const { config, log, out } = deps;
  const now = deps.now ?? Date.now;
  const state = new MigrationState({ nowMs: now(), chunkSize: config.chunkSize, chunkTimeMs: config.chunkTimeMs, dmlBatchSize: config.dmlBatchSize });
  takeOperatorSettings(state, config);
  deps.observe?.(state);
  const where = `${config.database}.${config.table}`;
  const scope = new RunScope(deps.signal, (outer) => outer.reason);
  let hooks: Hooks | undefined;
  let swapped = false;
  let started = false;
  try {
    const tcpControl = config.serveTcpPort === undefined ? undefined : { port: config.serveTcpPort, token: await readTokenFile(config.serveTcpTokenFile) };
    const primary = await connectToPrimary({ endpoint: config.connection, database: config.database, assumeMasterHost: config.assumeMasterHost, log });
    const control = scope.adopt(primary.conn);
    const { version, endpoint, where: host } = primary;

    // --- read only: the record, the tables, the binlog, the columns backwards, the rows.
    const start = await inspectRevert(control, config.database, config.table);
    const { names, record } = start;
    const plan = await reversePlan({ conn: control, version, database: config.database, table: config.table, oldTable: names.ghost, alter: record.alter });
    const inexact = await findInexact({ conn: control, database: config.database, plan });
    for (const line of describeRevert({ database: config.database, start, plan, inexact, allowInexact: deps.allowInexact })) out(line);
    if (!config.execute) {
      out('Dry run: nothing was changed. Add --execute to revert.');
      return { executed: false, exact: inexact.length === 0, eventsApplied: 0, lockMs: undefined };
    }
    if (inexact.some((f) => !isLiftable(f))) throw new OschangeError('REVERT_IMPOSSIBLE', impossibleMessage(where, inexact.filter((f) => !isLiftable(f))));
    if (inexact.length > 0 && !deps.allowInexact) throw new OschangeError('REVERT_INEXACT', inexactMessage(where, inexact));

    hooks = new Hooks({
      hooksPath: config.hooksPath,
      context: { database: config.database, table: config.table, ghostTable: names.ghost, oldTable: names.old, ddl: `revert of: ${record.alter}`, host },
      state,
      now,
      log: log.child({ module: 'hooks' }),
    });
    await hooks.run('startup');
    const activeHooks = hooks;
    const engineConfig = { ...reverseConfig(config, { checksum: config.checksum, allowInexact: deps.allowInexact, postpone: true }), alter: record.alter };
    const control$ = await startControlServer({
      socketPath: config.serveSocketFile ?? defaultSocketPath(config.database, config.table),
      ...(tcpControl === undefined ? {} : { tcp: tcpControl }),
      target: migrationTarget({
        state,
        config: engineConfig,
        now,
        onCommand: (name) => activeHooks.run('interactive-command', { command: name }),
        onPanic: (reason) => scope.abort(panicError(reason)),
      }),
      log: log.child({ module: 'control' }),
    });
    scope.onClose(() => control$.close());

    state.phase = 'preparing';
    started = true;
    await dropLeftoverSentry(control, config.database, names, log);
    const changelog = tableExists(config.database, names.changelog);
    if (Number(await queryValue(control, changelog.sql, changelog.params)) === 0) await control.query(createChangelogTable(config.database, names.changelog).sql);

    const printStatus = (): void => (deps.status ?? out)(statusLine(state, now()));
    const ticker = startStatusTicker({ print: printStatus, fixedMs: config.statusIntervalMs, cadenceMs: () => statusIntervalMs(state, now()) });
    scope.onClose(() => ticker.stop());

    const lockMs = await runAttempt({
      config: engineConfig,
      log,
      now,
      state,
      plan,
      endpoint,
      version,
      hooks,
      identity: { alter: record.alter, originalSchema: record.originalSchema, ghostSchema: record.ghostSchema, oldTable: names.ghost },
      start: { position: record.position, range: undefined, copiedUpTo: undefined, copyDone: true },
      firstAttempt: true,
      printStatus,
      abortMigration: (reason) => scope.abort(reason),
      signal: scope.signal,
      // Rows written while the old table caught up: checked again, right before the swap back.
      beforeCutOver: async (gate) => {
        const late = await findInexact({ conn: control, database: config.database, plan });
        if (late.length > 0 && !deps.allowInexact) throw new OschangeError('REVERT_INEXACT', inexactMessage(where, late));
        await deps.beforeCutOver?.(gate);
      },
    });
    swapped = true;
    state.lockMs = lockMs;
    state.phase = 'cleaning up';
    ticker.stop();
    await control.query(dropTable(config.database, names.changelog).sql);
    await control.query(dropTable(config.database, names.checkpoint).sql);
    state.phase = 'done';
    printStatus();
    await hooks.run('success');
    out(
      `Done: ${where} reverted; binlog events replayed: ${state.eventsApplied}; ` +
        checksumPart(state, { seconds: false }) +
        `table locked for ${lockMs} ms at the swap back; the new-schema table is kept as ${names.old}.`,
    );
    return { executed: true, exact: inexact.length === 0, eventsApplied: state.eventsApplied, lockMs };
  } catch (err) {
    state.phase = 'failed';
    const reason = scope.signal.aborted && scope.signal.reason instanceof OschangeError ? scope.signal.reason : err;
    await hooks?.run('failure', { exitReason: describeError(deps.signal.aborted ? 'stopped by signal' : reason) }).catch(() => undefined);
    if (swapped) {
      throw new OschangeError('CLEANUP_FAILED', `the swap back completed: ${where} has its old schema again; the cleanup after it failed (${describeError(err)}): drop the revert's helper tables by hand`, { cause: err });
    }
    if (deps.signal.aborted) {
      throw new OschangeError(
        'INTERRUPTED',
        `stopped by signal; ${where} is untouched${started ? ' (the old table keeps what was replayed and the record where: run oschange revert again to go on)' : ''}`,
        { exitCode: ExitCode.interrupted, cause: err },
      );
    }
    if (reason instanceof OschangeError && (reason.code === 'VALUE_WOULD_CHANGE' || reason.code === 'ROW_REJECTED')) {
      throw new OschangeError(reason.code, guardAdviceForRevert(reason.message), { exitCode: reason.exitCode, cause: reason });
    }
    throw reason;
  } finally {
    await scope.close('revert ended');
  }
}
