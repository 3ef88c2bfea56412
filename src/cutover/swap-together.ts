import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows, queryValue, type Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { crossWaiters, killQuery, pendingTableLocks } from '../sql/blockers.js';
import { createSentry, dropTable, lockTablesWrite, renameTables } from '../sql/ghost.js';
import { tableExists } from '../sql/inspect.js';

/**
 * Several tables swapped in one atomic RENAME (docs/design.md, "Several tables in one cut-over"), so a
 * change that spans tables is never half-visible, no write is lost, and no application transaction is
 * made a deadlock victim on the way. MySQL and MariaDB alike:
 *
 *   H1…Hn: one session per table, one after another, each `LOCK TABLES Ti WRITE, Ti_osc_sentry WRITE`
 *          (the sentry created first) — writes to Ti queue up.
 *   flush: every binlog event up to now applied to the ghosts (no write can reach an original now).
 *   R:     RENAME TABLE T1 TO T1_osc_sentry, T1_osc_sentry TO _T1_del, _T1_gho TO T1, T2 TO …   — one
 *          statement; it takes its metadata locks one at a time in name order, each Ti just before its
 *          sentry, so it queues behind the Hi in turn.
 *   each time R is seen waiting for Ti (performance_schema.metadata_locks): Hi drops its sentry and
 *          unlocks, and R, whose waiting exclusive request goes before queued writes, takes Ti — no
 *          write can come between. After the last one R renames every table at once.
 *
 * Why not one session: a single LOCK TABLES of all tables takes their locks one at a time too, keeping
 * each while it waits for the next; an application transaction holding the second and asking for the
 * first closes a cycle, and MySQL ends the cheaper side — the application's statement (1213). Here only
 * one H waits at any time, holding nothing, so no cycle can run through it (two waiting at once could
 * close one: T queued behind Ha's request, Ha waiting for R's read of a, R queued behind Hb's request,
 * Hb waiting for T's write of b). When Hi waits behind a transaction that itself waits for a table an
 * earlier H holds, neither goes on and the server sees no cycle (that H does not wait): seen in
 * performance_schema, every H lets go at once (Hi's statement stopped), the transaction goes on after
 * milliseconds, and after a short random pause the H's start again from Ti.
 *
 * Failure: before R, the H's unlock and the sentries go; nothing was renamed. If R fails, it renamed
 * nothing (one statement). If oschange dies mid-way, a table not yet handed over still has its sentry,
 * and R fails on it: the tables stay as they were, and the next run drops the leftover sentries.
 */
export interface SwapTogetherOptions {
  /** Opens a session. */
  readonly connect: () => Promise<Connection>;
  readonly database: string;
  readonly version: ServerVersion;
  readonly tables: readonly TableNames[];
  /** Seconds a holder waits for its table, and R for the whole hand-over. */
  readonly lockTimeoutSeconds: number;
  /** Resolves once every event up to now is applied to the ghosts (called with every table held). */
  readonly flush: () => Promise<void>;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal?: AbortSignal;
}

/** Why this server cannot swap several tables atomically, or undefined when it can. */
export function swapTogetherUnsupported(version: ServerVersion): string | undefined {
  if (version.flavor === 'mariadb' && (version.major < 10 || (version.major === 10 && version.minor < 5))) {
    return `MariaDB ${version.major}.${version.minor} has no performance_schema.metadata_locks (MariaDB 10.5 has)`;
  }
  return undefined;
}

/** Rounds of letting go before a cut-over attempt gives up as if its lock had timed out. */
const MAX_ROUNDS = 100;

export async function swapTogether(o: SwapTogetherOptions): Promise<{ lockMs: number }> {
  const unsupported = swapTogetherUnsupported(o.version);
  if (unsupported !== undefined) throw new OschangeError('SWAP_TOGETHER_UNSUPPORTED', `several tables cannot be swapped in one cut-over here: ${unsupported}`, { exitCode: ExitCode.usage });
  const sessions: Connection[] = [];
  const open = async (timeoutSeconds: number): Promise<Connection> => {
    const c = await o.connect();
    sessions.push(c);
    await c.query('SET SESSION lock_wait_timeout = ?', [timeoutSeconds]);
    return c;
  };
  const control = await open(o.lockTimeoutSeconds);
  let r: Connection | undefined;
  let renaming: Promise<unknown> | undefined;
  let firstLockAt: number | undefined;
  try {
    for (const t of o.tables) {
      await dropLeftoverSentry(control, o.database, t, o.log);
      await control.query(createSentry(o.database, t.sentry).sql);
    }
    const held = await holdEach(o, () => open(o.lockTimeoutSeconds), control);
    const { holders } = held;
    firstLockAt = held.firstLockAt;
    o.log.info({ tables: o.tables.map((t) => t.original) }, 'original tables locked for one cut-over');
    await o.flush();
    // The last moment a stop rolls back: from here R runs, and a RENAME is not stopped halfway.
    o.signal?.throwIfAborted();
    // R may wait for every hand-over: as long as the H's may hold, plus margin.
    r = await open(o.lockTimeoutSeconds * 2 + 1);
    const rId = r.threadId;
    if (rId === null) throw new Error('the rename session has no connection id');
    let settled = false;
    renaming = r
      .query(renameTables(o.database, o.tables.flatMap((t) => [[t.original, t.sentry] as const, [t.sentry, t.old] as const, [t.ghost, t.original] as const])).sql)
      .finally(() => (settled = true));
    renaming.catch(() => undefined);
    // The hand-over: Hi lets go of Ti only once R waits for it.
    const deadline = o.now() + o.lockTimeoutSeconds * 2000;
    while (!settled) {
      if (o.now() > deadline) throw new OschangeError('CUTOVER_TIMEOUT', `the cut-over rename was not handed every table within ${o.lockTimeoutSeconds * 2} s`);
      const pending = pendingTableLocks(rId, o.database);
      for (const row of await queryRows(control, pending.sql, pending.params)) {
        // Without case: with lower_case_table_names=1 the server shows `Users` as `users`.
        const t = o.tables.find((x) => x.original.toLowerCase() === String(row['name']).toLowerCase());
        const h = t === undefined ? undefined : holders.get(t.original);
        if (t === undefined || h === undefined) continue;
        holders.delete(t.original);
        await h.query(dropTable(o.database, t.sentry).sql);
        await h.query('UNLOCK TABLES');
      }
      if (!settled) await sleep(2);
    }
    await renaming;
    return { lockMs: o.now() - firstLockAt };
  } catch (err) {
    // The H's go, and their locks with them; a table not yet handed over keeps its sentry, so R, if
    // it runs, cannot rename it — and a RENAME renames all or nothing. R is waited for (its own lock
    // timeout bounds it), and only then do the sentries go.
    for (const c of sessions) if (c !== control && c !== r) c.destroy();
    const renamed = renaming === undefined ? false : await renaming.then(() => true, () => false);
    if (renamed) {
      o.log.warn({ err: describeError(err) }, 'the cut-over rename went through although a later step failed: the tables are swapped');
      return { lockMs: o.now() - (firstLockAt ?? o.now()) };
    }
    for (const t of o.tables) await dropLeftoverSentry(control, o.database, t, o.log).catch((e: unknown) => o.log.error({ err: describeError(e), table: t.sentry }, 'could not drop a cut-over sentry'));
    throw err;
  } finally {
    await Promise.allSettled(sessions.map((c) => c.end()));
  }
}

/** A sentry of an earlier, interrupted attempt: it would stop the rename for ever. */
async function dropLeftoverSentry(conn: Connection, database: string, t: TableNames, log: Logger): Promise<void> {
  const s = tableExists(database, t.sentry);
  if (Number(await queryValue(conn, s.sql, s.params)) === 0) return;
  await conn.query(dropTable(database, t.sentry).sql);
  log.info({ table: t.sentry }, 'dropped a cut-over sentry');
}

/**
 * H1…Hn (see above): every table and its sentry locked by a session of its own, one after another;
 * all let go and started again from the contended table when a transaction waits for a table held
 * while holding the one wanted. Resolves with the holders and when the round that got them began to hold.
 */
async function holdEach(o: SwapTogetherOptions, open: () => Promise<Connection>, watch: Connection): Promise<{ holders: Map<string, Connection>; firstLockAt: number }> {
  const sessions = new Map<string, Connection>();
  for (const t of o.tables) sessions.set(t.original, await open());
  const sentryOf = new Map(o.tables.map((t) => [t.original, t.sentry]));
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
      const locking = h.query(lockTablesWrite(o.database, [table, sentryOf.get(table) as string]).sql).finally(() => (settled = true));
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
