import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows, type Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { crossWaiters, killQuery, pendingTableLocks } from '../sql/blockers.js';
import { lockTablesWrite, renameTables } from '../sql/ghost.js';

/**
 * Several tables swapped in one atomic RENAME (docs/design.md, "Several tables in one cut-over"), so a
 * change that spans tables is never half-visible, and no application transaction is made a deadlock
 * victim on the way.
 *
 * MySQL (8.0.13 and later) renames tables its session holds under LOCK TABLES … WRITE. But one LOCK
 * TABLES of several tables takes their metadata locks one at a time, in name order, keeping each while
 * it waits for the next: an application transaction that holds the second and then asks for the
 * first closes a cycle, and MySQL ends the cheaper side of it — the application's statement (1213,
 * deadlock). So the locks are taken in a hand-over:
 *   H1…Hn: one session per original, one after another, each `LOCK TABLES Ti WRITE`. Only one of them
 *          waits at any time, and it holds nothing: a cycle through it would need an application session
 *          queued behind its request to hold what it waits for, which is Ti itself. (Two waiting at once
 *          would close one: T queued behind Ha's request on a, Ha waiting for R's read of a, R queued
 *          behind Hb's request on b, Hb waiting for T's write of b — and MySQL would end T or R.)
 *          When Hi waits behind a transaction that itself waits for a table an earlier H holds (it wrote
 *          Ti and now wants Tj), neither would go on, and MySQL sees no cycle, as Hj does not wait. Seen
 *          in performance_schema, every H lets go at once (Hi's statement is stopped), the transaction
 *          goes on — it waited milliseconds — and after a short random pause the H's start again from
 *          Ti, the table that transaction takes first, until one round gets every table.
 *   L:     LOCK TABLES every original, ghost and `alsoLocked` table WRITE — queues behind the Hi
 *   each time L is seen waiting for Ti (performance_schema.metadata_locks): Hi unlocks, and L, whose
 *          pending request outranks queued writes, takes Ti next. L never waits behind the application.
 *   flush(L): every event up to now applied to the ghosts, through L itself (under LOCK TABLES a
 *             session can use only the tables it locked, and no other session can write the ghosts)
 *   L: RENAME TABLE T1 TO _T1_del, _T1_gho TO T1, T2 TO _T2_del, _T2_gho TO T2, …   — one statement
 *   L: UNLOCK TABLES                                                     — queued writes reach the new tables
 * If any session dies or anything fails before the RENAME, the locks go with the sessions and nothing
 * was renamed. No sentry is needed: the lock and the rename are one session's.
 */
export interface SwapTogetherOptions {
  /** Opens the lock session. */
  readonly connect: () => Promise<Connection>;
  readonly database: string;
  readonly version: ServerVersion;
  readonly tables: readonly TableNames[];
  /** Locked as well, for `flush` to use (the changelog the applier's marker goes through, …). */
  readonly alsoLocked?: readonly string[];
  readonly lockTimeoutSeconds: number;
  /** Applies every event up to now to the ghosts, through the lock session. */
  readonly flush: (lockConn: Connection) => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

/** Why this server cannot swap several tables atomically, or undefined when it can. */
export function swapTogetherUnsupported(version: ServerVersion): string | undefined {
  if (version.flavor === 'mariadb') {
    return (
      'MariaDB refuses RENAME TABLE under LOCK TABLES, and the queued-RENAME swap takes one table\'s lock at a time, ' +
      'so a write queued on a later table could land in its old table; migrate the tables one by one, or on MySQL'
    );
  }
  if (version.major < 8 || (version.major === 8 && version.minor === 0 && version.patch < 13)) {
    return `MySQL ${version.major}.${version.minor}.${version.patch} cannot rename tables under LOCK TABLES (MySQL 8.0.13 can)`;
  }
  return undefined;
}

export async function swapTogether(o: SwapTogetherOptions): Promise<{ lockMs: number }> {
  const unsupported = swapTogetherUnsupported(o.version);
  if (unsupported !== undefined) throw new OschangeError('SWAP_TOGETHER_UNSUPPORTED', `several tables cannot be swapped in one cut-over here: ${unsupported}`, { exitCode: ExitCode.usage });
  const sessions: Connection[] = [];
  const open = async (): Promise<Connection> => {
    const c = await o.connect();
    sessions.push(c);
    await c.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds]);
    return c;
  };
  let lockConn: Connection | undefined;
  let locked = false;
  try {
    const watch = await open();
    const { holders, firstLockAt } = await holdEach(o, open, watch);
    lockConn = await open();
    const lockId = lockConn.threadId;
    if (lockId === null) throw new Error('the lock session has no connection id');
    const locking = [...o.tables.flatMap((t) => [t.original, t.ghost]), ...(o.alsoLocked ?? [])];
    let settled = false;
    const all = lockConn.query(lockTablesWrite(o.database, locking).sql).finally(() => (settled = true));
    all.catch(() => undefined);
    // The hand-over: a holder lets go of its table only once L waits for it.
    while (!settled) {
      const pending = pendingTableLocks(lockId, o.database);
      for (const row of await queryRows(watch, pending.sql, pending.params)) {
        const name = String(row['name']);
        const h = holders.get(name);
        if (h === undefined) continue;
        holders.delete(name);
        await h.query('UNLOCK TABLES');
      }
      if (!settled) await sleep(2);
    }
    await all;
    locked = true;
    o.log.info({ tables: o.tables.map((t) => t.original) }, 'original tables locked for one cut-over');
    await o.flush(lockConn);
    // The last moment a stop rolls back: after it the RENAME runs, and a RENAME is not stopped halfway.
    o.signal?.throwIfAborted();
    await lockConn.query(renameTables(o.database, o.tables.flatMap((t) => [[t.original, t.old] as const, [t.ghost, t.original] as const])).sql);
    await lockConn.query('UNLOCK TABLES');
    locked = false;
    return { lockMs: o.now() - firstLockAt };
  } catch (err) {
    if (locked) await lockConn?.query('UNLOCK TABLES').catch((e: unknown) => o.log.warn({ err: describeError(e) }, 'could not unlock after a failed cut-over; the session is closed instead'));
    throw err;
  } finally {
    // Ending a session releases whatever it still holds (a holder whose table L never reached).
    await Promise.allSettled(sessions.map((c) => c.end()));
  }
}

/** Rounds before a cut-over attempt gives up as if its lock had timed out. */
const MAX_ROUNDS = 100;

/**
 * H1…Hn (see swapTogether): every original locked by a session of its own, one after another, all
 * let go and started again from the contended table when a transaction waits for a table held while
 * holding the one wanted. Resolves with the holders and when the round that got them all began to hold.
 */
async function holdEach(o: SwapTogetherOptions, open: () => Promise<Connection>, watch: Connection): Promise<{ holders: Map<string, Connection>; firstLockAt: number }> {
  const sessions = new Map<string, Connection>();
  for (const t of o.tables) sessions.set(t.original, await open());
  let order = o.tables.map((t) => t.original);
  for (let round = 1; ; round++) {
    o.signal?.throwIfAborted();
    const held: string[] = [];
    let firstLockAt: number | undefined;
    let crossed: string | undefined;
    for (const table of order) {
      const h = sessions.get(table) as Connection;
      let settled = false;
      let stopped = false;
      const locking = h.query(lockTablesWrite(o.database, [table]).sql).finally(() => (settled = true));
      locking.catch(() => undefined);
      while (!settled && held.length > 0) {
        const cross = crossWaiters(o.database, table, held);
        if (Number((await queryRows(watch, cross.sql, cross.params))[0]?.['n']) > 0 && !settled) {
          crossed = table;
          stopped = true;
          if (h.threadId !== null) await watch.query(killQuery(h.threadId).sql).catch(() => undefined);
          break;
        }
        await sleep(2);
      }
      // A statement stopped here ends in an error; one that got its lock just before the stop holds it.
      const got = await locking.then(
        () => true,
        (err: unknown) => {
          if (!stopped) throw err;
          return false;
        },
      );
      if (!got) break;
      firstLockAt ??= o.now();
      held.push(table);
    }
    if (crossed === undefined) return { holders: new Map(sessions), firstLockAt: firstLockAt ?? o.now() };
    // Let go of everything: the transaction goes on, and the next round starts where it stood.
    await Promise.all([...sessions.values()].map((h) => h.query('UNLOCK TABLES')));
    o.log.debug({ table: crossed, round }, 'a transaction holding one table waits for another the cut-over holds: letting go, starting again from that table');
    if (round >= MAX_ROUNDS) {
      throw new OschangeError('LOCK_BACKOFF', `the cut-over let go of the tables ${MAX_ROUNDS} times for transactions holding one of them and waiting for another; the original tables are untouched`);
    }
    const first = crossed;
    order = [first, ...order.filter((t) => t !== first)];
    await sleep(1 + Math.floor(Math.random() * 5 * Math.min(round, 10)));
  }
}
