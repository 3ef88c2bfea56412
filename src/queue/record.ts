import { hostname, userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MigrationConfig } from '../config.js';
import { connect, queryValue } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { parseServerVersion } from '../db/flavor.js';
import { resolvePrimary } from '../db/primary.js';
import { describeError, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { runMigration } from '../migrator.js';
import type { CutOverGate } from '../migration/attempt.js';
import type { MigrationResult } from '../migration/types.js';
import { selectCancelRequested, touchRunning, type HistoryUpdate } from '../sql/history.js';
import type { MigrationState } from '../state.js';
import { History } from './history.js';
import { LockSession } from './lock-session.js';
import { migrationLockName, tableLockName } from './lock-names.js';
import type { QueueAction } from './states.js';

/** Who asked for a migration when nobody says: the OS user at this host (a container may have no user entry). */
export function defaultRequestedBy(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env['USER'] ?? 'unknown';
  }
  return `${user}@${hostname()}`;
}

/** This process, as the history's `runner` column names it. */
export function runnerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** How often a running migration's row is touched (and a cancel request looked for). */
export const KEEPALIVE_MS = 5000;

export interface RecordedRunOptions {
  readonly config: MigrationConfig;
  readonly log: Logger;
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  readonly observe?: (state: MigrationState) => void;
  readonly beforeCutOver?: (gate: CutOverGate) => Promise<void>;
  /** Status lines (the plain line, or nothing while a progress bar shows them). */
  readonly status?: (line: string) => void;
  /** The flags to record for a direct run (src/queue/args.ts). */
  readonly args: readonly string[];
  readonly requestedBy: string;
  /**
   * A queue row the runner has started, over the session that holds its locks; undefined for a
   * direct run, which is recorded here (and takes the table's lock itself).
   */
  readonly queued?: { readonly history: History; readonly id: number } | undefined;
  /** How often the row is touched; tests shorten it. */
  readonly keepaliveMs?: number;
}

/**
 * One migration with its history row and its locks around it: the table's lock (one migration
 * per table, however it was started), the row kept up to date while it runs (and a `queue cancel`
 * honoured), and the outcome written at the end — rows, lock time, checksum, error. A history that
 * cannot be written (no privilege on its schema) is said and left out; the table's lock is not.
 */
export async function runRecorded(o: RecordedRunOptions): Promise<MigrationResult> {
  const { config, log } = o;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(o.signal.reason);
  if (o.signal.aborted) onAbort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  let session: LockSession | undefined;
  let history = o.queued?.history;
  let id = o.queued?.id;
  let state: MigrationState | undefined;
  let cancelled = false;
  const keepalive = new AbortController();
  let keeping: Promise<void> | undefined;
  try {
    if (o.queued === undefined) {
      session = await primarySession({ ...config.connection }, config.assumeMasterHost, log);
      const direct = new History(session, config.historySchema ?? '');
      const tableLock = tableLockName(config.database, config.table);
      if (!(await session.take(tableLock))) {
        throw new OschangeError(
          'MIGRATION_BUSY',
          `another oschange is migrating ${config.database}.${config.table} right now (it holds the server lock ${tableLock}); wait for it to end (oschange queue list shows the running ones)`,
        );
      }
      if (config.historySchema !== undefined && config.execute) {
        try {
          await direct.ensure();
          const lost = await direct.interruptLostRuns(config.database, config.table);
          if (lost.length > 0) log.warn({ ids: lost }, 'earlier runs of this table that never finished are marked interrupted in the history');
          id = await direct.insert({ database: config.database, table: config.table, alter: config.alter, args: o.args, source: 'direct', requestedBy: o.requestedBy, state: 'running', runner: runnerName() });
          await session.take(migrationLockName(config.historySchema, id));
          history = direct;
        } catch (err) {
          log.warn(
            { err: describeError(err) },
            `this migration is not recorded in ${config.historySchema}.migrations (grant CREATE, INSERT, UPDATE, SELECT ON \`${config.historySchema}\`.* to this user, name another schema with --history-schema, or say --no-history)`,
          );
          id = undefined;
        }
      }
    }
    const lockSession = o.queued?.history.session ?? session;
    if (lockSession !== undefined) {
      keeping = keepAlive({
        session: lockSession,
        schema: history?.schema,
        id,
        everyMs: o.keepaliveMs ?? KEEPALIVE_MS,
        reconnectTimeoutMs: config.reconnectTimeoutMs,
        log,
        signal: keepalive.signal,
        onCancel: () => {
          cancelled = true;
          stop.abort(new OschangeError('QUEUE_CANCELLED', 'cancelled by oschange queue cancel'));
        },
        onLost: (err) => stop.abort(err),
      });
    }
    const result = await runMigration({
      config,
      log,
      out: o.out,
      signal: stop.signal,
      ...(o.now === undefined ? {} : { now: o.now }),
      ...(o.beforeCutOver === undefined ? {} : { beforeCutOver: o.beforeCutOver }),
      ...(o.status === undefined ? {} : { status: o.status }),
      observe: (s) => {
        state = s;
        o.observe?.(s);
      },
    });
    if (history !== undefined && id !== undefined) await finish(history, id, 'succeed', outcomeColumns(state, config, result, undefined), log);
    return result;
  } catch (caught) {
    // Stopped here (its locks lost) rather than by the caller's signal: that is the reason to give.
    const lost = stop.signal.reason instanceof OschangeError && stop.signal.reason.code === 'LOCK_LOST' && !o.signal.aborted ? stop.signal.reason : undefined;
    const err: unknown = lost ?? caught;
    if (history !== undefined && id !== undefined) {
      const interrupted = lost !== undefined || (err instanceof OschangeError && err.code === 'INTERRUPTED');
      const action: QueueAction = cancelled ? 'abort' : interrupted ? 'interrupt' : 'fail';
      await finish(history, id, action, outcomeColumns(state, config, undefined, cancelled ? 'cancelled by oschange queue cancel' : describeError(err)), log);
    }
    if (cancelled && caught instanceof OschangeError && caught.code === 'INTERRUPTED') {
      throw new OschangeError('QUEUE_CANCELLED', `migration ${id ?? '(unrecorded)'} was cancelled (oschange queue cancel); the original table is untouched, and oschange queue retry goes on with it`, { cause: caught });
    }
    throw err;
  } finally {
    o.signal.removeEventListener('abort', onAbort);
    keepalive.abort();
    await keeping;
    // Ending the session releases its locks.
    await session?.end();
  }
}

/** The row's outcome columns from the migration's state and result. */
function outcomeColumns(state: MigrationState | undefined, config: MigrationConfig, result: MigrationResult | undefined, error: string | undefined): HistoryUpdate {
  let checksum: string | null = null;
  if (result?.instant === true) checksum = 'not needed (instant ALTER)';
  else if (state?.verifyEndedAtMs !== undefined) checksum = `equal (${state.verifyChunks} chunks, ${state.verifyRepairs} repaired)`;
  else if (state?.verifySkipped !== undefined) checksum = `skipped (${state.verifySkipped})`;
  else if (!config.checksum) checksum = 'off (--no-checksum)';
  return {
    rows_copied: state?.rowsCopied ?? result?.rowsCopied ?? null,
    rows_estimate: state?.rowsEstimate ?? null,
    lock_ms: result?.lockMs ?? state?.lockMs ?? null,
    checksum,
    error: error ?? null,
  };
}

async function finish(history: History, id: number, action: QueueAction, set: HistoryUpdate, log: Logger): Promise<void> {
  try {
    if (!(await history.apply(id, action, { set, finished: true }))) log.warn({ id, action }, 'the history row had changed meanwhile; its outcome was not written');
  } catch (err) {
    log.warn({ id, err: describeError(err) }, 'could not write the outcome to the history table');
  }
}

/** A session on the primary (the history is written there, and the locks taken there). */
export async function primarySession(given: Endpoint, assumeMasterHost: MigrationConfig['assumeMasterHost'], log: Logger): Promise<LockSession> {
  const conn = await connect(given);
  try {
    const version = parseServerVersion(String(await queryValue(conn, 'SELECT VERSION()')));
    const primary = await resolvePrimary({ conn, version, endpoint: given, assumeMasterHost, log });
    if (primary.conn !== conn) await conn.end().catch(() => undefined);
    return new LockSession(primary.conn, primary.endpoint);
  } catch (err) {
    conn.destroy();
    throw err;
  }
}

/**
 * Keeps the lock session from idling out (wait_timeout) and the row's updated_at fresh (so another
 * scheduler can tell a live runner from a dead one), and looks for a `queue cancel`. A lost session
 * has lost its locks: a new one takes them again (the migration reconnects on its own meanwhile);
 * when another process took one, or the server stays away, the migration is stopped, to be resumed.
 */
async function keepAlive(o: {
  session: LockSession;
  schema: string | undefined;
  id: number | undefined;
  everyMs: number;
  reconnectTimeoutMs: number;
  log: Logger;
  signal: AbortSignal;
  onCancel: () => void;
  onLost: (err: Error) => void;
}): Promise<void> {
  while (!o.signal.aborted) {
    try {
      await sleep(o.everyMs, undefined, { signal: o.signal });
    } catch {
      return;
    }
    try {
      if (o.schema !== undefined && o.id !== undefined) {
        const touch = touchRunning(o.schema, o.id);
        await o.session.conn.query(touch.sql, [...touch.params]);
        const ask = selectCancelRequested(o.schema, o.id);
        if (Number(await queryValue(o.session.conn, ask.sql, ask.params)) === 1) {
          o.log.warn({ id: o.id }, 'oschange queue cancel asked this migration to stop: stopping it');
          o.onCancel();
          return;
        }
      } else {
        await o.session.conn.query('SELECT 1');
      }
    } catch (err) {
      if (o.signal.aborted) return;
      o.log.warn({ err: describeError(err) }, 'lost the session that holds the migration\'s locks; reconnecting to take them again');
      let retaken: boolean;
      try {
        retaken = await o.session.reconnect(o.reconnectTimeoutMs, o.signal);
      } catch (e) {
        if (o.signal.aborted) return;
        o.onLost(new OschangeError('LOCK_LOST', `lost the server session holding the migration's locks and could not open another (${describeError(e)}); the original table is untouched, go on with --resume`, { cause: e }));
        return;
      }
      if (!retaken) {
        o.onLost(new OschangeError('LOCK_LOST', 'another oschange took this migration\'s lock while its session was lost: stopping this one; the original table is untouched'));
        return;
      }
      o.log.info('took the migration\'s locks again on a new session');
    }
  }
}
