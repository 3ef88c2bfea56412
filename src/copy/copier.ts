import type { RowValue } from '../binlog/types.js';
import type { Connection } from '../db/connect.js';
import { queryRows } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { withRetries } from '../db/retry.js';
import type { Logger } from '../log.js';
import { copyChunk, keyBound, nextChunkEnd, type ChunkKey } from '../sql/chunk.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';
import type { MigrationState } from '../state.js';
import { nextChunkSize } from './chunk-sizer.js';
import { guardChunk } from './chunk-guard.js';
import type { GuardTables } from '../guard/tables.js';

export interface CopyOptions {
  /** Reads the chunk boundaries (cheap index-only reads, one at a time, in key order). */
  readonly conn: Connection;
  /** One connection per copy worker: chunks of disjoint key ranges run on them side by side. */
  readonly workers: readonly Connection[];
  readonly version: ServerVersion;
  readonly database: string;
  readonly table: string;
  readonly ghost: string;
  readonly key: ChunkKey;
  /** Data types of the key's columns, in key order (exact numbers are compared unquoted). */
  readonly keyTypes: readonly string[];
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
  /** What the write guard judges each chunk's warnings by (src/guard/). */
  readonly guard: GuardTables;
  /** Chunk size and the target chunk time (0 = fixed size) come from here and may change at run time. */
  readonly state: MigrationState;
  /** Smallest size the adapting chunk size may take. */
  readonly minChunkRows: number;
  readonly log: Logger;
  readonly retries: number;
  /** Awaited before each chunk: the throttler's "may I go on?". */
  readonly beforeChunk?: (signal: AbortSignal) => Promise<void>;
  /** Awaited after each chunk with the time it took: --nice-ratio sleeps a share of it. */
  readonly afterChunk?: (chunkMs: number, signal: AbortSignal) => Promise<void>;
}

/** The key range the copy covers, taken once when the copy starts (docs/design.md rule 3). */
export interface CopyRange {
  readonly min: KeyTuple;
  readonly max: KeyTuple;
}

export async function readCopyRange(o: Pick<CopyOptions, 'conn' | 'database' | 'table' | 'key' | 'keyTypes'>): Promise<CopyRange | undefined> {
  const lo = keyBound(o.database, o.table, o.key, 'min');
  const hi = keyBound(o.database, o.table, o.key, 'max');
  const [min] = await queryRows(o.conn, lo.sql);
  const [max] = await queryRows(o.conn, hi.sql);
  if (min === undefined || max === undefined) return undefined;
  return { min: tuple(min, o.key.columns, o.keyTypes), max: tuple(max, o.key.columns, o.keyTypes) };
}

/**
 * Copies the range chunk by chunk with INSERT IGNORE … SELECT. Rows written after the copy's
 * binlog position reach the ghost through the applier, which wins over the copy.
 *
 * The boundaries are read one after another in key order; each chunk is then copied by the next
 * free worker, so up to `workers.length` disjoint ranges are copied at once. `state.copiedUpTo`
 * only moves past a chunk when it and every chunk before it are done: a resume from it may copy a
 * finished chunk again, which INSERT IGNORE makes harmless, but never skips an unfinished one.
 */
export async function copyRows(o: CopyOptions, range: CopyRange | undefined, signal: AbortSignal, resumeAfter?: KeyTuple): Promise<void> {
  if (range === undefined) return; // empty table: everything arrives through the binlog
  if (o.workers.length === 0) throw new Error('copyRows needs at least one worker connection');
  const fromColumns = o.pairs.map((p) => p.from);
  const toColumns = o.pairs.map((p) => p.to);
  const free = [...o.workers];
  const inOrder: { upTo: KeyTuple; done: boolean }[] = [];
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;

  const copyOne = async (conn: Connection, after: KeyTuple | undefined, upTo: KeyTuple, size: number, slot: { upTo: KeyTuple; done: boolean }): Promise<void> => {
    try {
      const s = copyChunk({ version: o.version, database: o.database, table: o.table, ghost: o.ghost, key: o.key, fromColumns, toColumns, after, upTo });
      const started = performance.now();
      const result = await withRetries(async () => (await conn.query(s.sql, [...s.params]))[0], {
        retries: o.retries,
        signal,
        onRetry: (err, attempt) => o.log.warn({ err: String(err), attempt }, 'retrying chunk'),
      });
      const affected = typeof result === 'object' && result !== null && 'affectedRows' in result ? Number(result.affectedRows) : 0;
      // Every warning of the chunk is judged: nothing may change or vanish silently.
      await guardChunk({ conn, result, guard: o.guard, version: o.version, key: o.key, keyTypes: o.keyTypes, pairs: o.pairs, after, upTo, log: o.log });
      const ms = performance.now() - started;
      o.state.rowsCopied += affected;
      o.state.chunksCopied += 1;
      if (o.state.chunkTimeMs > 0) o.state.chunkSize = nextChunkSize({ size, ms, targetMs: o.state.chunkTimeMs, min: o.minChunkRows });
      slot.done = true;
      while (inOrder[0]?.done === true) o.state.copiedUpTo = (inOrder.shift() as { upTo: KeyTuple }).upTo;
      if (o.afterChunk) await o.afterChunk(ms, signal);
    } catch (error) {
      failure ??= { error };
    } finally {
      free.push(conn);
    }
  };

  // A resume goes on after the last chunk an earlier run completed (saved in the checkpoint).
  let after: KeyTuple | undefined = resumeAfter;
  for (let last = false; !last && failure === undefined; ) {
    while (free.length === 0) await Promise.race(running);
    if (failure !== undefined || signal.aborted) break;
    if (o.beforeChunk) await o.beforeChunk(signal);
    const size = o.state.chunkSize;
    const endQuery = nextChunkEnd({ database: o.database, table: o.table, key: o.key, after, max: range.max, size });
    const [endRow] = await withRetries(() => queryRows(o.conn, endQuery.sql, endQuery.params), { retries: o.retries, signal });
    const upTo = endRow === undefined ? range.max : tuple(endRow, o.key.columns, o.keyTypes);
    last = endRow === undefined;
    const slot = { upTo, done: false };
    inOrder.push(slot);
    const task = copyOne(free.pop() as Connection, after, upTo, size, slot);
    running.add(task);
    void task.then(() => running.delete(task));
    after = upTo;
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure.error;
  signal.throwIfAborted();
}

export function isMemberType(dataType: string): boolean {
  return dataType === 'enum' || dataType === 'set';
}

function tuple(row: Record<string, unknown>, columns: readonly string[], types: readonly string[]): KeyTuple {
  return columns.map((c, i) => {
    const v = row[c];
    // ENUM/SET bounds are read as member numbers (see ChunkKey.byNumber): exact integers.
    const type = isMemberType(types[i] ?? '') ? 'int' : (types[i] ?? '');
    if (v === null || typeof v === 'string' || typeof v === 'number' || Buffer.isBuffer(v)) return keyLiteral(v as RowValue, type);
    throw new Error(`unexpected key value for ${c}: ${String(v)}`);
  });
}
