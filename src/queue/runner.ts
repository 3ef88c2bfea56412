import { setTimeout as sleep } from 'node:timers/promises';
import type { MigrationConfig } from '../config.js';
import { queryRows, queryValue } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { describeError } from '../errors.js';
import { tableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { selectDue, selectStaleRunning } from '../sql/history.js';
import { countRows, tableExists } from '../sql/inspect.js';
import type { MigrationState } from '../state.js';
import { queuedConfig } from './args.js';
import type { History, MigrationRecord } from './history.js';
import { migrationLockName, slotLockName, tableLockName } from './lock-names.js';
import { runnerName, runRecorded } from './record.js';

/** What one `queue run` did. */
export type QueueRunOutcome =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy'; readonly reason: string }
  | { readonly kind: 'ran'; readonly id: number; readonly ok: boolean; readonly error?: string };

export interface QueueRunOptions {
  /** The queue, over the session that will hold the locks while a migration runs. */
  readonly history: History;
  /** Where the migrations connect (the runner's flags; the queue stores none). */
  readonly connection: Endpoint;
  readonly assumeMasterHost: MigrationConfig['assumeMasterHost'];
  /** At most this many queued migrations run on the server at once (slot locks). */
  readonly maxRunning: number;
  readonly log: Logger;
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  /** Each run's live state, as it starts (the daemon's metrics follow it). */
  readonly observe?: (state: MigrationState, record: MigrationRecord, config: MigrationConfig) => void;
  readonly keepaliveMs?: number;
  /** A running row untouched this long, whose lock is free, lost its runner. */
  readonly staleSeconds?: number;
}

const DUE_LOOKED_AT = 100;

/**
 * Takes the next due migration and runs it: queued, postponed whose time has come, or interrupted
 * (it goes on with --resume from its checkpoint). Three server locks keep schedulers apart — a slot
 * (at most --max-running at once), the table's (one migration per table), the row's (one runner per
 * migration) — and the row's state is changed only from the state just read, so of two schedulers
 * racing for a row one wins and the other moves on.
 */
export async function runNextDue(o: QueueRunOptions): Promise<QueueRunOutcome> {
  const { history } = o;
  await markLostRunners(o);
  const held: string[] = [];
  const release = async (names: readonly string[]): Promise<void> => {
    for (const name of names) {
      await history.session.release(name).catch(() => undefined);
      held.splice(held.indexOf(name), 1);
    }
  };
  try {
    let slot: string | undefined;
    for (let k = 1; k <= o.maxRunning && slot === undefined; k++) {
      const name = slotLockName(history.schema, k);
      if (await history.session.take(name)) slot = name;
    }
    if (slot === undefined) return { kind: 'busy', reason: `${o.maxRunning} queued migration(s) already running on this server (--max-running ${o.maxRunning})` };
    held.push(slot);
    const due = selectDue(history.schema, DUE_LOOKED_AT);
    const candidates = await queryRows(history.conn, due.sql, due.params);
    let tableBusy = 0;
    for (const c of candidates) {
      const id = Number(c['id']);
      const tableLock = tableLockName(String(c['database_name']), String(c['table_name']));
      if (!(await history.session.take(tableLock))) {
        tableBusy++;
        continue;
      }
      held.push(tableLock);
      const rowLock = migrationLockName(history.schema, id);
      if (!(await history.session.take(rowLock))) {
        await release([tableLock]);
        continue;
      }
      held.push(rowLock);
      // Read again under the locks: another runner may have finished it meanwhile.
      const record = await history.get(id);
      if (record === undefined || !['queued', 'postponed', 'interrupted'].includes(record.state)) {
        await release([rowLock, tableLock]);
        continue;
      }
      // Holding the table's lock, any other run of the table still marked running has lost its runner.
      await history.interruptLostRuns(record.database, record.table);
      return await runOne(o, record);
    }
    return tableBusy > 0 ? { kind: 'busy', reason: `${tableBusy} due migration(s) wait for another migration of the same table` } : { kind: 'idle' };
  } finally {
    await release([...held].reverse());
  }
}

async function runOne(o: QueueRunOptions, record: MigrationRecord): Promise<QueueRunOutcome> {
  const { history, log } = o;
  const names = tableNames(record.table);
  const exists = tableExists(record.database, names.checkpoint);
  const left = record.attempts > 0 && Number(await queryValue(history.conn, exists.sql, exists.params)) > 0;
  const saved = left ? Number(await queryValue(history.conn, countRows(record.database, names.checkpoint).sql)) > 0 : false;
  // An interrupted attempt of this migration left its checkpoint: go on from it. One killed before its
  // first checkpoint left only empty tables: start over. A first run never resumes someone else's.
  const resume = saved;
  const startOver = left && !saved;
  const parsed = queuedConfig({ id: record.id, args: record.args, connection: o.connection, assumeMasterHost: o.assumeMasterHost, historySchema: history.schema, resume, startOver });
  const started = await history.apply(record.id, 'start', { started: true, finished: false, set: { runner: runnerName(), cancel_requested: 0, error: null } });
  if (!started) return { kind: 'busy', reason: `migration ${record.id} changed state as it was taken` };
  o.out(`queue: running migration ${record.id} (${record.database}.${record.table}: ${record.alter})${resume ? ', resuming from its checkpoint' : ''}`);
  if ('errors' in parsed) {
    const error = `its flags are not valid: ${parsed.errors.join('; ')}`;
    await history.apply(record.id, 'fail', { finished: true, set: { error } });
    o.out(`queue: migration ${record.id} failed: ${error}`);
    return { kind: 'ran', id: record.id, ok: false, error };
  }
  const config = parsed.config;
  try {
    await runRecorded({
      config,
      log: log.child({ migration: record.id }),
      out: o.out,
      signal: o.signal,
      args: record.args,
      requestedBy: record.requestedBy,
      queued: { history, id: record.id },
      observe: (s) => o.observe?.(s, record, config),
      ...(o.keepaliveMs === undefined ? {} : { keepaliveMs: o.keepaliveMs }),
    });
    o.out(`queue: migration ${record.id} succeeded`);
    return { kind: 'ran', id: record.id, ok: true };
  } catch (err) {
    const error = describeError(err);
    o.out(`queue: migration ${record.id} did not finish: ${error}`);
    return { kind: 'ran', id: record.id, ok: false, error };
  }
}

/**
 * A row left `running` by a runner that is gone (killed, its host lost): its lock is free and
 * nobody has touched the row for a while. It becomes interrupted, and the queue goes on with it.
 */
async function markLostRunners(o: QueueRunOptions): Promise<void> {
  const { history } = o;
  const stale = o.staleSeconds ?? 30;
  const q = selectStaleRunning(history.schema, stale);
  for (const r of await queryRows(history.conn, q.sql, q.params)) {
    const id = Number(r['id']);
    if (!(await history.isFree(migrationLockName(history.schema, id)))) continue;
    const error = `its runner ${String(r['runner'] ?? '(unknown)')} stopped without finishing (its lock is free, and it has not touched the row for ${stale}s)`;
    if (await history.apply(id, 'interrupt', { finished: true, set: { error } })) o.log.warn({ id }, `migration ${id}: ${error}; marked interrupted`);
  }
}

/** `queue run --daemon`: one migration after another, looking for due ones every `pollMs`, until stopped. */
export async function runQueueDaemon(o: QueueRunOptions & { readonly pollMs: number }): Promise<void> {
  let said: string | undefined;
  while (!o.signal.aborted) {
    let outcome: QueueRunOutcome;
    try {
      outcome = await runNextDue(o);
    } catch (err) {
      if (o.signal.aborted) return;
      o.log.error({ err: describeError(err) }, 'queue: looking for due migrations failed; trying again');
      outcome = { kind: 'busy', reason: describeError(err) };
    }
    if (outcome.kind === 'ran') {
      said = undefined;
      continue;
    }
    const line = outcome.kind === 'idle' ? 'queue: nothing due; waiting' : `queue: ${outcome.reason}; waiting`;
    if (line !== said) o.out(line);
    said = line;
    await sleep(o.pollMs, undefined, { signal: o.signal }).catch(() => undefined);
  }
}
