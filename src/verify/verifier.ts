import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { withRetries } from '../db/retry.js';
import type { Logger } from '../log.js';
import type { ChunkKey } from '../sql/chunk.js';
import { rangeRowHashes, rowHashesByKeys, type Conversion, type KeyRange } from '../sql/verify.js';
import type { RowValue } from '../binlog/types.js';
import { queryRows } from '../db/connect.js';
import { keyText } from '../guard/tables.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';
import type { Statement } from '../sql/quote.js';
import { settleRange } from './locked-check.js';
import { describeRange, readRangeSum, sameSum, type RangeSum, type Side } from './range-checksum.js';
import { RangeWalk } from './range-walk.js';
import { settleExtraRow, settleRow } from './row-settle.js';

export interface VerifyOptions {
  readonly conn: Connection; // from src/db/connect.ts; used for the locked check/repair transactions
  readonly ghostConn: Connection; // a second session, for reading the ghost while conn holds locks
  readonly version: ServerVersion;
  readonly database: string;
  readonly table: string; // original
  readonly ghost: string;
  readonly key: ChunkKey; // the shared key on the ORIGINAL (index name, columns, byNumber)
  readonly ghostKeyColumns: readonly string[]; // same key, ghost's column names, same order
  /** The same key's index in the ghost (SharedKey.ghostIndexName): forced for the ghost's reads when given. */
  readonly ghostIndexName?: string;
  readonly keyTypes: readonly string[]; // data types of key columns
  /** Original → ghost column pairs that are compared; `as` converts the original's value to the ghost's type (src/verify/comparison.ts). */
  readonly pairs: readonly { readonly from: string; readonly to: string; readonly as?: Conversion }[];
  /** All copy pairs (for re-copying a chunk: the same column lists the copy uses). */
  readonly copyPairs: readonly { readonly from: string; readonly to: string }[];
  readonly chunkRows: number; // rows per verification chunk, e.g. 10_000
  readonly maxAttempts: number; // re-copies of one chunk before giving up, e.g. 3
  /** Writes a marker and resolves once the binlog applier has applied every write committed before the call. */
  readonly waitCaughtUp: () => Promise<void>;
  readonly log: Logger;
  readonly onProgress?: (p: { chunksDone: number; rowsChecked: number; repaired: number }) => void;
}

export interface VerifyResult {
  readonly chunks: number;
  readonly rows: number;
  readonly repairedChunks: number;
  readonly ms: number;
}

/** Ranges compared per catch-up wait in the fast pass, at most. */
const BATCH_CHUNKS = 8;
/** Deadlock/lock-wait retries of the fast pass's plain reads (they take no locks, so rarely needed). */
const READ_RETRIES = 5;

/**
 * Compares the original and the ghost range by range before the cut-over. A fast pass reads a
 * batch of the original's range checksums without locks, lets the applier catch up, and reads the
 * ghost's; a range that differs there (a write may have landed between the two reads) is compared
 * row by row, and only a row that still differs is settled under a lock of its own, and re-copied
 * when it really differs. Throws VERIFY_MISMATCH when a row stays different; the original table is
 * never written.
 */
export async function verifyTables(o: VerifyOptions, signal: AbortSignal): Promise<VerifyResult> {
  const started = performance.now();
  const log = o.log.child({ module: 'verify' });
  if (o.ghostKeyColumns.length !== o.key.columns.length) {
    throw new Error(`the ghost's key has ${o.ghostKeyColumns.length} columns, the original's ${o.key.columns.length}`);
  }
  if (o.pairs.length === 0) throw new Error('verify needs at least one compared column');
  const original: Side = { conn: o.conn, database: o.database, table: o.table, key: { columns: o.key.columns, indexName: o.key.indexName }, columns: o.pairs.map((p) => (p.as === undefined ? { name: p.from } : { name: p.from, as: p.as })) };
  const ghostSide: Side = { conn: o.ghostConn, database: o.database, table: o.ghost, key: { columns: o.ghostKeyColumns, indexName: o.ghostIndexName }, columns: o.pairs.map((p) => ({ name: p.to })) };
  const locked = { ...o, log, original, ghostSide };
  const walk = new RangeWalk({ conn: o.conn, database: o.database, table: o.table, key: o.key, keyTypes: o.keyTypes, size: o.chunkRows });
  const read = (side: Side, range: KeyRange): Promise<RangeSum> => withRetries(() => readRangeSum(side, range), { retries: READ_RETRIES, signal });
  let chunks = 0;
  let rows = 0;
  let repairedChunks = 0;
  // Ranges compared per catch-up: as many as BATCH_CHUNKS while the tables agree, fewer while
  // writes land between the two reads (under load every range read before the catch-up is exposed).
  let batchSize = BATCH_CHUNKS;
  for (let done = false; !done; ) {
    signal.throwIfAborted();
    const batch: { range: KeyRange; sum: RangeSum }[] = [];
    while (batch.length < batchSize) {
      const range = await walk.next();
      if (range === undefined) {
        done = true;
        break;
      }
      batch.push({ range, sum: await read(original, range) });
    }
    if (batch.length === 0) break;
    await o.waitCaughtUp();
    let differed = 0;
    for (const { range, sum } of batch) {
      signal.throwIfAborted();
      const ghostSum = await read(ghostSide, range);
      let checked = sum.rows;
      if (!sameSum(sum, ghostSum)) {
        differed++;
        // Usually a write landed between the two reads. The range's rows are compared one by one
        // (both sides' keys and checksums, one catch-up), the few that differ again after another
        // catch-up, and only a row that still differs is locked — one row, not a range.
        log.debug({ range: describeRange(o.key.columns, range, o.key.byNumber), original: sum, ghost: ghostSum }, 'checksum: range differs in the fast pass; comparing its rows');
        const settled = await settleRows(o, { original, ghostSide, locked }, range, signal);
        checked = settled.rows;
        if (settled.repairs > 0) repairedChunks++;
      }
      chunks++;
      rows += checked;
    }
    batchSize = differed > 0 ? Math.max(1, Math.floor(batchSize / 2)) : Math.min(BATCH_CHUNKS, batchSize * 2);
    o.onProgress?.({ chunksDone: chunks, rowsChecked: rows, repaired: repairedChunks });
  }
  return { chunks, rows, repairedChunks, ms: Math.round(performance.now() - started) };
}

/** More differing rows than this in one range: compared under a lock as a whole (settleRange). */
const MAX_ROW_DIFFS = 500;

interface Sides {
  readonly original: Side;
  readonly ghostSide: Side;
  readonly locked: Parameters<typeof settleRange>[0];
}

/**
 * A range whose sums differ, row by row: its rows' checksums on both sides (the applier caught up in
 * between), then the rows that differ once more after another catch-up (a write may have landed in
 * that window too), then each row that still differs under a lock of its own (settleRow), re-copied
 * when it really differs. Returns the range's rows and how many rows were repaired.
 */
async function settleRows(o: VerifyOptions, sides: Sides, range: KeyRange, signal: AbortSignal): Promise<{ rows: number; repairs: number }> {
  const { original, ghostSide } = sides;
  const read = async (side: Side, s: Statement): Promise<Map<string, { key: KeyTuple; h: string }>> => {
    const rows = await withRetries(() => queryRows(side.conn, s.sql, s.params), { retries: READ_RETRIES, signal });
    const out = new Map<string, { key: KeyTuple; h: string }>();
    for (const r of rows) {
      const key = o.key.columns.map((_c, i) => keyLiteral(r[`k${i}`] as RowValue, o.keyTypes[i] ?? ''));
      const text = keyText(key);
      // Two ghost rows with one key (a ghost key wider than the shared one, docs/design.md "The
      // shared key"): never equal to the original's one row, so the key is settled.
      out.set(text, { key, h: out.has(text) ? 'more than one row' : String(r['h']) });
    }
    return out;
  };
  const differing = (a: Map<string, { key: KeyTuple; h: string }>, b: Map<string, { key: KeyTuple; h: string }>): KeyTuple[] => {
    const out: KeyTuple[] = [];
    for (const [k, v] of a) if (b.get(k)?.h !== v.h) out.push(v.key);
    for (const [k, v] of b) if (!a.has(k)) out.push(v.key);
    return out;
  };
  const db = o.database;
  const origRows = await read(original, rangeRowHashes({ database: db, table: original.table, key: original.key, columns: original.columns, range }));
  await o.waitCaughtUp();
  const ghostRows = await read(ghostSide, rangeRowHashes({ database: db, table: ghostSide.table, key: ghostSide.key, columns: ghostSide.columns, range }));
  const first = differing(origRows, ghostRows);
  if (first.length === 0) return { rows: origRows.size, repairs: 0 };
  if (first.length > MAX_ROW_DIFFS) return settleRange(sides.locked, range, signal);
  const origAgain = await read(original, rowHashesByKeys({ database: db, table: original.table, keyColumns: original.key.columns, columns: original.columns, keys: first }));
  await o.waitCaughtUp();
  const ghostAgain = await read(ghostSide, rowHashesByKeys({ database: db, table: ghostSide.table, keyColumns: ghostSide.key.columns, columns: ghostSide.columns, keys: first }));
  const settle = { ...o, keyCharsets: o.key.columns.map(() => undefined) };
  let repairs = 0;
  for (const key of differing(origAgain, ghostAgain)) {
    repairs += origAgain.has(keyText(key))
      ? await settleRow(settle, { original: original.columns, ghost: ghostSide.columns }, key, key, signal)
      : await settleExtraRow(settle, key);
  }
  return { rows: origRows.size, repairs };
}
