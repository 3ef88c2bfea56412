import type { BinlogPosition, Row, RowChange, RowValue, StreamEvent } from '../binlog/types.js';
import type { Connection } from '../db/connect.js';
import { withRetries } from '../db/retry.js';
import type { Logger } from '../log.js';
import { queryRows } from '../db/connect.js';
import { judgeWrite, rewriteDropped, writeCounts } from '../guard/checked-write.js';
import { keyOf, keyText, type GuardTables } from '../guard/tables.js';
import { deleteRows, upsertRows } from '../sql/apply.js';
import { ghostKeysPresent, insertIgnoreRows } from '../sql/guard.js';
import type { KeyTuple } from '../sql/key-range.js';
import { describeKey } from '../status/describe-row.js';
import type { MigrationState } from '../state.js';
import { planBatch } from './batch-plan.js';

/** What the applier needs from the binlog stream. */
export interface EventSource {
  take(max: number, waitMs: number, maxBytes?: number): Promise<StreamEvent[]>;
  readonly backlog: number;
  readonly readPosition: BinlogPosition;
}

/** One original table and its ghost, as the applier writes it. */
export interface ApplyTarget {
  /** The tables, the shared key and the unique keys the write guard watches. */
  readonly guard: GuardTables;
  /** Original → ghost column pairs (non-generated, surviving the ALTER). */
  readonly pairs: readonly { readonly from: string; readonly to: string }[];
}

export interface ApplierOptions extends ApplyTarget {
  readonly conn: Connection;
  readonly source: EventSource;
  /**
   * More tables of the same stream (several tables, one cut-over): a row change goes to the target
   * whose `guard.original` it names (`RowChange.table`); one without a name goes to the first.
   */
  readonly alsoTargets?: readonly ApplyTarget[];
  readonly state: MigrationState;
  readonly log: Logger;
  readonly retries: number;
}

/**
 * Row images one apply transaction takes at most (beyond its first event): a batch of big rows stays
 * a transaction the replicas can absorb, however large --dml-batch-size is.
 */
export const APPLY_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Replays the original table's row changes onto the ghost, one transaction per batch: the batch's
 * keys are deleted, then their final images inserted (src/apply/batch-plan.ts). Replaying a change
 * twice is harmless (delete and write by key), so a batch that fails half-way is retried whole. The
 * images go in with INSERT IGNORE and every warning is judged (src/guard/), so no value is changed
 * and no row dropped silently — REPLACE would delete a row that collides on a new unique key.
 */
export class Applier {
  private readonly waiters: { hint: string; value: string; resolve: () => void }[] = [];
  private readonly targets: ReadonlyMap<string, ApplyTarget & { readonly mode: 'upsert' | 'delete-insert' }>;
  private readonly first: string;
  /** Row events applied since `rateSince` (for the status line's events/s). */
  private rateEvents = 0;
  private rateSince = performance.now();

  /**
   * With no unique key but the shared one in the ghost, final images overwrite rows in place (one
   * row event each in the binlog, for the replicas to replay); otherwise the batch's keys are deleted
   * first, and a collision on another unique key is judged by the write guard. A ghost key wider than
   * the shared one is never overwritten in place: the ghost may hold a stale version of the row under
   * the same shared key and another value of the wider key's other columns, which only a delete by
   * the shared key removes (docs/design.md, "The shared key").
   */
  constructor(private readonly o: ApplierOptions) {
    const all = [{ guard: o.guard, pairs: o.pairs }, ...(o.alsoTargets ?? [])];
    this.targets = new Map(all.map((t) => [t.guard.original, { ...t, mode: t.guard.uniqueIndexes.length === 0 && !t.guard.ghostKeyWider ? 'upsert' : 'delete-insert' }]));
    this.first = o.guard.original;
  }

  /** Runs until the signal aborts; rejects when applying fails for good. */
  async run(signal: AbortSignal): Promise<void> {
    const { state, source } = this.o;
    while (!signal.aborted) {
      const events = await source.take(state.dmlBatchSize, 100, APPLY_BATCH_BYTES);
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

  /** One batch: each table's changes planned on their own (src/apply/batch-plan.ts), all in one transaction. */
  private async applyChanges(changes: readonly RowChange[], signal: AbortSignal): Promise<void> {
    const { conn, log, retries } = this.o;
    const byTable = new Map<string, RowChange[]>();
    for (const c of changes) {
      const table = c.table ?? this.first;
      const list = byTable.get(table);
      if (list === undefined) byTable.set(table, [c]);
      else list.push(c);
    }
    const work = [...byTable].map(([table, list]) => {
      const target = this.targets.get(table);
      if (target === undefined) throw new Error(`a row change of table ${table}, which this migration does not apply`);
      const { guard, pairs, mode } = target;
      return { target, plan: planBatch(list, { columns: pairs.map((p) => p.from), keyColumns: guard.keyColumns, keyTypes: guard.keyTypes, mode }) };
    });
    const doing = 'replaying binlog events';
    await withRetries(
      async () => {
        await conn.query('BEGIN');
        try {
          for (const { target, plan } of work) {
            const { guard } = target;
            for (const keys of plan.deletes) {
              const s = deleteRows(guard.database, guard.ghost, guard.ghostKeyColumns, keys);
              await conn.query(s.sql, [...s.params]);
            }
            for (const rows of plan.inserts) await this.insertImages(target, rows, doing);
          }
          await conn.query('COMMIT');
        } catch (err) {
          await conn.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      },
      { retries, signal, onRetry: (err, attempt) => log.warn({ err: String(err), attempt }, 'retrying binlog batch') },
    );
  }

  /**
   * INSERT IGNORE of final images, every warning judged (src/guard/): a changed value stops the
   * migration; a row dropped for colliding on a unique key the original lacks is resolved and
   * written again.
   */
  private async insertImages(
    target: ApplyTarget & { readonly mode: 'upsert' | 'delete-insert' },
    rows: readonly { readonly values: readonly RowValue[]; readonly image: Row }[],
    doing: string,
  ): Promise<void> {
    const { conn } = this.o;
    const { guard } = target;
    const toColumns = target.pairs.map((p) => p.to);
    const values = rows.map((r) => r.values);
    const upsert = target.mode === 'upsert';
    const s = upsert
      ? upsertRows({ version: guard.version, database: guard.database, ghost: guard.ghost, columns: toColumns, keyColumns: guard.ghostKeyColumns, rows: values })
      : insertIgnoreRows(guard.database, guard.ghost, toColumns, values);
    const [result] = await conn.query(s.sql, [...s.params]);
    // An upsert's "duplicates" are rows it updated in place, which leave no warning.
    const counts = writeCounts(result, rows.length);
    const { checkDropped } = await judgeWrite({
      conn,
      g: guard,
      counts: upsert ? { duplicates: 0, warnings: counts.warnings } : counts,
      doing,
      rowKey: async (n) => {
        const row = n === undefined ? undefined : rows[n - 1];
        return row === undefined ? undefined : describeKey(guard.keyColumns, row.image);
      },
    });
    if (!checkDropped) return;
    const keyOfImage = (image: Row): KeyTuple => keyOf(guard, (c) => image[c]);
    const present = ghostKeysPresent(guard.database, guard.ghost, guard.ghostKeyColumns, rows.map((r) => keyOfImage(r.image)));
    const there = new Set((await queryRows(conn, present.sql, present.params)).map((r) => keyText(guard.ghostKeyColumns.map((c) => r[c]))));
    const dropped = rows.filter((r) => !there.has(keyText(keyOfImage(r.image))));
    if (dropped.length === 0) return;
    const rewritten = await rewriteDropped({
      conn,
      g: guard,
      doing,
      rows: dropped.map((r) => ({ key: keyOfImage(r.image), value: (c: string) => r.image[c], write: () => insertIgnoreRows(guard.database, guard.ghost, toColumns, [r.values]) })),
    });
    this.o.log.info({ dropped: dropped.length, rewritten }, 'rows that collided with stale ghost rows on a unique key were written again');
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected stream event ${JSON.stringify(x)}`);
}
