/** A check that did not answer within its time limit. */
export class TimeLimitError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what} did not answer within ${formatSeconds(ms)}`);
    this.name = 'TimeLimitError';
  }
}

/**
 * Settles like `work`, unless `ms` pass first (rejects with TimeLimitError, after calling
 * `onTimeout` so the caller can drop what hangs) or `signal` aborts (rejects with its reason).
 * `work` itself is not stopped: whoever owns it must (a mysql2 session is destroyed).
 */
export function withTimeLimit<T>(work: Promise<T>, o: { readonly ms: number; readonly what: string; readonly signal?: AbortSignal; readonly onTimeout?: () => void }): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (finish()) reject(o.signal?.reason instanceof Error ? o.signal.reason : new Error('aborted'));
    };
    const timer = setTimeout(() => {
      if (!finish()) return;
      o.onTimeout?.();
      reject(new TimeLimitError(o.what, o.ms));
    }, o.ms);
    if (o.signal?.aborted === true) onAbort();
    else o.signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => finish() && resolve(v),
      (e: unknown) => finish() && reject(e instanceof Error ? e : new Error(String(e))),
    );
  });
}

/** `3s`, `1.5s`. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}
