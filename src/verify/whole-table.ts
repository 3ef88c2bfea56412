import type { RowValue } from '../binlog/types.js';
import { queryRows, type Connection } from '../db/connect.js';
import { withRetries } from '../db/retry.js';
import { OschangeError } from '../errors.js';
import { keyText } from '../guard/tables.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';
import { quoteTable, type Statement } from '../sql/quote.js';
import { bucketRows, bucketSums, type BucketSpec, type ComparedColumn, type Conversion } from '../sql/verify.js';
import { settleExtraRow, settleRow, type RowSettleOptions } from './row-settle.js';
import type { VerifyResult } from './verifier.js';

/**
 * The checksum for an ALTER after which the ghost sorts the shared key differently (a new charset or
 * collation of a key column): key ranges cut in the original's order hold other rows in the ghost,
 * so both tables are compared whole, in buckets by a hash of the key as the ghost holds it.
 *
 * 1. Each side's per-bucket row counts and checksums, the applier caught up in between; buckets
 *    that differ are compared again (a write may have landed between the reads), a few times.
 * 2. Buckets that still differ are compared row by row; each row that differs is settled alone,
 *    under a shared lock on the original's row: re-copied when it really differs, up to
 *    `maxAttempts` times, then VERIFY_MISMATCH. The original table is never written.
 */
export interface WholeTableOptions extends RowSettleOptions {
  /** The shared key's types, and each key column's conversion to the ghost's form. */
  readonly keyTypes: readonly string[];
  readonly keyConversions: readonly (Conversion | undefined)[];
  readonly pairs: readonly { readonly from: string; readonly to: string; readonly as?: Conversion }[];
  readonly rowEstimate: number;
}

/** Passes over the differing buckets before they are compared row by row. */
const BUCKET_PASSES = 4;
/** Rows per bucket, roughly: the row-by-row step reads one bucket at a time. */
const ROWS_PER_BUCKET = 2000;
/** More rows than this settled one by one means something is badly wrong: stop. */
const MAX_ROWS_SETTLED = 5000;
const READ_RETRIES = 5;

interface Bucket {
  readonly rows: number;
  readonly checksum: string;
}

export async function verifyWholeTable(o: WholeTableOptions, signal: AbortSignal): Promise<VerifyResult> {
  const started = performance.now();
  const buckets = Math.min(65_536, Math.max(16, Math.ceil(o.rowEstimate / ROWS_PER_BUCKET)));
  const originalSide = {
    columns: o.pairs.map((p): ComparedColumn => (p.as === undefined ? { name: p.from } : { name: p.from, as: p.as })),
    bucket: { key: o.key.columns.map((c, i): ComparedColumn => withConversion(c, o.keyConversions[i])), buckets },
  };
  const ghostSide = { columns: o.pairs.map((p): ComparedColumn => ({ name: p.to })), bucket: { key: o.ghostKeyColumns.map((c): ComparedColumn => ({ name: c })), buckets } };
  const read = (conn: Connection, s: Statement): Promise<Record<string, unknown>[]> => withRetries(() => queryRows(conn, s.sql, s.params), { retries: READ_RETRIES, signal });
  const sums = async (conn: Connection, table: string, side: { columns: readonly ComparedColumn[]; bucket: BucketSpec }, only?: readonly number[]): Promise<Map<number, Bucket>> => {
    const rows = await read(conn, bucketSums({ database: o.database, table, columns: side.columns, bucket: side.bucket, ...(only === undefined ? {} : { only }) }));
    return new Map(rows.map((r) => [Number(r['bucket']), { rows: Number(r['row_count']), checksum: String(r['checksum'] ?? '0') }]));
  };

  let differing: number[] | undefined;
  for (let pass = 1; pass <= BUCKET_PASSES && (differing === undefined || differing.length > 0); pass++) {
    signal.throwIfAborted();
    const a = await sums(o.conn, o.table, originalSide, differing);
    await o.waitCaughtUp();
    const b = await sums(o.ghostConn, o.ghost, ghostSide, differing);
    const all = differing ?? [...new Set([...a.keys(), ...b.keys()])];
    differing = all.filter((n) => !sameBucket(a.get(n), b.get(n)));
    o.log.debug({ pass, differing: differing.length, buckets }, 'checksum: whole-table pass');
  }
  let repaired = 0;
  let settled = 0;
  for (const n of differing ?? []) {
    signal.throwIfAborted();
    const own = o.key.columns;
    const origRows = await read(o.conn, bucketRows({ database: o.database, table: o.table, columns: originalSide.columns, bucket: originalSide.bucket, own, which: n }));
    await o.waitCaughtUp();
    const ghostRows = await read(o.ghostConn, bucketRows({ database: o.database, table: o.ghost, columns: ghostSide.columns, bucket: ghostSide.bucket, own: o.ghostKeyColumns, which: n }));
    const ghostForm = (r: Record<string, unknown>): KeyTuple => o.ghostKeyColumns.map((_c, i) => r[`k${i}`] as RowValue);
    const ghostByKey = new Map(ghostRows.map((r) => [keyText(ghostForm(r)), r]));
    // More than one ghost row with a key (a ghost key wider than the shared one): never equal.
    const ghostCount = new Map<string, number>();
    for (const r of ghostRows) ghostCount.set(keyText(ghostForm(r)), (ghostCount.get(keyText(ghostForm(r))) ?? 0) + 1);
    for (const r of origRows) {
      const g = ghostByKey.get(keyText(ghostForm(r)));
      ghostByKey.delete(keyText(ghostForm(r)));
      if (g !== undefined && ghostCount.get(keyText(ghostForm(r))) === 1 && String(g['h']) === String(r['h'])) continue;
      if (++settled > MAX_ROWS_SETTLED) throw tooMany(o);
      const ownKey = own.map((c, i) => keyLiteral(r[`own${i}`] as RowValue, o.keyTypes[i] ?? ''));
      repaired += await settleRow(o, { original: originalSide.columns, ghost: ghostSide.columns }, ownKey, ghostForm(r), signal);
    }
    // Rows only the ghost has: the original lost them (a delete not applied) — or they were written since.
    for (const g of ghostByKey.values()) {
      if (++settled > MAX_ROWS_SETTLED) throw tooMany(o);
      repaired += await settleExtraRow(o, ghostForm(g));
    }
  }
  const total = [...(await sums(o.ghostConn, o.ghost, ghostSide)).values()].reduce((n, b) => n + b.rows, 0);
  return { chunks: buckets, rows: total, repairedChunks: repaired, ms: Math.round(performance.now() - started) };
}

function withConversion(name: string, as: Conversion | undefined): ComparedColumn {
  return as === undefined ? { name } : { name, as };
}

function sameBucket(a: Bucket | undefined, b: Bucket | undefined): boolean {
  return (a?.rows ?? 0) === (b?.rows ?? 0) && (a?.checksum ?? '0') === (b?.checksum ?? '0');
}

function tooMany(o: WholeTableOptions): OschangeError {
  return new OschangeError(
    'VERIFY_MISMATCH',
    `checksum: ${quoteTable(o.database, o.table)} and its ghost ${quoteTable(o.database, o.ghost)} differ in more than ${MAX_ROWS_SETTLED} rows; the original table is untouched and nothing was cut over`,
  );
}
