import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { withRetries } from '../db/retry.js';
import { OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChunkKey } from '../sql/chunk.js';
import { quoteTable, type Statement } from '../sql/quote.js';
import { beginLocked, commit, deleteRange, recopyRange, rollback, type KeyRange } from '../sql/verify.js';
import { describeRange, readRangeSum, sameSum, type RangeSum, type Side } from './range-checksum.js';

export interface LockedCheckOptions {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly database: string;
  readonly table: string;
  readonly ghost: string;
  readonly key: ChunkKey;
  readonly original: Side;
  readonly ghostSide: Side;
  readonly copyPairs: readonly { readonly from: string; readonly to: string }[];
  readonly maxAttempts: number;
  readonly waitCaughtUp: () => Promise<void>;
  readonly log: Logger;
}

/** Deadlocks and lock wait timeouts: the whole locked attempt is rolled back and run again. */
const LOCK_RETRIES = 10;

type Attempt =
  | { readonly kind: 'equal'; readonly sum: RangeSum }
  | { readonly kind: 'repaired' | 'differs'; readonly original: RangeSum; readonly ghost: RangeSum };

/**
 * Settles one key range under a lock: equal, or re-copied until equal, or — after `maxAttempts`
 * re-copies — a VERIFY_MISMATCH naming the range. Returns the range's rows and how many re-copies
 * it took.
 */
export async function settleRange(o: LockedCheckOptions, range: KeyRange, signal: AbortSignal): Promise<{ rows: number; repairs: number }> {
  for (let repairs = 0; ; repairs++) {
    signal.throwIfAborted();
    const mayRepair = repairs < o.maxAttempts;
    const a = await withRetries(() => attempt(o, range, mayRepair), {
      retries: LOCK_RETRIES,
      signal,
      onRetry: (err, n) => o.log.warn({ err: String(err), attempt: n, range: describeRange(o.key.columns, range, o.key.byNumber) }, 'checksum: locked check retried'),
    });
    switch (a.kind) {
      case 'equal':
        return { rows: a.sum.rows, repairs };
      case 'repaired':
        o.log.warn(
          { range: describeRange(o.key.columns, range, o.key.byNumber), original: a.original, ghost: a.ghost, attempt: repairs + 1, of: o.maxAttempts },
          'checksum: ghost differs from the original in a key range; re-copied it',
        );
        break;
      case 'differs':
        throw mismatchError(o, range, repairs, a.original, a.ghost);
    }
  }
}

/**
 * One locked check: the original's range is read with a shared lock (writers to it now wait),
 * the applier catches up (every write committed before the lock is in the ghost, and no new one can
 * commit into the range), then the ghost's range is read on the other session. A difference is
 * repaired inside the same transaction: delete the ghost's range, copy it again, commit.
 */
async function attempt(o: LockedCheckOptions, range: KeyRange, mayRepair: boolean): Promise<Attempt> {
  for (const s of beginLocked()) await run(o.conn, s);
  try {
    const original = await readRangeSum(o.original, range, o.version);
    await o.waitCaughtUp();
    const ghost = await readRangeSum(o.ghostSide, range);
    if (sameSum(original, ghost)) {
      await run(o.conn, commit());
      return { kind: 'equal', sum: original };
    }
    if (!mayRepair) {
      await run(o.conn, rollback());
      return { kind: 'differs', original, ghost };
    }
    await run(o.conn, deleteRange(o.database, o.ghost, o.ghostSide.key.columns, range));
    const fromColumns = o.copyPairs.map((p) => p.from);
    const toColumns = o.copyPairs.map((p) => p.to);
    await run(o.conn, recopyRange({ version: o.version, database: o.database, table: o.table, ghost: o.ghost, key: o.key, fromColumns, toColumns, range }));
    await run(o.conn, commit());
    return { kind: 'repaired', original, ghost };
  } catch (err) {
    // Never leave the transaction (and its locks on the original) open.
    await run(o.conn, rollback()).catch((rollbackErr: unknown) => o.log.error({ err: rollbackErr }, 'checksum: ROLLBACK after a failed locked check failed'));
    throw err;
  }
}

async function run(conn: Connection, s: Statement): Promise<void> {
  await conn.query(s.sql, [...s.params]);
}

function mismatchError(o: LockedCheckOptions, range: KeyRange, repairs: number, original: RangeSum, ghost: RangeSum): OschangeError {
  const where = describeRange(o.key.columns, range, o.key.byNumber);
  const counts = `original ${original.rows} rows, checksum ${original.checksum}; ghost ${ghost.rows} rows, checksum ${ghost.checksum}`;
  return new OschangeError(
    'VERIFY_MISMATCH',
    `checksum: ${quoteTable(o.database, o.table)} and its ghost ${quoteTable(o.database, o.ghost)} still differ in ${where} after ${repairs} re-copies (${counts}); ` +
      'the original table is untouched and nothing was cut over',
  );
}
