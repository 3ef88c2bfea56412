import type { Checkpoint } from '../checkpoint/store.js';
import { queryValue, type Connection } from '../db/connect.js';
import type { Hooks } from '../hooks/hooks.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { dropTable } from '../sql/ghost.js';
import { tableExists } from '../sql/inspect.js';
import type { MigrationState } from '../state.js';
import type { AttemptStart } from './attempt.js';
import type { MigrationDeps, MigrationResult } from './types.js';

/** What an interrupted migration leaves, and how a later attempt or run goes on from it. */

/** The attempt start a checkpoint describes; the counters go back to what it saw. */
export function fromCheckpoint(cp: Checkpoint, state: MigrationState): AttemptStart {
  state.rowsCopied = cp.rowsCopied;
  if (cp.copyDone) state.copyEndedAtMs ??= state.copyStartedAtMs;
  else state.copyEndedAtMs = undefined;
  return { position: cp.position, range: cp.range, copiedUpTo: cp.copiedUpTo, copyDone: cp.copyDone };
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
