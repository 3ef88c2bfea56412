import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '../db/connect.js';
import { isAlive, queryRows, queryValue } from '../db/connect.js';
import { describeError } from '../errors.js';
import { isTransientError } from '../db/transient.js';
import type { Logger } from '../log.js';
import { globalStatus } from '../sql/inspect.js';
import type { MigrationState } from '../state.js';
import { loadExceeded } from './load-spec.js';
import type { ReplicaLag, HostPort } from './replica-lag.js';

export interface ThrottlerOptions {
  readonly state: MigrationState;
  /** A session on the primary for status variables and the throttle query. */
  readonly conn: Connection;
  readonly replicaLag: ReplicaLag;
  /** Replicas to watch when none are set at run time (discovered from the primary). */
  readonly discoveredReplicas: readonly HostPort[];
  readonly throttleFlagFile: string | undefined;
  readonly throttleAdditionalFlagFile: string | undefined;
  readonly throttleHttp: string | undefined;
  readonly panicFlagFile: string | undefined;
  readonly criticalLoadIntervalMs: number;
  readonly intervalMs: number;
  readonly log: Logger;
  /** Called once when the migration must stop (panic flag, critical load). */
  readonly onPanic: (reason: string) => void;
}

/**
 * One question — "should the copy wait, and why?" — re-evaluated continuously. The answer is kept
 * in state.throttleReason for the copier, the status line and the socket. The binlog applier is
 * never throttled, so the backlog does not grow while the copy waits.
 */
export class Throttler {
  constructor(private readonly o: ThrottlerOptions) {}

  async run(signal: AbortSignal): Promise<void> {
    const { state, log } = this.o;
    let lastLogged = 0;
    while (!signal.aborted) {
      let reason: string | undefined;
      try {
        reason = await this.evaluate();
      } catch (err) {
        // A lost connection to the primary is not a throttle reason: the migration reconnects.
        if (isTransientError(err) && !(await isAlive(this.o.conn))) throw err;
        reason = `throttle check failed: ${describeError(err)}`;
      }
      // Logged when throttling starts, stops or changes its kind of reason, and every 5 s while it
      // lasts — not each time a lag figure moves (that is every check).
      const now = Date.now();
      if (reasonKind(reason) !== reasonKind(state.throttleReason) || (reason !== undefined && now - lastLogged >= 5000)) {
        log.info({ reason: reason ?? 'none' }, reason === undefined ? 'throttling lifted' : 'throttling');
        lastLogged = now;
      }
      state.throttleReason = reason;
      await sleep(this.o.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Resolves when the copy may go on. */
  async waitWhileThrottled(signal: AbortSignal): Promise<void> {
    while (this.o.state.throttleReason !== undefined) {
      signal.throwIfAborted();
      await sleep(50, undefined, { signal });
    }
  }

  private async evaluate(): Promise<string | undefined> {
    const { state } = this.o;
    if (state.panicReason !== undefined) {
      this.o.onPanic(state.panicReason);
      return 'panic';
    }
    if (this.o.panicFlagFile !== undefined && existsSync(this.o.panicFlagFile)) {
      this.o.onPanic(`panic flag file ${this.o.panicFlagFile} exists`);
      return 'panic';
    }
    const critical = await this.checkLoad(state.criticalLoad);
    if (critical !== undefined) {
      // One high reading may be a blip: look again after the interval before aborting.
      if (this.o.criticalLoadIntervalMs > 0) await sleep(this.o.criticalLoadIntervalMs);
      const again = this.o.criticalLoadIntervalMs > 0 ? await this.checkLoad(state.criticalLoad) : critical;
      if (again !== undefined) {
        this.o.onPanic(`critical-load ${again}`);
        return `critical-load ${again}`;
      }
    }
    if (state.commandedThrottle) return 'commanded by user';
    for (const f of [this.o.throttleFlagFile, this.o.throttleAdditionalFlagFile]) {
      if (f !== undefined && existsSync(f)) return `flag-file ${f}`;
    }
    const replicas = state.throttleControlReplicas.length > 0 ? state.throttleControlReplicas : this.o.discoveredReplicas;
    const lag = await this.o.replicaLag.check(replicas, state.maxLagMillis);
    if (lag !== undefined) return lag;
    const load = await this.checkLoad(state.maxLoad);
    if (load !== undefined) return `max-load ${load}`;
    if (state.throttleQuery !== undefined && state.throttleQuery.trim() !== '') {
      const v = await queryValue(this.o.conn, state.throttleQuery);
      if (v !== undefined && v !== null && Number(v) !== 0) return `throttle-query returned ${String(v)}`;
    }
    if (this.o.throttleHttp !== undefined) {
      const status = await fetch(this.o.throttleHttp, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        (err: unknown) => `unreachable (${describeError(err)})`,
      );
      if (status !== 200) return `throttle-http ${this.o.throttleHttp} answered ${status}`;
    }
    return undefined;
  }

  private async checkLoad(spec: ReadonlyMap<string, number>): Promise<string | undefined> {
    if (spec.size === 0) return undefined;
    const s = globalStatus([...spec.keys()]);
    const rows = await queryRows(this.o.conn, s.sql, s.params);
    const values = new Map(rows.map((r) => [String(r['Variable_name']).toLowerCase(), Number(r['Value'])]));
    return loadExceeded(spec, values);
  }
}

/** A throttle reason without its figures: `lag=2.48s on replica h:3307` → `lag=#s on replica h:#`. */
function reasonKind(reason: string | undefined): string | undefined {
  return reason?.replace(/\d+(\.\d+)?/g, '#');
}
