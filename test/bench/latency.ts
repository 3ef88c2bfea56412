/**
 * Latencies of the load's writes, kept as flat arrays (a million samples cost a few MB) and
 * summarised over a time window: the "before" window ends where a migration starts, the "during"
 * window spans it.
 */
export interface LatencySample {
  /** When the write was due (the fixed-rate schedule), epoch ms. */
  readonly dueAtMs: number;
  /** When it was sent, epoch ms. */
  readonly sentAtMs: number;
  /** Sent → answered, ms. */
  readonly serviceMs: number;
}

export interface LatencySummary {
  readonly writes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** p99 counted from when each write was due, so a stall also counts against the writes queued behind it. */
  readonly p99FromDueMs: number;
  readonly maxFromDueMs: number;
}

export class LatencyRecorder {
  private due: number[] = [];
  private sent: number[] = [];
  private service: number[] = [];

  record(s: LatencySample): void {
    this.due.push(s.dueAtMs);
    this.sent.push(s.sentAtMs);
    this.service.push(s.serviceMs);
  }

  get size(): number {
    return this.due.length;
  }

  /** Columns, for sending to another process. */
  toColumns(): { due: number[]; sent: number[]; service: number[] } {
    return { due: this.due, sent: this.sent, service: this.service };
  }

  static fromColumns(c: { due: number[]; sent: number[]; service: number[] }): LatencyRecorder {
    const r = new LatencyRecorder();
    r.due = c.due;
    r.sent = c.sent;
    r.service = c.service;
    return r;
  }

  /** Writes sent in [fromMs, toMs). */
  summary(fromMs: number, toMs: number): LatencySummary {
    const service: number[] = [];
    const fromDue: number[] = [];
    for (let i = 0; i < this.sent.length; i++) {
      const sent = this.sent[i] as number;
      if (sent < fromMs || sent >= toMs) continue;
      const ms = this.service[i] as number;
      service.push(ms);
      fromDue.push(sent - (this.due[i] as number) + ms);
    }
    service.sort((a, b) => a - b);
    fromDue.sort((a, b) => a - b);
    return {
      writes: service.length,
      p50Ms: percentile(service, 0.5),
      p99Ms: percentile(service, 0.99),
      maxMs: service[service.length - 1] ?? 0,
      p99FromDueMs: percentile(fromDue, 0.99),
      maxFromDueMs: fromDue[fromDue.length - 1] ?? 0,
    };
  }
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
