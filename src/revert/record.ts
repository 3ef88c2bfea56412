import type { BinlogPosition } from '../binlog/types.js';
import { loadCheckpoint, saveCheckpoint, schemaFingerprint, type SavedCheckpoint } from '../checkpoint/store.js';
import type { Connection } from '../db/connect.js';
import { createCheckpointTable } from '../sql/checkpoint.js';
import { dropTable } from '../sql/ghost.js';
import { revertNames } from './names.js';

/**
 * What a revert goes on from: the checkpoint's row in `_T_ghr` (src/sql/checkpoint.ts), with the
 * migration's meaning kept — `alter` the migration's ALTER, `originalSchema` the old table's schema
 * (now `_T_del`), `ghostSchema` the new one (now T) — and `position` the binlog position from which
 * every write to T is still to be replayed into `_T_del`: first the cut-over's, then the reverse
 * sync's progress.
 */
export type RevertRecord = SavedCheckpoint;

/**
 * Right after a swap: records the position the cut-over took under its lock (before the RENAME
 * that made the new table T; docs/design.md, "Revert"). An older record describes a `_T_del` that
 * is gone, so it is replaced.
 */
export async function recordCutOver(o: { conn: Connection; database: string; table: string; oldTable: string; alter: string; position: BinlogPosition }): Promise<void> {
  const names = revertNames(o.table, o.oldTable);
  await o.conn.query(dropTable(o.database, names.checkpoint).sql);
  await o.conn.query(createCheckpointTable(o.database, names.checkpoint).sql);
  const [originalSchema, ghostSchema] = await Promise.all([schemaFingerprint(o.conn, o.database, names.ghost), schemaFingerprint(o.conn, o.database, names.original)]);
  await saveCheckpoint(o.conn, o.database, names.checkpoint, {
    alter: o.alter,
    originalSchema,
    ghostSchema,
    range: undefined,
    copiedUpTo: undefined,
    copyDone: true,
    rowsCopied: 0,
    position: o.position,
    oldTable: o.oldTable,
  });
}

export function loadRevertRecord(conn: Connection, database: string, table: string): Promise<RevertRecord | undefined> {
  return loadCheckpoint(conn, database, revertNames(table).checkpoint);
}
