import type { RowValue } from '../binlog/types.js';
import { queryRows, type Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { judgeWrite, rewriteDropped, writeCounts } from '../guard/checked-write.js';
import type { GuardTables } from '../guard/tables.js';
import type { Logger } from '../log.js';
import { chunkRowAt, chunkWhere, copyRow, type ChunkKey } from '../sql/chunk.js';
import { chunkRowsMissingFromGhost, originalRow } from '../sql/guard.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';
import { describeKey } from '../status/describe-row.js';

/**
 * After a chunk's INSERT IGNORE … SELECT: its warnings are judged (src/guard/warnings.ts). A value
 * that changed stops the migration with the row's key (the warning's "at row N" is the N-th key of
 * the chunk: the SELECT reads the range in key order). Rows dropped for colliding on a unique key
 * the original lacks are found (rows of the range missing from the ghost) and written again once
 * the collision is resolved (src/guard/unique-conflict.ts).
 */
export async function guardChunk(o: {
  conn: Connection;
  result: unknown;
  guard: GuardTables;
  version: ServerVersion;
  key: ChunkKey;
  keyTypes: readonly string[];
  pairs: readonly { readonly from: string; readonly to: string }[];
  after: KeyTuple | undefined;
  upTo: KeyTuple;
  log: Logger;
}): Promise<void> {
  const g = o.guard;
  const doing = 'copying rows';
  const counts = writeCounts(o.result, 2);
  if (counts.warnings === 0 && counts.duplicates === 0) return;
  const { checkDropped } = await judgeWrite({
    conn: o.conn,
    g,
    counts,
    doing,
    rowKey: async (n) => {
      if (n === undefined) return `in the chunk ${describeRange(o.key.columns, o.after, o.upTo)}`;
      const at = chunkRowAt({ database: g.database, table: g.original, key: o.key, after: o.after, upTo: o.upTo, offset: n - 1 });
      const [row] = await queryRows(o.conn, at.sql, at.params);
      return row === undefined ? `row ${n} of the chunk ${describeRange(o.key.columns, o.after, o.upTo)}` : describeKey(o.key.columns, row);
    },
  });
  if (!checkDropped) return;
  const missing = chunkRowsMissingFromGhost({ database: g.database, table: g.original, ghost: g.ghost, keyColumns: g.keyColumns, ghostKeyColumns: g.ghostKeyColumns, where: chunkWhere(o.key, o.after, o.upTo) });
  const uniqueColumns = [...new Set(g.uniqueIndexes.flatMap((i) => i.originalColumns.flatMap((c) => (c === undefined ? [] : [c]))))];
  const rows: { key: KeyTuple; value: (c: string) => RowValue | undefined; write: () => ReturnType<typeof copyRow> }[] = [];
  for (const m of await queryRows(o.conn, missing.sql, missing.params)) {
    const key = g.keyColumns.map((c, i) => keyLiteral(m[c] as RowValue, o.keyTypes[i] ?? ''));
    const read = originalRow({ database: g.database, table: g.original, keyColumns: g.keyColumns, key, columns: uniqueColumns.length > 0 ? uniqueColumns : g.keyColumns, version: g.version });
    const [current] = await queryRows(o.conn, read.sql, read.params);
    if (current === undefined) continue; // deleted since: its delete event follows
    rows.push({
      key,
      value: (c) => current[c] as RowValue | undefined,
      write: () => copyRow({ version: o.version, database: g.database, table: g.original, ghost: g.ghost, key: o.key, fromColumns: o.pairs.map((p) => p.from), toColumns: o.pairs.map((p) => p.to), keyValues: key }),
    });
  }
  if (rows.length === 0) return;
  const rewritten = await rewriteDropped({ conn: o.conn, g, doing, rows });
  o.log.info({ missing: rows.length, rewritten }, 'rows that collided with stale ghost rows on a unique key were copied again');
}

function describeRange(columns: readonly string[], after: KeyTuple | undefined, upTo: KeyTuple): string {
  const t = (k: KeyTuple): string => k.map((v) => (Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : String(v))).join(', ');
  return `(${columns.join(', ')}) ${after === undefined ? '(start' : `(${t(after)}`} … ${t(upTo)}]`;
}
