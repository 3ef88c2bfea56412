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

export interface CopyOptions {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly database: string;
  readonly table: string;
  readonly ghost: string;
  readonly key: ChunkKey;
  /** Data types of the key's columns, in key order (exact numbers are compared unquoted). */
  readonly keyTypes: readonly string[];
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
  readonly state: MigrationState;
  readonly log: Logger;
  readonly retries: number;
  /** Awaited before each chunk: the throttler's "may I go on?". */
  readonly beforeChunk?: (signal: AbortSignal) => Promise<void>;
  /** Awaited after each chunk with the time it took: --nice-ratio sleeps a share of it. */
  readonly afterChunk?: (chunkMs: number, signal: AbortSignal) => Promise<void>;
}

/** The key range the copy covers, taken once when the copy starts (DESIGN rule 3). */
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
 */
export async function copyRows(o: CopyOptions, range: CopyRange | undefined, signal: AbortSignal, resumeAfter?: KeyTuple): Promise<void> {
  if (range === undefined) return; // empty table: everything arrives through the binlog
  // A resume goes on after the last chunk an earlier run completed (saved in the checkpoint).
  let after: KeyTuple | undefined = resumeAfter;
  const fromColumns = o.pairs.map((p) => p.from);
  const toColumns = o.pairs.map((p) => p.to);
  for (;;) {
    signal.throwIfAborted();
    if (o.beforeChunk) await o.beforeChunk(signal);
    const chunkStarted = performance.now();
    const size = o.state.chunkSize;
    const endQuery = nextChunkEnd({ database: o.database, table: o.table, key: o.key, after, max: range.max, size });
    const [endRow] = await withRetries(() => queryRows(o.conn, endQuery.sql, endQuery.params), { retries: o.retries, signal });
    const upTo = endRow === undefined ? range.max : tuple(endRow, o.key.columns, o.keyTypes);
    const s = copyChunk({ version: o.version, database: o.database, table: o.table, ghost: o.ghost, key: o.key, fromColumns, toColumns, after, upTo });
    const affected = await withRetries(
      async () => {
        const [result] = await o.conn.query(s.sql, [...s.params]);
        return typeof result === 'object' && result !== null && 'affectedRows' in result ? Number(result.affectedRows) : 0;
      },
      { retries: o.retries, signal, onRetry: (err, attempt) => o.log.warn({ err: String(err), attempt }, 'retrying chunk') },
    );
    o.state.rowsCopied += affected;
    o.state.chunksCopied += 1;
    o.state.copiedUpTo = upTo;
    if (endRow === undefined) return;
    if (o.afterChunk) await o.afterChunk(performance.now() - chunkStarted, signal);
    after = upTo;
  }
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
