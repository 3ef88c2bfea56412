import { currentBinlogPosition } from '../binlog/stream.js';
import { formatPosition } from '../binlog/types.js';
import { decideResume } from '../checkpoint/resume.js';
import { loadCheckpoint, type Checkpoint } from '../checkpoint/store.js';
import type { MigrationConfig } from '../config.js';
import { queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { recoverTriggersFromGhost } from '../cutover/triggers.js';
import type { Hooks } from '../hooks/hooks.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { dropTable, truncateTable } from '../sql/ghost.js';
import { tableExists } from '../sql/inspect.js';
import type { MigrationState } from '../state.js';
import type { AttemptStart } from './attempt.js';
import type { MigrationDeps, MigrationResult } from './types.js';
import { reconnect } from './reconnect.js';

/** What an interrupted migration leaves, and how a later attempt or run goes on from it. */

/** The attempt start a checkpoint describes; the counters go back to what it saw. */
export function fromCheckpoint(cp: Checkpoint, state: MigrationState): AttemptStart {
  state.rowsCopied = cp.rowsCopied;
  if (cp.copyDone) state.copyEndedAtMs ??= state.copyStartedAtMs;
  else state.copyEndedAtMs = undefined;
  return { position: cp.position, range: cp.range, copiedUpTo: cp.copiedUpTo, copyDone: cp.copyDone };
}

/**
 * After a lost connection (a transient error; the caller counts the retries): reconnects and decides
 * how the run goes on — from the start when no checkpoint was saved yet (an empty ghost and a fresh
 * binlog position taken before the copy, docs/design.md rule 1), from the last checkpoint otherwise,
 * or nowhere when the cut-over had completed (`'swapped'`).
 */
export async function recoverAfterLostConnection(o: {
  config: MigrationConfig;
  endpoint: Endpoint;
  version: ServerVersion;
  names: TableNames;
  state: MigrationState;
  log: Logger;
  /** This run began from a checkpoint (--resume): there is one to go back to. */
  resumed: boolean;
  signal: AbortSignal;
}): Promise<AttemptStart | 'swapped'> {
  const { config, names, state, log } = o;
  const conn = await reconnect({ endpoint: o.endpoint, timeoutMs: config.reconnectTimeoutMs, signal: o.signal, log });
  try {
    if (!o.resumed && (await loadCheckpoint(conn, config.database, names.checkpoint)) === undefined) {
      await dropLeftoverSentry(conn, config.database, names, log);
      await conn.query(truncateTable(config.database, names.ghost).sql);
      const position = await currentBinlogPosition(conn, o.version);
      log.info({ position: formatPosition(position) }, 'no checkpoint saved yet: starting the copy over; binlog position taken before the copy');
      state.rowsCopied = 0;
      state.copyEndedAtMs = undefined;
      return { position, range: undefined, copiedUpTo: undefined, copyDone: false };
    }
    const decision = await decideResume({ conn, database: config.database, names, alter: config.alter, log });
    if (decision.kind === 'completed') {
      log.warn('the cut-over had completed when the connection was lost');
      return 'swapped';
    }
    await dropLeftoverSentry(conn, config.database, names, log);
    await recoverTriggersFromGhost({ conn, database: config.database, original: config.table, ghost: names.ghost, log });
    const start = fromCheckpoint(decision.checkpoint, state);
    log.info({ position: formatPosition(start.position), rowsCopied: decision.checkpoint.rowsCopied }, 'going on from the checkpoint');
    return start;
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** The sentry of a cut-over whose connection was lost; no cut-over runs now, so it is ours to drop. */
export async function dropLeftoverSentry(conn: Connection, database: string, names: TableNames, log: Logger): Promise<void> {
  const s = tableExists(database, names.sentry);
  if (Number(await queryValue(conn, s.sql, s.params)) === 0) return;
  await conn.query(dropTable(database, names.sentry).sql);
  log.info({ table: names.sentry }, 'dropped the sentry of an interrupted cut-over');
}

/** --resume found the swap done: the interrupted run got through its cut-over. Only cleanup is left. */
export async function finishCompletedSwap(o: {
  deps: MigrationDeps;
  conn: Connection;
  names: TableNames;
  state: MigrationState;
  hooks: Hooks;
  elapsed: () => number;
}): Promise<MigrationResult> {
  const { config, out } = o.deps;
  const what = `${config.database}.${config.table}`;
  if (!config.execute) {
    out(`Resume: the interrupted migration of ${what} had completed its cut-over (the table has the new schema, the old one is ${o.names.old}); with --execute, --resume removes ${o.names.changelog} and ${o.names.checkpoint}.`);
    out('Dry run: nothing was changed. Add --execute to run the migration.');
    return { executed: false, plan: undefined, rowsCopied: 0, eventsApplied: 0, lockMs: undefined, elapsedMs: o.elapsed(), instant: false };
  }
  await o.conn.query(dropTable(config.database, o.names.changelog).sql);
  await o.conn.query(dropTable(config.database, o.names.checkpoint).sql);
  if (config.okToDropTable) await o.conn.query(dropTable(config.database, o.names.old).sql);
  o.state.phase = 'done';
  await o.hooks.run('success');
  out(
    `Done: the interrupted migration of ${what} had completed its cut-over before it stopped; removed ${o.names.changelog} and ${o.names.checkpoint}; ` +
      (config.okToDropTable ? 'old table dropped.' : `old table kept as ${o.names.old}.`),
  );
  return { executed: true, plan: undefined, rowsCopied: 0, eventsApplied: 0, lockMs: undefined, elapsedMs: o.elapsed(), instant: false };
}
