import { errno } from '../db/retry.js';
import type { BlockerSource } from './blockers.js';

/** ER_LOCK_WAIT_TIMEOUT: the cut-over's LOCK TABLES was not granted within --cut-over-lock-timeout-seconds. */
const LOCK_WAIT_TIMEOUT = 1205;

/**
 * --force-kill-blockers-after N (Spirit's and Vitess's answer to long transactions that hold a
 * cut-over off for ever): the first N cut-over attempts whose lock timed out only wait and fail, as
 * without the flag; every attempt after them kills the sessions the lock waits behind
 * (src/cutover/blockers.ts, which names each in the log first). An attempt that failed for another
 * reason does not count. Without the flag (`after` undefined) nothing is ever killed.
 */
export class BlockerPolicy {
  private timeouts = 0;

  constructor(private readonly o: { readonly source: BlockerSource | undefined; readonly after: number | undefined }) {}

  /** What the next attempt passes to swapTables as `killBlockers`: the source once N attempts timed out. */
  next(): BlockerSource | undefined {
    return this.o.source !== undefined && this.o.after !== undefined && this.timeouts >= this.o.after ? this.o.source : undefined;
  }

  /** An attempt failed with `err`: a lock wait timeout counts toward N. */
  failed(err: unknown): void {
    if (isLockWaitTimeout(err)) this.timeouts++;
  }

  /** Attempts so far whose lock timed out. */
  get lockTimeouts(): number {
    return this.timeouts;
  }
}

export function isLockWaitTimeout(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (errno(e) === LOCK_WAIT_TIMEOUT) return true;
    e = typeof e === 'object' && 'cause' in e ? (e as { cause: unknown }).cause : undefined;
  }
  return false;
}
