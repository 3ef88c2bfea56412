import { setTimeout as sleep } from 'node:timers/promises';
import { formatPosition } from '../binlog/types.js';
import type { MigrationConfig } from '../config.js';
import { queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError } from '../errors.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Logger } from '../log.js';
import { runAttempt } from '../migration/attempt.js';
import { formatShortDuration } from '../schedule/duration.js';
import { tableExists } from '../sql/inspect.js';
import type { MigrationState } from '../state.js';
import { statusLine } from '../status/format.js';
import { reverseConfig } from './config.js';
import { revertNames } from './names.js';
import { unfillableColumns } from './exactness.js';
import { reversePlan } from './plan.js';
import { loadRevertRecord, recordCutOver } from './record.js';

/** Ends the engine's run where a migration would start its cut-over: the reverse sync never swaps. */
class ReverseSyncEnded extends Error {}

export interface AfterSwapOptions {
  /** The migration's settings (the table, --keep-reverse-sync, throttling, the socket's settings). */
  readonly config: MigrationConfig;
  /** The old table's name this run gave it (`_T_del`, or stamped). */
  readonly oldTable: string;
  readonly conn: Connection;
  readonly endpoint: Endpoint;
  readonly version: ServerVersion;
  readonly hooks: Hooks;
  /** The migration's state: the socket and the status line show the reverse sync through it. */
  readonly state: MigrationState;
  readonly log: Logger;
  readonly now: () => number;
  readonly out: (line: string) => void;
  readonly status: (line: string) => void;
  /** The migration's own signal (a stop signal, or panic from the socket or the throttler): it ends the reverse sync cleanly, its position saved. */
  readonly signal: AbortSignal;
}

/**
 * After the swap, with --keep-reverse-sync: records the cut-over's position in `_T_ghr` (only that with
 * `0`), then keeps replaying the table's writes into `_T_del` with the mapping reversed for the
 * duration — the engine of a migration whose ghost is `_T_del`, started at that position with no
 * copy, which stops where the cut-over would begin. Its checkpoints move `_T_ghr` on; `oschange revert` goes
 * on from there. The migration is done whatever happens here: a failure is reported, not thrown.
 */
export async function keepReverseSync(o: AfterSwapOptions): Promise<void> {
  const { config, state, log } = o;
  const durationMs = config.keepReverseSyncMs;
  if (durationMs === undefined) return;
  const names = revertNames(config.table, o.oldTable);
  const where = `${config.database}.${config.table}`;
  const kept = tableExists(config.database, names.ghost);
  if (Number(await queryValue(o.conn, kept.sql, kept.params)) === 0) {
    o.out(`Reverse sync: not started: the old table ${names.ghost} is gone (--alter-foreign-keys-method drop_swap drops it).`);
    return;
  }
  if (state.cutOverPosition === undefined) {
    o.out(`Reverse sync: not started: the cut-over's binlog position is unknown (the connection was lost during the cut-over); ${where} cannot be reverted by oschange.`);
    return;
  }
  try {
    await recordCutOver({ conn: o.conn, database: config.database, table: config.table, oldTable: names.ghost, alter: config.alter, position: state.cutOverPosition });
  } catch (err) {
    o.out(`Reverse sync: not started: recording the cut-over's position in ${names.checkpoint} failed (${describeError(err)}).`);
    return;
  }
  o.out(`Revert: the cut-over's binlog position ${formatPosition(state.cutOverPosition)} is recorded in ${names.checkpoint}; \`oschange revert --database ${config.database} --table ${config.table}\` swaps ${names.ghost} back while the binlog from there is kept.`);
  if (o.signal.aborted || durationMs === 0) return;

  const stop = new AbortController();
  const onStop = (): void => stop.abort(o.signal.reason);
  o.signal.addEventListener('abort', onStop, { once: true });
  const timer = setInterval(() => o.status(statusLine(state, o.now())), Math.max(1000, config.statusIntervalMs));
  try {
    const record = await loadRevertRecord(o.conn, config.database, config.table);
    if (record === undefined) throw new Error(`${names.checkpoint} is empty`);
    const plan = await reversePlan({ conn: o.conn, version: o.version, database: config.database, table: config.table, oldTable: names.ghost, alter: record.alter });
    const unfillable = await unfillableColumns(o.conn, config.database, plan);
    if (unfillable.length > 0) {
      o.out(`Reverse sync: not started: the old table's column ${unfillable.join(', ')} is NOT NULL without a default and ${config.table} has no values for it, so no write can be replayed into ${names.ghost}; ${where} cannot be reverted by oschange.`);
      return;
    }
    const until = o.now() + durationMs;
    // From here the position saved is the reverse replay's (the forward applier's is no longer meant).
    state.safeAppliedPosition = record.position;
    // The migration's postpone flag file and unpostpone mean nothing here.
    state.postponeCutOverFlagFile = undefined;
    state.phase = 'reverse sync';
    o.out(`Reverse sync: replaying ${where}'s writes into ${names.ghost} for ${formatShortDuration(durationMs)} (stop it any time: SIGTERM, or panic on the socket).`);
    await runAttempt({
      config: reverseConfig(config, { checksum: false, allowInexact: false, postpone: false }),
      log: log.child({ module: 'reverse-sync' }),
      now: o.now,
      state,
      plan,
      endpoint: o.endpoint,
      version: o.version,
      hooks: o.hooks,
      identity: { alter: record.alter, originalSchema: record.originalSchema, ghostSchema: record.ghostSchema, oldTable: names.ghost },
      start: { position: record.position, range: undefined, copiedUpTo: undefined, copyDone: true },
      firstAttempt: false,
      printStatus: () => o.status(statusLine(state, o.now())),
      abortMigration: (reason) => stop.abort(reason),
      signal: stop.signal,
      beforeCutOver: async () => {
        state.phase = 'reverse sync';
        await sleep(Math.max(0, until - o.now()), undefined, { signal: stop.signal });
        throw new ReverseSyncEnded('reverse sync ended');
      },
    });
  } catch (err) {
    const at = state.safeAppliedPosition === undefined ? '' : ` up to ${formatPosition(state.safeAppliedPosition)}`;
    if (err instanceof ReverseSyncEnded) {
      o.out(`Reverse sync: ended after ${formatShortDuration(durationMs)}; ${names.ghost} holds ${where}'s writes${at} (saved in ${names.checkpoint}).`);
    } else if (stop.signal.aborted) {
      o.out(`Reverse sync: stopped (${describeError(stop.signal.reason)}); ${names.ghost} holds ${where}'s writes${at} (saved in ${names.checkpoint}); \`oschange revert\` goes on from there.`);
    } else {
      log.error({ err: describeError(err) }, 'reverse sync failed');
      o.out(`Reverse sync: failed (${describeError(err)}); ${names.ghost} holds ${where}'s writes${at}; \`oschange revert\` says whether and how it can go on.`);
    }
  } finally {
    clearInterval(timer);
    o.signal.removeEventListener('abort', onStop);
  }
}
