import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerVersion } from '../db/flavor.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { globalStatus } from '../sql/inspect.js';
import { throttleSessionLimits } from '../sql/throttle.js';
import type { MigrationState } from '../state.js';
import type { HostPort } from './host-port.js';
import { loadExceeded } from './load-spec.js';
import { watchPanic } from './panic-watch.js';
import type { ReplicaLag } from './replica-lag.js';
import { formatSeconds, TimeLimitError, withTimeLimit } from './time-limit.js';
import { TimedSession, type SessionEdge } from './timed-session.js';
import { runThrottleQuery } from './throttle-query.js';
import type { WriteRateWatch } from './write-rate.js';

/** Each check's time limit: long enough for a busy server, short enough to fail closed quickly. */
export const CHECK_TIMEOUT_MS = 3000;

export interface ThrottlerOptions {
  readonly state: MigrationState;
  /** Opens a session on the primary; the throttler keeps its own two (checks, critical load). */
  readonly openPrimary: () => Promise<SessionEdge>;
  readonly version: ServerVersion;
  readonly replicaLag: ReplicaLag;
  /** Replicas to watch when none are set at run time (discovered from the primary). */
  readonly discoveredReplicas: readonly HostPort[];
  readonly throttleFlagFile: string | undefined;
  readonly throttleAdditionalFlagFile: string | undefined;
  readonly throttleHttp: string | undefined;
  readonly panicFlagFile: string | undefined;
  readonly criticalLoadIntervalMs: number;
  readonly intervalMs: number;
  /** Time limit of each check (default CHECK_TIMEOUT_MS). */
  readonly checkTimeoutMs?: number;
  readonly log: Logger;
  /** Called once when the migration must stop (panic command or flag, critical load). */
  readonly onPanic: (reason: string) => void;
  /** Outside the copy's windows: the reason (src/schedule/window-text.ts); undefined inside one or without windows. */
  readonly outsideWindow?: ((nowMs: number) => string | undefined) | undefined;
  /** --max-write-rate's measurement; the limit is state.maxWriteRate (undefined = off). */
  readonly writeRate?: WriteRateWatch | undefined;
  /** The clock the windows are read with (tests inject one). */
  readonly now?: (() => number) | undefined;
}

/**
 * One question — "should the copy wait, and why?" — re-evaluated continuously. The answer is kept
 * in state.throttleReason for the copier, the status line and the socket. The binlog applier is
 * never throttled, so the backlog does not grow while the copy waits.
 *
 * Every check has a time limit, and one that does not answer in time throttles (fails closed).
 * Panic and critical load are watched by loops of their own, so a hung check delays neither.
 */
export class Throttler {
  private readonly limitMs: number;
  private readonly checks: TimedSession;
  private readonly critical: TimedSession;
  /** Why the critical-load watch cannot tell (it then holds the copy back, failing closed). */
  private criticalUnknown: string | undefined;

  constructor(private readonly o: ThrottlerOptions) {
    this.limitMs = o.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
    // The server stops a statement before we stop waiting for it, so a slow throttle query ends
    // with an error on a session that stays usable; a lock wait outlasts our limit instead.
    const limits = throttleSessionLimits(o.version, { statementMs: Math.round((this.limitMs * 2) / 3), lockWaitSeconds: this.limitMs / 1000 + 2 });
    const session = (what: string): TimedSession => new TimedSession({ open: o.openPrimary, setup: limits, timeoutMs: this.limitMs, what });
    this.checks = session('throttle check on the primary');
    this.critical = session('critical-load check');
  }

  /** Runs until `signal` aborts; never rejects (a failing check is a throttle reason). */
  async run(signal: AbortSignal): Promise<void> {
    const panic = (reason: string): void => {
      this.o.state.panicReason ??= reason;
      this.o.onPanic(this.o.state.panicReason);
    };
    try {
      await Promise.all([
        watchPanic({ state: this.o.state, panicFlagFile: this.o.panicFlagFile, onPanic: panic, signal }),
        this.watchCriticalLoad(signal, panic),
        this.throttleLoop(signal),
      ]);
    } finally {
      this.checks.close();
      this.critical.close();
    }
  }

  /** Resolves when the copy may go on. */
  async waitWhileThrottled(signal: AbortSignal): Promise<void> {
    while (this.o.state.throttleReason !== undefined) {
      signal.throwIfAborted();
      await sleep(50, undefined, { signal });
    }
  }

  private async throttleLoop(signal: AbortSignal): Promise<void> {
    const { state, log } = this.o;
    let lastLogged = 0;
    while (!signal.aborted) {
      let reason: string | undefined;
      try {
        reason = await this.evaluate(signal);
      } catch (err) {
        if (signal.aborted) return;
        reason = `throttle check failed: ${describeError(err)}`;
      }
      // A check cut short by the end of the attempt says nothing about the server.
      if (signal.aborted) return;
      // Logged when throttling starts, stops or changes its kind of reason, and every 5 s while it
      // lasts — not each time a lag figure moves (that is every check).
      const now = Date.now();
      // A shut window says when it opens: once is enough, not every 5 s for hours.
      const repeat = reason !== undefined && !reason.startsWith('outside window') && now - lastLogged >= 5000;
      if (reasonKind(reason) !== reasonKind(state.throttleReason) || repeat) {
        log.info({ reason: reason ?? 'none' }, reason === undefined ? 'throttling lifted' : 'throttling');
        lastLogged = now;
      }
      state.throttleReason = reason;
      await sleep(this.o.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async evaluate(signal: AbortSignal): Promise<string | undefined> {
    const { state } = this.o;
    if (state.panicReason !== undefined) return 'panic';
    // Sampled on every round, whatever holds the copy: a rate must not span the hours a window was shut.
    const writeRateFailed = state.maxWriteRate === undefined ? undefined : await this.sampleWriteRate(signal);
    if (this.criticalUnknown !== undefined) return this.criticalUnknown;
    if (state.commandedThrottle) return 'commanded by user';
    for (const f of [this.o.throttleFlagFile, this.o.throttleAdditionalFlagFile]) {
      if (f !== undefined && existsSync(f)) return `flag-file ${f}`;
    }
    // Pure arithmetic, and the most common reason of an unattended run: before the checks that ask servers.
    const outside = this.o.outsideWindow?.((this.o.now ?? Date.now)());
    if (outside !== undefined) return outside;
    const replicas = state.throttleControlReplicas.length > 0 ? state.throttleControlReplicas : this.o.discoveredReplicas;
    const lag = await this.o.replicaLag.check(replicas, state.maxLagMillis, signal);
    if (lag !== undefined) return lag;
    try {
      if (state.maxLoad.size > 0) {
        const load = await this.readLoad(this.checks, state.maxLoad, signal);
        if (load !== undefined) return `max-load ${load}`;
      }
    } catch (err) {
      return failedCheck('max-load check', err);
    }
    if (writeRateFailed !== undefined) return writeRateFailed;
    if (this.o.writeRate !== undefined && state.maxWriteRate !== undefined) {
      const busy = this.o.writeRate.reason(state.maxWriteRate);
      if (busy !== undefined) return busy;
    }
    const query = state.throttleQuery;
    if (query !== undefined && query.trim() !== '') {
      try {
        const v = await runThrottleQuery(this.checks, query, signal);
        if (v !== undefined && v !== null && Number(v) !== 0) return `throttle-query returned ${String(v)}`;
      } catch (err) {
        return failedCheck('throttle-query', err);
      }
    }
    if (this.o.throttleHttp !== undefined) return this.checkHttp(this.o.throttleHttp, signal);
    return undefined;
  }

  private async sampleWriteRate(signal: AbortSignal): Promise<string | undefined> {
    const watch = this.o.writeRate;
    if (watch === undefined) return undefined;
    try {
      await watch.sample((this.o.now ?? Date.now)(), async (names) => {
        const rows = await this.checks.use((query) => query(globalStatus(names)), signal);
        return new Map(rows.map((r) => [String(r['Variable_name']).toLowerCase(), Number(r['Value'])]));
      });
      this.o.state.writeRate = watch.perSecond();
      return undefined;
    } catch (err) {
      return failedCheck('max-write-rate check', err);
    }
  }

  private async checkHttp(url: string, signal: AbortSignal): Promise<string | undefined> {
    const request = new AbortController();
    const status = await withTimeLimit(
      fetch(url, { signal: request.signal }).then(async (r) => {
        await r.body?.cancel().catch(() => undefined);
        return r.status;
      }),
      { ms: this.limitMs, what: `throttle-http ${url}`, signal, onTimeout: () => request.abort() },
    ).catch((err: unknown) => {
      request.abort();
      if (signal.aborted) throw err;
      return err instanceof TimeLimitError ? `did not answer within ${formatSeconds(err.ms)}` : `unreachable (${describeError(err)})`;
    });
    if (status === 200) return undefined;
    return typeof status === 'number' ? `throttle-http ${url} answered ${status}` : `throttle-http ${url} ${status}`;
  }

  private async watchCriticalLoad(signal: AbortSignal, panic: (reason: string) => void): Promise<void> {
    const { state } = this.o;
    while (!signal.aborted) {
      if (state.criticalLoad.size === 0) {
        this.criticalUnknown = undefined;
      } else {
        try {
          let over = await this.readLoad(this.critical, state.criticalLoad, signal);
          this.criticalUnknown = undefined;
          // One high reading may be a blip: look again after the interval before aborting.
          if (over !== undefined && this.o.criticalLoadIntervalMs > 0) {
            await sleep(this.o.criticalLoadIntervalMs, undefined, { signal });
            over = await this.readLoad(this.critical, state.criticalLoad, signal);
          }
          if (over !== undefined) {
            panic(`critical-load ${over}`);
            return;
          }
        } catch (err) {
          if (signal.aborted) return;
          this.criticalUnknown = failedCheck('critical-load check', err);
        }
      }
      await sleep(this.o.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private async readLoad(session: TimedSession, spec: ReadonlyMap<string, number>, signal: AbortSignal): Promise<string | undefined> {
    const rows = await session.use((query) => query(globalStatus([...spec.keys()])), signal);
    const values = new Map(rows.map((r) => [String(r['Variable_name']).toLowerCase(), Number(r['Value'])]));
    return loadExceeded(spec, values);
  }
}

/** The reason for a check that failed or did not answer in time (either holds the copy back). */
function failedCheck(what: string, err: unknown): string {
  if (err instanceof TimeLimitError) return `${what} did not answer within ${formatSeconds(err.ms)}`;
  return `${what} failed: ${describeError(err)}`;
}

/** A throttle reason without its figures: `lag=2.48s on replica h:3307` → `lag=#s on replica h:#`. */
function reasonKind(reason: string | undefined): string | undefined {
  return reason?.replace(/\d+(\.\d+)?/g, '#');
}
