import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '../db/connect.js';
import { queryRows, queryValue } from '../db/connect.js';
import { errno } from '../db/retry.js';
import { describeError, OschangeError } from '../errors.js';
import { faultPoint } from '../fault-point.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { foreignKeyChecksOff } from '../sql/foreign-keys.js';
import { autoIncrementOf, createSentry, dropTable, lockTablesWrite, renameTables, setAutoIncrement } from '../sql/ghost.js';
import { killBlockers, type BlockerSource } from './blockers.js';
import { moveTriggersBack, moveTriggersToGhost, type MovedTriggers } from './triggers.js';

/**
 * How the ghost takes the table's place:
 * - `rename`: the original becomes `_T_del` in the same atomic RENAME (the default);
 * - `drop`: the original is dropped inside the lock and the ghost renamed to its name
 *   (--alter-foreign-keys-method drop_swap): child tables' foreign keys name the table, not a
 *   particular one, so they hold on the new table without being rebuilt; the old table is gone.
 */
export type SwapMethod = 'rename' | 'drop';

export interface CutOverOptions {
  /** Opens a new session (the lock and the rename each need their own). */
  readonly connect: () => Promise<Connection>;
  /** A session for watching the processlist and cleaning up. */
  readonly control: Connection;
  readonly database: string;
  readonly names: TableNames;
  readonly lockTimeoutSeconds: number;
  /** Writes a marker and resolves once the applier has applied every event before it. */
  readonly waitForAllEvents: (timeoutMs: number) => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
  /** A stop before the point of no return rolls the cut-over back; after it, the swap finishes. */
  readonly signal?: AbortSignal;
  readonly method?: SwapMethod;
  /** --include-triggers: the original's triggers move to the ghost under the lock (triggers.ts). */
  readonly moveTriggers?: boolean;
  /**
   * --force-kill-blockers-after: while the lock waits, the sessions that hold a lock on the original
   * are named in the log and killed (blockers.ts).
   */
  readonly killBlockers?: BlockerSource;
  /** The migration's other sessions (applier, heartbeat, …): never killed as blockers. */
  readonly ownSessions?: ReadonlySet<number>;
}

export interface CutOverResult {
  /** How long the original table was locked, in ms. */
  readonly lockMs: number;
  /** The triggers that moved with the swap (their names), in the order they were created. */
  readonly triggers: readonly string[];
  /** The AUTO_INCREMENT the new table was given to match the original's, when it had to be raised. */
  readonly autoIncrement: bigint | undefined;
}

/**
 * gh-ost's atomic cut-over, which works on MySQL and MariaDB alike (MariaDB refuses RENAME under
 * LOCK TABLES), with one correction (docs/design.md, "The cut-over protocol"):
 *   A: CREATE sentry; LOCK TABLES T WRITE, sentry WRITE             — writes to T queue up
 *   wait until the applier has applied every binlog event up to a marker written now
 *   the ghost's AUTO_INCREMENT raised to the original's; (--include-triggers) the triggers moved
 *   B: RENAME TABLE T TO sentry, sentry TO _T_del, _T_gho TO T     — blocks behind A's locks
 *   wait until B is seen waiting on the metadata lock
 *   A: DROP TABLE sentry; UNLOCK TABLES                            — B's rename runs, atomically
 * If A dies or anything fails before A drops the sentry, B's rename fails (the sentry still holds
 * its name) and T is untouched (docs/design.md rule 4).
 *
 * The correction: a RENAME takes its metadata locks in name order. With gh-ost's sentry `_T_del`
 * (which sorts before `T`), B waits on the sentry, and only asks for T after A drops the sentry —
 * if A's UNLOCK comes first, a queued INSERT can take T before B and land in the old table after
 * the applier's last event: a lost write (measured here: 5–9 of 100 swaps on both servers). The
 * sentry is therefore named `T_osc_sentry`, which sorts after `T`: B is already waiting on T
 * itself when A unlocks, and a waiting exclusive lock goes before waiting writes (0 of 400).
 * https://dev.mysql.com/doc/refman/9.4/en/metadata-locking.html
 *
 * The `drop` method needs no sentry: T itself holds the name. B is `RENAME TABLE _T_gho TO T`,
 * which fails while T exists; A drops T (the point of no return) and unlocks, and B — the waiting
 * exclusive lock — goes first, so queued writes reach the new table.
 */
export async function swapTables(o: CutOverOptions): Promise<CutOverResult> {
  const { database, names } = o;
  const method = o.method ?? 'rename';
  const timeoutMs = o.lockTimeoutSeconds * 1000;
  const lockConn = await o.connect();
  const renameConn = await o.connect();
  let locked = false;
  let lockedAt = 0;
  let rename: Promise<unknown> | undefined;
  let moved: MovedTriggers = [];
  let pastNoReturn = false;
  let autoIncrement: bigint | undefined;
  let renameOutcome: { ok: true } | { ok: false; err: unknown } | undefined;
  const result = (): CutOverResult => ({ lockMs: o.now() - lockedAt, triggers: moved.map((t) => t.name), autoIncrement });
  try {
    await lockConn.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds]);
    // MySQL caches information_schema's AUTO_INCREMENT for a day by default; the lock reads it live.
    await lockConn.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
    if (method === 'drop') await lockConn.query(foreignKeyChecksOff().sql);
    // B may wait for A's lock for as long as A may hold it, plus margin.
    await renameConn.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds * 2 + 1]);
    const lockId = Number(await queryValue(lockConn, 'SELECT CONNECTION_ID()'));
    const renameId = Number(await queryValue(renameConn, 'SELECT CONNECTION_ID()'));

    if (method === 'rename') await lockConn.query(createSentry(database, names.sentry).sql);
    const lockTables = method === 'rename' ? [names.original, names.sentry] : [names.original];
    await takeLock(o, lockConn, lockTablesWrite(database, lockTables).sql, new Set([lockId, renameId, ...(o.ownSessions ?? [])]));
    locked = true;
    lockedAt = o.now();
    o.log.info({ table: names.original }, 'original table locked for cut-over');
    faultPoint('cutover:locked');

    await o.waitForAllEvents(timeoutMs);
    autoIncrement = await keepAutoIncrement(o, lockConn);
    if (o.moveTriggers === true) {
      moved = await moveTriggersToGhost({ database, original: names.original, ghost: names.ghost, lockConn, connect: o.connect, log: o.log });
      faultPoint('cutover:triggers-moved');
    }

    const swap =
      method === 'rename'
        ? renameTables(database, [
            [names.original, names.sentry],
            [names.sentry, names.old],
            [names.ghost, names.original],
          ])
        : renameTables(database, [[names.ghost, names.original]]);
    rename = renameConn.query(swap.sql).then(
      () => (renameOutcome = { ok: true }),
      (err: unknown) => (renameOutcome = { ok: false, err }),
    );
    await waitForRenameBlocked(o.control, renameId, () => renameOutcome, timeoutMs - (o.now() - lockedAt));
    faultPoint('cutover:rename-waiting');

    // The point of no return: dropping the sentry (or the original) lets B's rename through when we
    // unlock. A stop that came before it rolls back (B's rename fails on the name taken); none after it can.
    o.signal?.throwIfAborted();
    await lockConn.query(dropTable(database, method === 'rename' ? names.sentry : names.original).sql);
    pastNoReturn = true;
    faultPoint('cutover:sentry-dropped');
    await lockConn.query('UNLOCK TABLES');
    locked = false;
    const lockMs = o.now() - lockedAt;
    await rename;
    faultPoint('cutover:swapped');
    const outcome = renameOutcome as { ok: true } | { ok: false; err: unknown } | undefined;
    if (outcome === undefined || !outcome.ok) {
      throw new OschangeError('CUTOVER_RENAME', `the cut-over rename failed: ${describeError(outcome?.ok === false ? outcome.err : 'no result')}`);
    }
    return { ...result(), lockMs };
  } catch (err) {
    // Roll back: the sentry stays until the rename (if issued) has failed, so it cannot go through.
    // While it stays, the rename cannot make the ghost the table: moved triggers go back first, under
    // the lock if it still holds.
    if (moved.length > 0 && !pastNoReturn) {
      await moveTriggersBack({ database, original: names.original, ghost: names.ghost, conn: locked ? lockConn : o.control, connect: o.connect, log: o.log }, moved);
      moved = [];
    }
    if (locked) await lockConn.query('UNLOCK TABLES').catch(() => undefined);
    if (rename !== undefined) {
      await Promise.race([rename, sleep(timeoutMs * 2 + 2000)]);
      const outcome = renameOutcome as { ok: true } | { ok: false; err: unknown } | undefined;
      if (outcome?.ok === true) {
        // The swap completed even though a later step reported an error: it is done.
        return result();
      }
    }
    if (method === 'rename') {
      await o.control.query(dropTable(database, names.sentry).sql).catch((e: unknown) => o.log.error({ err: describeError(e) }, 'could not drop the cut-over sentry'));
    } else if (pastNoReturn) {
      // The original is gone and the rename did not happen: the ghost, complete, takes its name now.
      await finishDropSwap(o);
      return result();
    }
    throw err;
  } finally {
    await Promise.allSettled([lockConn.end(), renameConn.end()]);
  }
}

/** LOCK TABLES, and with --force-kill-blockers-after the sessions it waits behind killed meanwhile. */
async function takeLock(o: CutOverOptions, lockConn: Connection, sql: string, ours: ReadonlySet<number>): Promise<void> {
  if (o.killBlockers === undefined) {
    await lockConn.query(sql);
    return;
  }
  let done = false;
  const granted = new AbortController();
  const lock = lockConn.query(sql).finally(() => {
    done = true;
    granted.abort();
  });
  // Half the lock's timeout to be granted on its own (a statement that was running when it asked
  // finishes by then); whoever still holds the table after that is what it waits behind.
  const killing = (async () => {
    await sleep(o.lockTimeoutSeconds * 500, undefined, { signal: granted.signal });
    await killBlockers({ source: o.killBlockers as BlockerSource, conn: o.control, database: o.database, table: o.names.original, exclude: ours, waitedSeconds: o.lockTimeoutSeconds / 2, log: o.log, stillWaiting: () => !done });
  })().catch((e: unknown) => {
    if (!granted.signal.aborted) o.log.error({ err: describeError(e) }, 'could not kill the sessions blocking the cut-over');
  });
  try {
    await lock;
  } finally {
    await killing;
  }
}

/**
 * A deleted top row must not have its id handed out again after the swap: the ghost's counter
 * follows the rows it holds, the original's every id it ever gave. Read under the lock (no insert
 * can move it now) and raised on the ghost when lower. A metadata-only ALTER.
 */
async function keepAutoIncrement(o: CutOverOptions, lockConn: Connection): Promise<bigint | undefined> {
  const read = async (conn: Connection, table: string): Promise<bigint | undefined> => {
    const s = autoIncrementOf(o.database, table);
    const v = await queryValue(conn, s.sql, s.params);
    return v === null || v === undefined ? undefined : BigInt(String(v));
  };
  const original = await read(lockConn, o.names.original);
  if (original === undefined) return undefined;
  await o.control.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
  const ghost = await read(o.control, o.names.ghost);
  if (ghost !== undefined && ghost >= original) return undefined;
  await o.control.query(setAutoIncrement(o.database, o.names.ghost, original).sql);
  o.log.info({ autoIncrement: original.toString(), ghostHad: ghost?.toString() }, "the new table's AUTO_INCREMENT raised to the original's");
  return original;
}

/** After a drop swap whose rename failed past the point of no return: the ghost is renamed now. */
async function finishDropSwap(o: CutOverOptions): Promise<void> {
  const s = renameTables(o.database, [[o.names.ghost, o.names.original]]);
  for (let i = 0; ; i++) {
    try {
      await o.control.query(s.sql);
      o.log.warn({ table: o.names.original }, 'the cut-over rename failed after the original was dropped; the new table took its name');
      return;
    } catch (err) {
      if (i >= 20) throw new OschangeError('CUTOVER_RENAME', `the original table was dropped and the new one could not take its name: ${describeError(err)}; run ${s.sql} now`);
      o.log.error({ err: describeError(err), errno: errno(err) }, 'renaming the new table into place failed; retrying');
      await sleep(100);
    }
  }
}

async function waitForRenameBlocked(control: Connection, renameId: number, outcome: () => unknown, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  while (Date.now() < deadline) {
    if (outcome() !== undefined) throw new OschangeError('CUTOVER_RENAME', 'the cut-over rename ended before the swap: ' + JSON.stringify(outcome()));
    const rows = await queryRows(control, 'SHOW FULL PROCESSLIST');
    const me = rows.find((r) => Number(r['Id']) === renameId);
    const state = String(me?.['State'] ?? '');
    const info = String(me?.['Info'] ?? '');
    if (/metadata lock/i.test(state) && /^\s*RENAME/i.test(info)) return;
    await sleep(5);
  }
  throw new OschangeError('CUTOVER_TIMEOUT', `the cut-over rename was not seen waiting for the lock within ${Math.round(timeoutMs)} ms`);
}
