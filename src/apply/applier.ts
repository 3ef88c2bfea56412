import type { BinlogPosition, RowChange, StreamEvent } from '../binlog/types.js';
import type { Connection } from '../db/connect.js';
import { withRetries } from '../db/retry.js';
import type { Logger } from '../log.js';
import { deleteRows, replaceRows } from '../sql/apply.js';
import type { MigrationState } from '../state.js';
import { planBatch } from './batch-plan.js';

/** What the applier needs from the binlog stream. */
export interface EventSource {
  take(max: number, waitMs: number): Promise<StreamEvent[]>;
  readonly backlog: number;
  readonly readPosition: BinlogPosition;
}

export interface ApplierOptions {
  readonly conn: Connection;
  readonly source: EventSource;
  readonly database: string;
  readonly ghost: string;
  /** Original → ghost column pairs (non-generated, surviving the ALTER). */
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
  /** The shared key: original-table names and ghost names, same order. */
  readonly keyColumns: readonly string[];
  readonly ghostKeyColumns: readonly string[];
  readonly keyTypes: readonly string[];
  readonly state: MigrationState;
  readonly log: Logger;
  readonly retries: number;
}

/**
 * Replays the original table's row changes onto the ghost, in binlog order, one transaction per
 * batch. Replaying a change twice is harmless (REPLACE/DELETE by key), so a batch that fails half-way
 * is simply retried whole.
 */
export class Applier {
  private readonly waiters: { hint: string; value: string; resolve: () => void }[] = [];
  /** Row events applied since `rateSince` (for the status line's events/s). */
  private rateEvents = 0;
  private rateSince = performance.now();

  constructor(private readonly o: ApplierOptions) {}

  /** Runs until the signal aborts; rejects when applying fails for good. */
  async run(signal: AbortSignal): Promise<void> {
    const { state, source } = this.o;
    while (!signal.aborted) {
      const events = await source.take(state.dmlBatchSize, 100);
      state.backlog = source.backlog;
      state.streamerPosition = source.readPosition;
      if (events.length > 0) await this.applyEvents(events, signal);
      this.measureRate();
    }
  }

  /** Row events per second over the last second or so. */
  private measureRate(): void {
    const now = performance.now();
    if (now - this.rateSince < 1000) return;
    this.o.state.applyRate = Math.round((this.rateEvents * 1000) / (now - this.rateSince));
    this.rateEvents = 0;
    this.rateSince = now;
  }

  /** Resolves once every event up to a marker (hint, value) written after this call has been applied. */
  waitForMarker(hint: string, value: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      // Every way out removes the others: a long migration waits for thousands of markers on one signal.
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(entry);
        if (i >= 0) this.waiters.splice(i, 1);
      };
      const entry = {
        hint,
        value,
        resolve: () => {
          done();
          resolve();
        },
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the binlog applier did not reach marker ${hint}=${value} within ${timeoutMs} ms`));
      }, timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(entry);
    });
  }

  private async applyEvents(events: readonly StreamEvent[], signal: AbortSignal): Promise<void> {
    const { state } = this.o;
    const changes: RowChange[] = [];
    const markers: { hint: string; value: string }[] = [];
    // The last heartbeat or marker: a transaction boundary a new stream may start from.
    let boundary: StreamEvent | undefined;
    for (const ev of events) {
      switch (ev.kind) {
        case 'insert':
        case 'update':
        case 'delete':
          changes.push(ev);
          break;
        case 'heartbeat':
          state.lastHeartbeatSeenMs = Math.max(state.lastHeartbeatSeenMs ?? 0, ev.writtenAtMs);
          boundary = ev;
          break;
        case 'marker':
          markers.push({ hint: ev.hint, value: ev.value });
          boundary = ev;
          break;
        default:
          assertNever(ev);
      }
    }
    if (changes.length > 0) await this.applyChanges(changes, signal);
    state.eventsApplied += changes.length;
    this.rateEvents += changes.length;
    state.appliedPosition = (events[events.length - 1] as StreamEvent).position;
    if (boundary !== undefined) state.safeAppliedPosition = boundary.position;
    // Everything before each marker is now applied: release whoever waits for it.
    for (const m of markers) {
      for (const w of this.waiters.filter((x) => x.hint === m.hint && x.value === m.value)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }

  private async applyChanges(changes: readonly RowChange[], signal: AbortSignal): Promise<void> {
    const { conn, database, ghost, pairs, keyColumns, ghostKeyColumns, keyTypes, log, retries } = this.o;
    const steps = planBatch(changes, { columns: pairs.map((p) => p.from), keyColumns, keyTypes });
    const toColumns = pairs.map((p) => p.to);
    const statements = steps.map((s) => (s.kind === 'replace' ? replaceRows(database, ghost, toColumns, s.rows) : deleteRows(database, ghost, ghostKeyColumns, s.keys)));
    await withRetries(
      async () => {
        await conn.query('BEGIN');
        try {
          for (const s of statements) await conn.query(s.sql, [...s.params]);
          await conn.query('COMMIT');
        } catch (err) {
          await conn.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      },
      { retries, signal, onRetry: (err, attempt) => log.warn({ err: String(err), attempt }, 'retrying binlog batch') },
    );
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected stream event ${JSON.stringify(x)}`);
}
