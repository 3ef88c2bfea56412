import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '../db/connect.js';
import { queryRows, queryValue } from '../db/connect.js';
import { describeError, OschangeError } from '../errors.js';
import { faultPoint } from '../fault-point.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { createSentry, dropTable, lockTablesWrite, renameTables } from '../sql/ghost.js';

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
}

export interface CutOverResult {
  /** How long the original table was locked, in ms. */
  readonly lockMs: number;
}

/**
 * gh-ost's atomic cut-over, which works on MySQL and MariaDB alike (MariaDB refuses RENAME under
 * LOCK TABLES), with one correction:
 *   A: CREATE sentry; LOCK TABLES T WRITE, sentry WRITE             — writes to T queue up
 *   wait until the applier has applied every binlog event up to a marker written now
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
 */
export async function sentrySwap(o: CutOverOptions): Promise<CutOverResult> {
  const { database, names } = o;
  const timeoutMs = o.lockTimeoutSeconds * 1000;
  const lockConn = await o.connect();
  const renameConn = await o.connect();
  let locked = false;
  let lockedAt = 0;
  let rename: Promise<unknown> | undefined;
  let renameOutcome: { ok: true } | { ok: false; err: unknown } | undefined;
  try {
    await lockConn.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds]);
    // B may wait for A's lock for as long as A may hold it, plus margin.
    await renameConn.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds * 2 + 1]);
    const renameId = Number(await queryValue(renameConn, 'SELECT CONNECTION_ID()'));

    await lockConn.query(createSentry(database, names.sentry).sql);
    await lockConn.query(lockTablesWrite(database, [names.original, names.sentry]).sql);
    locked = true;
    lockedAt = o.now();
    o.log.info({ table: names.original }, 'original table locked for cut-over');
    faultPoint('cutover:locked');

    await o.waitForAllEvents(timeoutMs);

    const swap = renameTables(database, [
      [names.original, names.sentry],
      [names.sentry, names.old],
      [names.ghost, names.original],
    ]);
    rename = renameConn.query(swap.sql).then(
      () => (renameOutcome = { ok: true }),
      (err: unknown) => (renameOutcome = { ok: false, err }),
    );
    await waitForRenameBlocked(o.control, renameId, () => renameOutcome, timeoutMs - (o.now() - lockedAt));
    faultPoint('cutover:rename-waiting');

    // The point of no return: dropping the sentry lets B's rename through when we unlock. A stop
    // that came before it rolls back (the sentry makes B's rename fail); none after it can.
    o.signal?.throwIfAborted();
    await lockConn.query(dropTable(database, names.sentry).sql);
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
    return { lockMs };
  } catch (err) {
    // Roll back: the sentry stays until the rename (if issued) has failed, so it cannot go through.
    if (locked) await lockConn.query('UNLOCK TABLES').catch(() => undefined);
    if (rename !== undefined) {
      await Promise.race([rename, sleep(timeoutMs * 2 + 2000)]);
      const outcome = renameOutcome as { ok: true } | { ok: false; err: unknown } | undefined;
      if (outcome?.ok === true) {
        // The swap completed even though a later step reported an error: it is done.
        return { lockMs: o.now() - lockedAt };
      }
    }
    await o.control.query(dropTable(database, names.sentry).sql).catch((e: unknown) => o.log.error({ err: describeError(e) }, 'could not drop the cut-over sentry'));
    throw err;
  } finally {
    await Promise.allSettled([lockConn.end(), renameConn.end()]);
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
