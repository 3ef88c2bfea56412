import type { BackfillTarget } from '../sql/backfill.js';
import type { Statement } from '../sql/quote.js';
import type { KeyTuple } from '../sql/key-range.js';
import { describeKey, describeValue } from '../status/describe-row.js';
import { formatDuration } from '../status/format.js';
import type { BackfillCheckpoint } from './checkpoint.js';
import type { BackfillConfig } from './config.js';
import type { RowCount } from './plan.js';
import type { BackfillState } from './state.js';

/** `id 1000`, `(a, b) (1, 'x')` */
export function describeTuple(columns: readonly string[], t: KeyTuple): string {
  return describeKey(columns, Object.fromEntries(columns.map((c, i) => [c, t[i]])));
}

export interface BackfillNumbers {
  readonly percent: number;
  readonly etaMs: number | undefined;
}

/** Progress by keys walked against the table's rows, and an ETA from this run's walking rate. */
export function backfillNumbers(s: BackfillState, nowMs: number): BackfillNumbers {
  if (s.walkEndedAtMs !== undefined) return { percent: 100, etaMs: 0 };
  const total = Math.max(s.tableRows, s.rowsWalked);
  const percent = total === 0 ? 0 : (100 * s.rowsWalked) / total;
  let etaMs: number | undefined;
  const walkedHere = s.rowsWalked - s.before.rowsWalked;
  if (s.walkStartedAtMs !== undefined && walkedHere > 0) {
    etaMs = Math.max(0, (total - s.rowsWalked) / (walkedHere / Math.max(1, nowMs - s.walkStartedAtMs)));
  }
  return { percent, etaMs };
}

/**
 * The backfill's status line, in the migration's style:
 * `Backfill: 12000/100000 12.0%; Key: id 12000; Matched: 4000; Changed: 4000; Chunks: 12; Time: 5s(total), 1s(throttled); State: backfilling; ETA: 30s`
 */
export function backfillStatusLine(s: BackfillState, columns: readonly string[], nowMs: number): string {
  const n = backfillNumbers(s, nowMs);
  const total = Math.max(s.tableRows, s.rowsWalked);
  // The last chunk is open above and walks an unknown number of keys: once it is done, all are walked.
  const walked = s.walkEndedAtMs === undefined ? s.rowsWalked : total;
  const eta = n.etaMs === undefined ? 'N/A' : n.etaMs === 0 && s.walkEndedAtMs !== undefined ? 'done' : formatDuration(n.etaMs);
  return [
    `Backfill: ${walked}/${total} ${n.percent.toFixed(1)}%`,
    `Key: ${s.walkEndedAtMs !== undefined ? 'end' : s.doneUpTo === undefined ? 'start' : describeTuple(columns, s.doneUpTo)}`,
    `Matched: ${s.rowsMatched}${s.matchingAtStart === undefined ? '' : `/${s.matchingAtStart}`}`,
    `Changed: ${s.rowsChanged}`,
    `Chunks: ${s.chunks} (size ${s.chunkSize})`,
    `Time: ${formatDuration(nowMs - s.startedAtMs)}(total), ${formatDuration(s.throttledMs)}(throttled)`,
    `State: ${stateText(s)}`,
    `ETA: ${eta}`,
  ].join('; ');
}

function stateText(s: BackfillState): string {
  if (s.backfillPhase === 'backfilling' && s.throttleReason !== undefined) return `throttled, ${s.throttleReason}`;
  return s.backfillPhase;
}

/** The end line: rows matched and changed, chunks, time, time throttled. */
export function backfillDoneLine(s: BackfillState, config: BackfillConfig, elapsedMs: number): string {
  const resumed = s.before.chunks > 0 ? ` (${s.before.chunks} of them before the resume)` : '';
  return (
    `Done: ${config.database}.${config.table} backfilled in ${formatDuration(elapsedMs)}; rows matched: ${s.rowsMatched}, rows changed: ${s.rowsChanged}; ` +
    `chunks: ${s.chunks}${resumed}; time throttled: ${formatDuration(s.throttledMs)}.`
  );
}

/**
 * What the dry run (and the start of --execute) says: the key walked, the rows, the exact statement
 * of each kind of chunk with its placeholders, and the first chunk's bounds.
 */
export function describeBackfill(o: {
  config: BackfillConfig;
  target: BackfillTarget;
  /** `MySQL 9.7.4 at 127.0.0.1:3306` */
  server: string;
  count: RowCount;
  checkpointTable: string;
  chunks: { readonly first: Statement; readonly middle: Statement; readonly last: Statement; readonly only: boolean };
  resumed: BackfillCheckpoint | undefined;
}): string[] {
  const { config, target, count } = o;
  const key = target.key;
  const t = `${config.database}.${config.table}`;
  const sizing = config.chunkTimeMs > 0 ? `starting at ${config.chunkSize} rows and adapting toward ${config.chunkTimeMs} ms per chunk` : `of ${config.chunkSize} rows`;
  const lines = [
    `Backfill: ${t} on ${o.server}, walking ${key.indexName} (${key.columns.join(', ')}) in chunks ${sizing}, each chunk its own transaction.`,
    count.counted
      ? `Rows: ${count.total} in the table, ${count.matching ?? 0} matching --where now (counted by one SELECT COUNT(*) over the table, a read without locks).`
      : `Rows: about ${count.total} in the table (its statistics); the rows matching --where were not counted (the count did not finish within ${formatDuration(config.countTimeoutMs)}): the end line says how many matched.`,
  ];
  if (o.resumed !== undefined) {
    const r = o.resumed;
    lines.push(
      r.done
        ? `Resume: the interrupted backfill had finished its walk (${r.chunks} chunks); only its tables are left to drop.`
        : `Resume: going on ${r.doneUpTo === undefined ? 'from the start' : `after ${describeTuple(key.columns, r.doneUpTo)}`} from the checkpoint saved ${r.ageSeconds}s ago: ${r.chunks} chunks done, ${r.rowsMatched} rows matched, ${r.rowsChanged} changed.`,
    );
  }
  const first = o.resumed?.doneUpTo === undefined ? 'first' : 'next';
  if (o.chunks.only) {
    lines.push(`${o.resumed?.doneUpTo === undefined ? 'The table holds' : 'What is left holds'} fewer rows than one chunk: one statement does it.`, `  ${o.chunks.last.sql}`);
  } else {
    lines.push(
      'Chunk statements (? are the chunk\'s key bounds, read just before it runs; the last chunk has no upper bound, so it reaches rows inserted meanwhile):',
      `  ${`${first}:`.padEnd(7)}${o.chunks.first.sql}`,
      `  ${'then:'.padEnd(7)}${o.chunks.middle.sql}`,
      `  ${'last:'.padEnd(7)}${o.chunks.last.sql}`,
      `  e.g. the ${first} chunk's bounds: ${o.chunks.first.params.map((p) => describeValue(p)).join(', ')}`,
    );
  }
  lines.push(`Checkpoint: ${config.database}.${o.checkpointTable}, written in each chunk's transaction; a stopped backfill goes on after its last committed chunk with --resume.`);
  return lines;
}
