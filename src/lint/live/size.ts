import type { Connection } from '../../db/connect.js';
import { queryRows } from '../../db/connect.js';
import { describeError } from '../../errors.js';
import type { ColumnMapping, SharedKey } from '../../inspect/shared-key.js';
import { readCommitted, sampleCopy, tableSize } from '../../sql/lint.js';
import type { TableSize } from './trial.js';

/** The sample is this many rows at most, and at least MIN_SAMPLE unless the table is smaller … */
const MAX_SAMPLE = 2000;
const MIN_SAMPLE = 100;
/** … and about this many bytes, so a table of big rows is not read by the megabyte. */
const SAMPLE_BYTES = 16 * 1024 * 1024;

/** How many rows to sample, for rows of this average length. */
export function sampleRows(avgRowLength: number): number {
  return Math.max(MIN_SAMPLE, Math.min(MAX_SAMPLE, Math.floor(SAMPLE_BYTES / Math.max(1, avgRowLength))));
}

/**
 * The table's size, and the time its first rows (in key order) take to copy into lint's altered
 * copy — read in READ COMMITTED, so the table's rows are read without locks. `now` is injected so
 * tests need not depend on the machine's speed.
 */
export async function measureSize(o: {
  conn: Connection;
  database: string;
  table: string;
  scratch: string;
  mapping: ColumnMapping | undefined;
  sharedKey: SharedKey | undefined;
  now: () => number;
}): Promise<TableSize> {
  const s = tableSize(o.database, o.table);
  const [row] = await queryRows(o.conn, s.sql, s.params);
  const base = { rows: Number(row?.['table_rows'] ?? 0), dataBytes: Number(row?.['data_length'] ?? 0), indexBytes: Number(row?.['index_length'] ?? 0) };
  if (o.mapping === undefined || o.sharedKey === undefined || o.mapping.pairs.length === 0) {
    return { ...base, sample: { kind: 'skipped', reason: 'the altered table shares no key with the table, so oschange would not copy it' } };
  }
  const limit = sampleRows(Number(row?.['avg_row_length'] ?? 0));
  const copy = sampleCopy({ database: o.database, from: o.table, to: o.scratch, pairs: o.mapping.pairs, keyColumns: o.sharedKey.originalIndex.columns, limit });
  try {
    await o.conn.query(readCommitted().sql);
    const started = o.now();
    const [result] = await o.conn.query(copy.sql, [...copy.params]);
    const ms = o.now() - started;
    const copied = typeof result === 'object' && result !== null && 'affectedRows' in result ? Number(result.affectedRows) : 0;
    return { ...base, sample: { kind: 'measured', rows: copied, ms } };
  } catch (err) {
    return { ...base, sample: { kind: 'skipped', reason: `the sample copy failed: ${describeError(err)}` } };
  }
}
