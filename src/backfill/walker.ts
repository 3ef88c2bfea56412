import type { RowValue } from '../binlog/types.js';
import { ADAPTIVE_MIN_ROWS, nextChunkSize } from '../copy/chunk-sizer.js';
import { queryRows, type Connection } from '../db/connect.js';
import { errno, isRetryable, withRetries } from '../db/retry.js';
import { isTransientError } from '../db/transient.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { backfillChunk, backfillChunkEnd, type Assignment, type BackfillTarget, type SqlExpression } from '../sql/backfill.js';
import { writeBackfillProgress } from '../sql/backfill-checkpoint.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';
import { quoteTable } from '../sql/quote.js';
import { describeKey } from '../status/describe-row.js';
import { progressRow } from './checkpoint.js';
import type { BackfillState } from './state.js';

export interface WalkOptions {
  /** The chunk session (src/sql/backfill.ts backfillSessionSetup): chunk ends are read on it too. */
  readonly conn: Connection;
  readonly target: BackfillTarget;
  readonly keyTypes: readonly string[];
  readonly set: readonly Assignment[];
  readonly where: SqlExpression;
  /** The checkpoint table, written in each chunk's transaction. */
  readonly checkpointTable: string;
  /** Chunk size and target time come from here and may change at run time (the socket). */
  readonly state: BackfillState;
  readonly minChunkRows: number;
  readonly retries: number;
  readonly log: Logger;
  /** Awaited before each chunk: the throttler's "may I go on?". */
  readonly beforeChunk: (signal: AbortSignal) => Promise<void>;
  /** Awaited after each chunk with its time: --nice-ratio sleeps a share of it. */
  readonly afterChunk: (chunkMs: number, signal: AbortSignal) => Promise<void>;
}

interface ChunkOutcome {
  readonly matched: number;
  readonly changed: number;
}

/**
 * Walks the key from after the last committed chunk to the end of the table, one chunk per
 * transaction: the UPDATE and the checkpoint row together, so the checkpoint names exactly the
 * chunks that committed (docs/design.md, "Backfill"). Stops between chunks when `signal` aborts.
 */
export async function walkChunks(o: WalkOptions, signal: AbortSignal): Promise<void> {
  const { state, target } = o;
  let after = state.doneUpTo;
  for (;;) {
    signal.throwIfAborted();
    await o.beforeChunk(signal);
    const size = state.chunkSize;
    const end = backfillChunkEnd({ ...target, after, size });
    const [endRow] = await withRetries(() => queryRows(o.conn, end.sql, end.params), { retries: o.retries, signal });
    const upTo = endRow === undefined ? undefined : keyTuple(endRow, target.key.columns, o.keyTypes);
    const last = upTo === undefined;
    const chunk = backfillChunk({ ...target, set: o.set, where: o.where, after, upTo });
    const started = performance.now();
    const outcome = await withRetries(() => runChunk(o, chunk, { after, upTo, size, last }), {
      retries: o.retries,
      signal,
      onRetry: (err, attempt) => o.log.warn({ err: String(err), attempt }, 'retrying chunk'),
    });
    const ms = performance.now() - started;
    // Committed: the state follows what the checkpoint row now says.
    state.doneUpTo = upTo ?? after;
    state.rowsWalked += last ? 0 : size;
    state.rowsMatched += outcome.matched;
    state.rowsChanged += outcome.changed;
    state.chunks += 1;
    state.busyMs += ms;
    state.lastChunkMs = ms;
    if (last) return;
    if (state.chunkTimeMs > 0) state.chunkSize = nextChunkSize({ size, ms, targetMs: state.chunkTimeMs, min: o.minChunkRows });
    after = upTo;
    await o.afterChunk(ms, signal);
  }
}

/** One chunk's transaction. Any failure rolls all of it back, the checkpoint row included. */
async function runChunk(o: WalkOptions, chunk: { sql: string; params: readonly unknown[] }, c: { after: KeyTuple | undefined; upTo: KeyTuple | undefined; size: number; last: boolean }): Promise<ChunkOutcome> {
  const { conn, state } = o;
  await conn.query('START TRANSACTION');
  try {
    const [result] = await conn.query(chunk.sql, [...chunk.params]);
    const header = readHeader(result);
    if (header.warnings > 0) await refuseWarnings(o, c);
    // The counters as they will be once this chunk commits, in the same transaction.
    const progress = progressRow({
      doneUpTo: c.upTo ?? c.after,
      done: c.last,
      rowsWalked: state.rowsWalked + (c.last ? 0 : c.size),
      rowsMatched: state.rowsMatched + header.matched,
      rowsChanged: state.rowsChanged + header.changed,
      chunks: state.chunks + 1,
      busyMs: state.busyMs,
      throttledMs: state.throttledMs,
    });
    const cp = writeBackfillProgress(o.target.database, o.checkpointTable, progress);
    await conn.query(cp.sql, [...cp.params]);
    await conn.query('COMMIT');
    return { matched: header.matched, changed: header.changed };
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    // The server refused this chunk's rows (a value that does not fit, …): --resume would meet the
    // same rows again, so the message says what to fix. Lost connections and lock waits are not that.
    if (errno(err) === undefined || isRetryable(err) || isTransientError(err) || err instanceof OschangeError) throw err;
    throw new OschangeError(
      'BACKFILL_CHUNK_FAILED',
      `the chunk ${describeRange(o.target.key.columns, c.after, c.upTo)} failed: ${describeError(err)}; it was rolled back (the chunks before it stay done): ${startOver(o)}`,
      { cause: err },
    );
  }
}

/** How to go on after a chunk the server refused. */
function startOver(o: WalkOptions): string {
  return `fix --set or --where and start over after DROP TABLE ${quoteTable(o.target.database, o.checkpointTable)}, or fix the rows of that range and go on with --resume`;
}

/** Rows matched and changed ("Rows matched: 3  Changed: 2  Warnings: 0"), and the warning count. */
export function readHeader(result: unknown): { matched: number; changed: number; warnings: number } {
  const r = (typeof result === 'object' && result !== null ? result : {}) as Record<string, unknown>;
  const info = typeof r['info'] === 'string' ? r['info'] : '';
  const m = /Rows matched:\s*(\d+)\s+Changed:\s*(\d+)\s+Warnings:\s*(\d+)/.exec(info);
  const affected = Number(r['affectedRows'] ?? 0);
  return {
    matched: m === null ? affected : Number(m[1]),
    changed: m === null ? Number(r['changedRows'] ?? affected) : Number(m[2]),
    warnings: Number(r['warningStatus'] ?? (m === null ? 0 : m[3])),
  };
}

/**
 * A chunk's warnings stop the backfill, the chunk rolled back: in oschange's strict sql_mode a value
 * that does not fit is an error already, and anything the server still only warns about is a
 * value changed in a way nobody asked for (docs/design.md rule 7). Notes and deprecation warnings
 * (1287) say nothing about the values, and pass.
 */
async function refuseWarnings(o: WalkOptions, c: { after: KeyTuple | undefined; upTo: KeyTuple | undefined }): Promise<void> {
  const rows = await queryRows(o.conn, 'SHOW WARNINGS');
  const real = rows.filter((w) => String(w['Level']) !== 'Note' && Number(w['Code']) !== 1287);
  if (real.length === 0) return;
  const text = real.slice(0, 3).map((w) => `${String(w['Level'])} ${String(w['Code'])}: ${String(w['Message'])}`).join('; ');
  throw new OschangeError(
    'BACKFILL_WARNINGS',
    `the chunk ${describeRange(o.target.key.columns, c.after, c.upTo)} gave ${real.length} warning(s) — ${text}; it was rolled back (the chunks before it stay done): ${startOver(o)}`,
    { exitCode: ExitCode.failure },
  );
}

/** `after id 1000 up to id 2000`, `from the start up to id 1000`, `after id 9000 to the end`. */
export function describeRange(columns: readonly string[], after: KeyTuple | undefined, upTo: KeyTuple | undefined): string {
  const key = (t: KeyTuple): string => describeKey(columns, Object.fromEntries(columns.map((c, i) => [c, t[i]])));
  return `${after === undefined ? 'from the start' : `after ${key(after)}`} ${upTo === undefined ? 'to the end' : `up to ${key(upTo)}`}`;
}

/** A key as read from the server → the values its bounds are compared with (exact numbers unquoted). */
export function keyTuple(row: Record<string, unknown>, columns: readonly string[], types: readonly string[]): KeyTuple {
  return columns.map((c, i) => {
    const v = row[c];
    // ENUM/SET bounds are read as member numbers (see ChunkKey.byNumber): exact integers.
    const type = types[i] === 'enum' || types[i] === 'set' ? 'int' : (types[i] ?? '');
    if (v === null || typeof v === 'string' || typeof v === 'number' || Buffer.isBuffer(v)) return keyLiteral(v as RowValue, type);
    throw new Error(`unexpected key value for ${c}: ${String(v)}`);
  });
}

export const MIN_CHUNK_ROWS = ADAPTIVE_MIN_ROWS;
