import type { Connection } from './db/connect.js';

/** How long teardown waits for background tasks (heartbeat, throttler) before it goes on. */
const TEARDOWN_MS = 5000;

/**
 * What one run (a migration, a revert, a backfill) holds until it ends: its own abort signal, which
 * the caller's signal aborts too; the connections it opened; what must be closed (the socket server,
 * timers); and background tasks that teardown waits for, within a bound. close() ends all of it,
 * however the run ended.
 */
export class RunScope {
  private readonly inner = new AbortController();
  private readonly connections: Connection[] = [];
  private readonly closers: (() => unknown)[] = [];
  private readonly background: Promise<unknown>[] = [];
  private readonly onOuterAbort: () => void;

  /** `outerReason` is the reason this scope aborts with when the caller's signal does (a stop signal). */
  constructor(
    private readonly outer: AbortSignal,
    outerReason: (outer: AbortSignal) => unknown,
  ) {
    this.onOuterAbort = () => this.inner.abort(outerReason(outer));
    if (outer.aborted) this.onOuterAbort();
    else outer.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  /** Aborted by the caller's signal, by abort(), or by close(). */
  get signal(): AbortSignal {
    return this.inner.signal;
  }

  /** Stops the run; the first reason is the one kept. */
  abort(reason: unknown): void {
    if (!this.inner.signal.aborted) this.inner.abort(reason);
  }

  /** A connection the run opened: ended by close(). */
  adopt<C extends Connection>(conn: C): C {
    this.connections.push(conn);
    return conn;
  }

  /** Called by close(), first (the socket server, a timer). */
  onClose(close: () => unknown): void {
    this.closers.push(close);
  }

  /** A task that ends when the signal aborts: close() waits for it, at most TEARDOWN_MS. */
  track(task: Promise<unknown>): void {
    this.background.push(task);
  }

  /**
   * Ends the run: aborts the signal (with `why` unless already aborted), closes what was registered
   * (timers first of all: no status line after the end), waits for the background tasks, then ends
   * the connections.
   */
  async close(why: string): Promise<void> {
    this.abort(new Error(why));
    this.outer.removeEventListener('abort', this.onOuterAbort);
    await Promise.allSettled(this.closers.map(async (c) => c()));
    await within(Promise.allSettled(this.background), TEARDOWN_MS);
    await Promise.allSettled(this.connections.map((c) => c.end()));
  }
}

/** Resolves when `p` settles or after `ms`, whichever is first: a hung task must not hold the exit. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
