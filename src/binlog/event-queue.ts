/**
 * The FIFO between the binlog connection (producer) and the applier (consumer). take() waits for
 * the first item; a failure is reported only once every queued item has been taken, so nothing
 * read before the failure is lost. Timers are cleared as soon as a wait ends: a closed queue keeps
 * no handle alive.
 */
interface Waiter<T> {
  readonly max: number;
  readonly maxBytes: number;
  readonly resolve: (items: T[]) => void;
  readonly reject: (err: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class EventQueue<T> {
  private items: T[] = [];
  private head = 0;
  /** Sum of the queued items' sizes. */
  private queuedBytes = 0;

  /** `size` weighs an item (e.g. its row images' bytes) for take()'s byte limit and `bytes`. */
  constructor(private readonly size: (item: T) => number = () => 1) {}

  get bytes(): number {
    return this.queuedBytes;
  }
  private readonly waiters: Waiter<T>[] = [];
  private failure: Error | undefined;
  private closed = false;

  get length(): number {
    return this.items.length - this.head;
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  push(items: readonly T[]): void {
    if (this.closed || this.failure !== undefined || items.length === 0) return;
    for (const item of items) {
      this.items.push(item);
      this.queuedBytes += this.size(item);
    }
    this.serveWaiters();
  }

  /** Up to `max` items and — beyond the first — up to `maxBytes` of them; waits up to `waitMs` for the first. */
  take(max: number, waitMs: number, maxBytes = Number.POSITIVE_INFINITY): Promise<T[]> {
    if (!Number.isInteger(max) || max < 1) return Promise.reject(new Error(`take(max) needs a whole number >= 1 (got ${max})`));
    if (this.length > 0) return Promise.resolve(this.shift(max, maxBytes));
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed || waitMs <= 0) return Promise.resolve([]);
    return new Promise<T[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.removeWaiter(waiter);
        resolve([]);
      }, waitMs);
      const waiter: Waiter<T> = { max, maxBytes, resolve, reject, timer };
      this.waiters.push(waiter);
    });
  }

  /** Items already queued stay takeable; waiters and later takes reject with `err`. */
  fail(err: Error): void {
    if (this.failure !== undefined || this.closed) return;
    this.failure = err;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }

  /** Waiters get []; later takes drain what is left, then get []. */
  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve([]);
    }
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0 && this.length > 0) {
      const w = this.waiters.shift();
      if (w === undefined) break;
      clearTimeout(w.timer);
      w.resolve(this.shift(w.max, w.maxBytes));
    }
  }

  private shift(max: number, maxBytes: number): T[] {
    const limit = Math.min(this.items.length, this.head + max);
    let end = this.head;
    let bytes = 0;
    while (end < limit) {
      const size = this.size(this.items[end] as T);
      if (end > this.head && bytes + size > maxBytes) break;
      bytes += size;
      end++;
    }
    this.queuedBytes -= bytes;
    const out = this.items.slice(this.head, end);
    this.head = end;
    // Drop taken items now and then, so the array does not grow forever.
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  private removeWaiter(w: Waiter<T>): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
  }
}
