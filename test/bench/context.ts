import type { Endpoint } from '../../src/db/dsn.js';
import type { BenchConfig } from './config.js';
import type { LoadResult } from './load.js';
import { LatencyRecorder } from './latency.js';
import type { LoadSummary } from './results.js';
import type { BenchServers } from './table.js';

/** What every part of a flavor's run is handed. */
export interface BenchContext {
  readonly config: BenchConfig;
  readonly servers: BenchServers;
  /** root on the primary (the load, pt-osc, the floor). */
  readonly admin: Endpoint;
  /** The least-privileged user oschange runs as (README, "Privileges"). */
  readonly app: Endpoint;
  readonly replica: { readonly host: string; readonly port: number };
  /** The sandbox's server processes, for the CPU profile of each tool's run. */
  readonly serverPids: { readonly primary: number; readonly replica: number };
  /** A private directory for sockets and flag files. */
  readonly tmpDir: string;
  readonly say: (message: string) => void;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The load's timings cut into "before the tool started" and "while it ran". */
export function summariseLoad(r: LoadResult, o: { targetEventsPerSecond: number; toolStartMs: number; toolEndMs: number; baselineSeconds: number }): LoadSummary {
  const seconds = Math.max(0.001, (r.endedAtMs - r.startedAtMs) / 1000);
  const rec = LatencyRecorder.fromColumns(r.latency);
  return {
    targetEventsPerSecond: o.targetEventsPerSecond,
    statementsPerSecond: r.statements / seconds,
    rowEventsPerSecond: r.rowEvents / seconds,
    errors: r.errors,
    deadlocks: r.deadlocks,
    lockWaitTimeouts: r.lockWaitTimeouts,
    transactions: r.transactions,
    firstErrors: r.firstErrors,
    before: rec.summary(o.toolStartMs - o.baselineSeconds * 1000, o.toolStartMs),
    during: rec.summary(o.toolStartMs, o.toolEndMs),
  };
}
