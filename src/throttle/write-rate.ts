import type { MigrationState } from '../state.js';

/** Whose writes --max-write-rate counts: the migrated table's, or the whole server's. */
export type WriteRateScope = 'table' | 'server';
export const WRITE_RATE_SCOPES: readonly WriteRateScope[] = ['table', 'server'];
export const WRITE_RATE_FORM = 'rows per second, e.g. 500/s (or 500)';

/** `500/s` or `500` → 500, or what is wrong with it. One parser for the flag and the socket. */
export function parseWriteRate(text: string): number | { readonly problem: string } {
  const m = /^\s*(\d{1,12})\s*(\/\s*s)?\s*$/i.exec(text);
  if (m === null) return { problem: `: "${text}" is not a whole number of rows per second` };
  const n = Number(m[1]);
  if (n < 1) return { problem: ': it must be at least 1/s' };
  return n;
}

/**
 * A rate over a moving window of samples of an ever-growing counter. A counter that goes down
 * (a new binlog stream, a restarted server) starts the window over instead of reading as negative.
 */
export class MovingRate {
  private readonly samples: { readonly t: number; readonly n: number }[] = [];

  constructor(
    private readonly windowMs: number,
    /** Below this much history the rate is not known yet. */
    private readonly minSpanMs: number = Math.min(1000, windowMs),
  ) {}

  sample(nowMs: number, count: number): void {
    const last = this.samples.at(-1);
    if (last !== undefined && (count < last.n || nowMs < last.t)) this.samples.length = 0;
    this.samples.push({ t: nowMs, n: count });
    // Keep one sample at or before the window's start, so the window is covered whole.
    while (this.samples.length > 2 && (this.samples[1] as { t: number }).t <= nowMs - this.windowMs) this.samples.shift();
  }

  /** Per second over the window (or over what there is of it), undefined before minSpanMs of samples. */
  perSecond(): number | undefined {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.t - first.t < this.minSpanMs) return undefined;
    return ((last.n - first.n) * 1000) / (last.t - first.t);
  }
}

/** The InnoDB row counters the server scope reads (SHOW GLOBAL STATUS; both flavors have them). */
export const SERVER_WRITE_COUNTERS = ['Innodb_rows_inserted', 'Innodb_rows_updated', 'Innodb_rows_deleted'] as const;

/**
 * --max-write-rate: holds the copy while the application writes faster than the limit.
 * - table: the rows the application inserts, updates and deletes in the table, counted from the
 *   binlog events oschange reads and applies anyway (exact, no privilege or performance_schema needed, and
 *   oschange's own writes, which go to the ghost, are not among them);
 * - server: InnoDB's rows written on the whole server, less oschange's own (its copy, its replay of
 *   the table's writes, its heartbeat) — an estimate, which errs on the side of pausing.
 */
export class WriteRateWatch {
  private readonly rate: MovingRate;
  /** Server scope: the rows oschange itself wrote, to take off the server's count. */
  private readonly own: MovingRate;

  constructor(
    private readonly o: {
      readonly scope: WriteRateScope;
      readonly state: MigrationState;
      readonly windowMs: number;
      readonly heartbeatIntervalMs: number;
      /** `db.table`, for the reason text. */
      readonly tableName: string;
    },
  ) {
    this.rate = new MovingRate(o.windowMs);
    this.own = new MovingRate(o.windowMs);
  }

  /** Takes a sample now; `readStatus` reads global status variables (server scope only). */
  async sample(nowMs: number, readStatus: (names: readonly string[]) => Promise<ReadonlyMap<string, number>>): Promise<void> {
    const s = this.o.state;
    if (this.o.scope === 'table') {
      // Applied events only: the backlog goes up and down, and the applier keeps up (a backlog delays the count, no more).
      this.rate.sample(nowMs, s.eventsApplied);
      return;
    }
    const status = await readStatus(SERVER_WRITE_COUNTERS);
    let innodb = 0;
    for (const name of SERVER_WRITE_COUNTERS) innodb += status.get(name.toLowerCase()) ?? 0;
    this.rate.sample(nowMs, innodb);
    // oschange's own rows: every copied row, and at least one row per replayed event.
    this.own.sample(nowMs, s.rowsCopied + s.eventsApplied);
  }

  /** The current rate (rows/s), once measured. */
  perSecond(): number | undefined {
    const r = this.rate.perSecond();
    if (r === undefined) return undefined;
    if (this.o.scope === 'table') return Math.max(0, Math.round(r));
    // The heartbeat writes one row per interval.
    const own = (this.own.perSecond() ?? 0) + 1000 / this.o.heartbeatIntervalMs;
    return Math.max(0, Math.round(r - own));
  }

  /** Why the copy must wait, or undefined. An unmeasured rate holds the copy (fail closed), briefly. */
  reason(limit: number): string | undefined {
    const r = this.perSecond();
    const where = this.o.scope === 'table' ? this.o.tableName : 'server';
    if (r === undefined) return `max-write-rate ${where}: measuring`;
    if (r <= limit) return undefined;
    return `max-write-rate ${where} ${r}/s > ${limit}/s (last ${Math.round(this.o.windowMs / 1000)}s)`;
  }
}
