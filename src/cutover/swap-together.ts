import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { lockTablesWrite, renameTables } from '../sql/ghost.js';

/**
 * Several tables swapped in one atomic RENAME (docs/design.md, "Several tables in one cut-over"), so a
 * change that spans tables is never half-visible. A building block: the migration that copies several
 * tables through one binlog stream does not exist yet, and nothing calls this outside its test.
 *
 * MySQL (8.0.13 and later) renames tables its session holds under LOCK TABLES … WRITE:
 *   L: LOCK TABLES every original, ghost and `alsoLocked` table WRITE   — writes to the originals queue up
 *   flush(L): every event up to now applied to the ghosts, through L itself (under LOCK TABLES a
 *             session can use only the tables it locked, and no other session can write the ghosts)
 *   L: RENAME TABLE T1 TO _T1_del, _T1_gho TO T1, T2 TO _T2_del, _T2_gho TO T2, …   — one statement
 *   L: UNLOCK TABLES                                                     — queued writes reach the new tables
 * If L dies or anything fails before the RENAME, the locks go with the session and nothing was renamed.
 * No sentry is needed: the lock and the rename are one session's, so no write can come between them.
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
  const lockConn = await o.connect();
  let locked = false;
  let lockedAt = 0;
  try {
    await lockConn.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds]);
    const locking = [...o.tables.flatMap((t) => [t.original, t.ghost]), ...(o.alsoLocked ?? [])];
    await lockConn.query(lockTablesWrite(o.database, locking).sql);
    locked = true;
    lockedAt = o.now();
    o.log.info({ tables: o.tables.map((t) => t.original) }, 'original tables locked for one cut-over');
    await o.flush(lockConn);
    // The last moment a stop rolls back: after it the RENAME runs, and a RENAME is not stopped halfway.
    o.signal?.throwIfAborted();
    await lockConn.query(renameTables(o.database, o.tables.flatMap((t) => [[t.original, t.old] as const, [t.ghost, t.original] as const])).sql);
    await lockConn.query('UNLOCK TABLES');
    locked = false;
    return { lockMs: o.now() - lockedAt };
  } catch (err) {
    if (locked) await lockConn.query('UNLOCK TABLES').catch((e: unknown) => o.log.warn({ err: describeError(e) }, 'could not unlock after a failed cut-over; the session is closed instead'));
    throw err;
  } finally {
    await lockConn.end().catch(() => undefined);
  }
}
