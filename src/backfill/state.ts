import type { KeyTuple } from '../sql/key-range.js';
import { MigrationState } from '../state.js';

export type BackfillPhase = 'inspecting' | 'backfilling' | 'done' | 'stopped' | 'failed';

/**
 * The one mutable object of a running backfill. It is a MigrationState, so the throttler and the
 * control socket, which read and change a MigrationState's settings (chunk size, lag, load,
 * throttle, panic), work on a backfill unchanged; the backfill's own progress is kept beside them.
 */
export class BackfillState extends MigrationState {
  backfillPhase: BackfillPhase = 'inspecting';
  /** Rows in the table (counted, or the table's statistics) and rows --where matched at the start (undefined: not counted). */
  tableRows = 0;
  matchingAtStart: number | undefined;
  /** The last key of the last committed chunk; undefined before the first. */
  doneUpTo: KeyTuple | undefined;
  /** Keys the chunks covered (each full chunk covers chunkSize keys as they stood when it was cut). */
  rowsWalked = 0;
  /** Rows the chunks' WHERE matched, and those whose value the SET changed (MySQL's "Rows matched / Changed"). */
  rowsMatched = 0;
  rowsChanged = 0;
  chunks = 0;
  /** Chunk transactions' summed time, and time spent held back by the throttler. */
  busyMs = 0;
  throttledMs = 0;
  /** The same counters as an interrupted run left them (a resume goes on from there). */
  before: { readonly rowsWalked: number; readonly chunks: number; readonly busyMs: number; readonly throttledMs: number } = { rowsWalked: 0, chunks: 0, busyMs: 0, throttledMs: 0 };
  walkStartedAtMs: number | undefined;
  walkEndedAtMs: number | undefined;
}
