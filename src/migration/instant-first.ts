import type { Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { describeError, OschangeError } from '../errors.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Plan } from '../inspect/plan.js';
import { dropTable } from '../sql/ghost.js';
import type { MigrationState } from '../state.js';
import { tryInstantDdl, type InstantOutcome } from './instant.js';
import type { MigrationDeps, MigrationResult } from './types.js';

/**
 * Tries the ALTER on the original table with ALGORITHM=INSTANT. createGhostAndPlan has validated it on
 * `_T_gho`, the only table created so far: it is dropped when the instant ALTER is done (or fails
 * for real), and kept for the copy when the server cannot do it instantly (or not now). Returns the
 * migration's result when done, undefined to go on with the copy.
 */
export async function instantFirst(o: {
  deps: MigrationDeps;
  conn: Connection;
  endpoint: Endpoint;
  plan: Plan;
  state: MigrationState;
  hooks: Hooks;
  elapsed: () => number;
}): Promise<MigrationResult | undefined> {
  const { config, out, log } = o.deps;
  const what = `${config.database}.${config.table}`;
  const dropGhost = (): Promise<unknown> => o.conn.query(dropTable(config.database, o.plan.names.ghost).sql);
  let outcome: InstantOutcome;
  try {
    outcome = await tryInstantDdl({
      endpoint: o.endpoint,
      flavor: o.plan.version.flavor,
      database: config.database,
      table: config.table,
      alter: o.plan.alter,
      now: o.deps.now ?? Date.now,
      log: log.child({ module: 'instant' }),
    });
  } catch (err) {
    await dropGhost().catch((e: unknown) => log.warn({ err: describeError(e), table: o.plan.names.ghost }, 'could not drop the ghost table'));
    throw new OschangeError('INSTANT_FAILED', `ALTER TABLE … ALGORITHM=INSTANT on ${what} failed: ${describeError(err)}`, { cause: err });
  }
  switch (outcome.kind) {
    case 'not-possible':
      out(`Instant: not possible (${outcome.reason}); copying instead.`);
      return undefined;
    case 'not-now':
      out(`Instant: not possible now (${outcome.reason}); copying instead.`);
      return undefined;
    case 'done':
      break;
  }
  out(`Instant: ${what} altered in place with ALGORITHM=INSTANT in ${outcome.ms} ms; no copy was needed.`);
  // The table is altered: a ghost that cannot be dropped now is reported, and does not undo that.
  await dropGhost().catch((err: unknown) => log.warn({ err: describeError(err), table: o.plan.names.ghost }, `could not drop the unused ghost table; drop ${o.plan.names.ghost} by hand`));
  o.state.phase = 'done';
  o.state.lockMs = outcome.ms;
  await o.hooks.run('success');
  out(
    `Done: ${what} migrated in ${(o.elapsed() / 1000).toFixed(1)}s; rows copied: 0, binlog events applied: 0; ` +
      `altered in place with ALGORITHM=INSTANT (the table was locked for at most ${outcome.ms} ms); no old table.`,
  );
  return { executed: true, plan: o.plan, rowsCopied: 0, eventsApplied: 0, lockMs: outcome.ms, elapsedMs: o.elapsed(), instant: true };
}
