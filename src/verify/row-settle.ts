import { queryRows, type Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { copyRow, type ChunkKey } from '../sql/chunk.js';
import type { KeyTuple } from '../sql/key-range.js';
import { quoteTable, type Statement } from '../sql/quote.js';
import { beginLocked, commit, deleteGhostRow, originalRowForGhostKey, rollback, rowHashByKey, type ComparedColumn } from '../sql/verify.js';

/** What settling one row needs: both sessions, both tables and their keys, and the applier's catch-up. */
export interface RowSettleOptions {
  /** Holds the shared lock on the original's row (its own transaction). */
  readonly conn: Connection;
  readonly ghostConn: Connection;
  readonly version: ServerVersion;
  readonly database: string;
  readonly table: string;
  readonly ghost: string;
  /** The original's key, and the ghost's columns of the same key. */
  readonly key: ChunkKey;
  readonly ghostKeyColumns: readonly string[];
  /** Each original key column's charset where the ALTER changes it (to find a ghost key's row in the original). */
  readonly keyCharsets: readonly (string | undefined)[];
  readonly copyPairs: readonly { readonly from: string; readonly to: string }[];
  readonly maxAttempts: number;
  readonly waitCaughtUp: () => Promise<void>;
  readonly log: Logger;
}

/**
 * One row under a shared lock on the original: read its checksum, let the applier catch up (no
 * write to it can commit meanwhile), read the ghost's; re-copy it when they differ, up to
 * `maxAttempts` times, then VERIFY_MISMATCH. Returns 1 when it was re-copied.
 */
export async function settleRow(o: RowSettleOptions, columns: { readonly original: readonly ComparedColumn[]; readonly ghost: readonly ComparedColumn[] }, ownKey: KeyTuple, ghostKey: KeyTuple, signal: AbortSignal): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    for (const s of beginLocked()) await o.conn.query(s.sql, [...s.params]);
    try {
      const [orig] = await queryRows(o.conn, ...args(rowHashByKey({ database: o.database, table: o.table, columns: columns.original, keyColumns: o.key.columns, key: ownKey, locking: o.version })));
      await o.waitCaughtUp();
      const ghostRows = await queryRows(o.ghostConn, ...args(rowHashByKey({ database: o.database, table: o.ghost, columns: columns.ghost, keyColumns: o.ghostKeyColumns, key: ghostKey })));
      // Equal: both rows missing, or one ghost row with the original's checksum. A key may have more
      // than one ghost row only under a ghost key wider than the shared one; the re-copy deletes them all.
      const [ghost] = ghostRows;
      if (ghostRows.length <= 1 && String(orig?.['h']) === String(ghost?.['h'])) {
        await o.conn.query(commit().sql);
        return attempt > 0 ? 1 : 0;
      }
      if (attempt >= o.maxAttempts) {
        await o.conn.query(rollback().sql);
        throw new OschangeError(
          'VERIFY_MISMATCH',
          `checksum: ${quoteTable(o.database, o.table)} and its ghost ${quoteTable(o.database, o.ghost)} still differ in the row with key (${o.key.columns.join(', ')}) = (${ownKey.map(String).join(', ')}) after ${attempt} re-copies; ` +
            'the original table is untouched and nothing was cut over',
        );
      }
      o.log.warn({ key: ownKey.map(String), attempt: attempt + 1 }, 'checksum: a row differs in the ghost; re-copying it');
      await o.conn.query(...args(deleteGhostRow(o.database, o.ghost, o.ghostKeyColumns, ghostKey)));
      const copy = copyRow({ version: o.version, database: o.database, table: o.table, ghost: o.ghost, key: o.key, fromColumns: o.copyPairs.map((p) => p.from), toColumns: o.copyPairs.map((p) => p.to), keyValues: ownKey });
      await o.conn.query(copy.sql, [...copy.params]);
      await o.conn.query(commit().sql);
    } catch (err) {
      await o.conn.query(rollback().sql).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * A ghost row the original did not have when it was read: written since (the applier brought it),
 * or a delete the ghost missed. The original's row is looked up under a shared lock (an insert of
 * that key now waits); only when it is still missing once the applier has caught up is the ghost's
 * deleted. Returns 1 when it was.
 */
export async function settleExtraRow(o: RowSettleOptions, ghostKey: KeyTuple): Promise<number> {
  for (const s of beginLocked()) await o.conn.query(s.sql, [...s.params]);
  try {
    const lookup = originalRowForGhostKey({ database: o.database, table: o.table, keyColumns: o.key.columns, charsets: o.keyCharsets, values: ghostKey, locking: o.version });
    const [found] = await queryRows(o.conn, ...args(lookup));
    if (found === undefined) {
      await o.waitCaughtUp();
      o.log.warn({ key: ghostKey.map(String) }, 'checksum: the ghost holds a row the original does not; deleting it');
      await o.ghostConn.query(...args(deleteGhostRow(o.database, o.ghost, o.ghostKeyColumns, ghostKey)));
    }
    await o.conn.query(commit().sql);
    return found === undefined ? 1 : 0;
  } catch (err) {
    await o.conn.query(rollback().sql).catch(() => undefined);
    throw err;
  }
}

function args(s: Statement): [string, unknown[]] {
  return [s.sql, [...s.params]];
}
