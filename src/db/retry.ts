import { setTimeout as sleep } from 'node:timers/promises';

/** MySQL error numbers that mean "try the same statement again": deadlock, lock wait timeout. */
export const RETRYABLE_ERRNOS = new Set([1213, 1205]);

export function errno(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'errno' in err) {
    const n = (err as { errno: unknown }).errno;
    return typeof n === 'number' ? n : undefined;
  }
  return undefined;
}

export function isRetryable(err: unknown): boolean {
  const n = errno(err);
  return n !== undefined && RETRYABLE_ERRNOS.has(n);
}

/** Runs `fn`, retrying retryable errors with a growing pause (50 ms, 100 ms, … up to 2 s). */
export async function withRetries<T>(fn: () => Promise<T>, o: { retries: number; signal?: AbortSignal; onRetry?: (err: unknown, attempt: number) => void; retryable?: (err: unknown) => boolean }): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const retryable = (o.retryable ?? isRetryable)(err);
      if (!retryable || attempt > o.retries || o.signal?.aborted) throw err;
      o.onRetry?.(err, attempt);
      await sleep(Math.min(2000, 50 * 2 ** (attempt - 1)), undefined, o.signal ? { signal: o.signal } : {});
    }
  }
}
