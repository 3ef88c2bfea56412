/** The shape of test/bench/results/<flavor>-<date>.json. */
import type { LatencySummary } from './latency.js';

/** [seconds since the tool's process started, rows copied] */
export type ProgressPoint = readonly [number, number];

export interface Skipped {
  readonly kind: 'skipped' | 'failed' | 'unavailable';
  readonly reason: string;
}

export interface LoadSummary {
  readonly targetEventsPerSecond: number;
  readonly statementsPerSecond: number;
  readonly rowEventsPerSecond: number;
  readonly errors: number;
  readonly deadlocks: number;
  readonly lockWaitTimeouts: number;
  readonly transactions: number;
  readonly firstErrors: readonly string[];
  readonly before: LatencySummary;
  readonly during: LatencySummary;
}

export interface ToolRun {
  readonly kind: 'ran';
  readonly tool: 'oschange' | 'pt-online-schema-change' | 'gh-ost';
  readonly exitCode: number | null;
  readonly copySeconds: number | undefined;
  readonly copySource: string | undefined;
  /** Process start to exit. */
  readonly wallSeconds: number;
  /** oschange's own "migrated in" (without starting node + tsx). */
  readonly reportedSeconds: number | undefined;
  readonly lockMs: number | undefined;
  /** oschange's checksum before the cut-over (from its Done line). */
  readonly checksumSeconds?: number | undefined;
  readonly peakRssMb: number | undefined;
  readonly throttledSeconds: number | undefined;
  readonly throttleReason: string | undefined;
  readonly progress: readonly ProgressPoint[];
  readonly load: LoadSummary | undefined;
  /** From the tool's exit until the replica had every write (absent in results from before it was measured). */
  readonly replicaCaughtUpSeconds?: number | undefined;
  /** Where the machine's CPU went while the tool ran (absent in results from before it was measured). */
  readonly cpu?: CpuProfile | undefined;
  /** How the tool was run, where it matters (flags a server needed, …). */
  readonly notes: readonly string[];
  readonly tail: readonly string[];
}

/**
 * CPU seconds (user + system) each process used while a tool ran, beside what the machine had:
 * `cores × wallSeconds`. The rest is idle time, or other work on the machine.
 */
export interface CpuProfile {
  readonly wallSeconds: number;
  readonly cores: number;
  readonly primary: number | undefined;
  readonly replica: number | undefined;
  /** The load generator's process (undefined on a quiet run). */
  readonly load: number | undefined;
  readonly tool: number | undefined;
}

export interface LadderStep {
  readonly targetEventsPerSecond: number;
  readonly rowsPerStatement: number;
  readonly achievedEventsPerSecond: number;
  readonly appliedEventsPerSecond: number;
  readonly windowSeconds: number;
  readonly maxBacklog: number;
  readonly backlogCapacity: number;
  readonly maxLagSecondsLateHalf: number | undefined;
  readonly endLagSeconds: number | undefined;
  readonly phaseAtEnd: string | undefined;
  readonly bounded: boolean;
  /** The load generator reached ≥ 90% of the target rate (otherwise the step proves nothing). */
  readonly loadReachedTarget: boolean;
  readonly note: string | undefined;
}

export interface LadderResult {
  readonly kind: 'ran';
  readonly steps: readonly LadderStep[];
  /** Highest target rate of an unbroken run of bounded steps from the lowest; undefined if none. */
  readonly highestBoundedEventsPerSecond: number | undefined;
}

export interface CutoverResult {
  readonly kind: 'ran';
  readonly rows: number;
  readonly loadEventsPerSecond: number;
  readonly lockMs: readonly number[];
  readonly failures: number;
  readonly p50Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly load: LoadSummary | undefined;
  readonly firstFailure: readonly string[] | undefined;
}

export interface FlavorResults {
  readonly flavor: string;
  readonly server: string;
  readonly date: string;
  readonly startedAt: string;
  readonly benchSeconds: number;
  /** Load averages (1, 5, 15 min): the machine's 2 cores may be shared with other work. */
  readonly machine: { readonly cpus: number; readonly node: string; readonly loadAverageAtStart: readonly number[]; readonly loadAverageAtEnd: readonly number[] };
  readonly oschange: { readonly commit: string; readonly uncommittedFiles: number; readonly source: string };
  readonly settings: {
    readonly rows: number;
    readonly alter: string;
    readonly loadEventsPerSecond: number;
    readonly baselineSeconds: number;
    readonly bufferPoolBytes: number;
    /** BENCH_OSCHANGE_ARGS (absent in results from before it existed). */
    readonly oschangeArgs?: readonly string[];
  };
  readonly floor: { readonly kind: 'ran'; readonly seconds: number; readonly createAndAlterSeconds: number; readonly insertSelectSeconds: number; readonly withReplicaSeconds?: number } | Skipped;
  readonly oschangeQuiet: ToolRun | Skipped;
  readonly oschangeLoad: ToolRun | Skipped;
  readonly ptOscLoad: (ToolRun & { readonly version: string | undefined }) | Skipped;
  readonly ladder: LadderResult | Skipped;
  readonly cutover: CutoverResult | Skipped;
  /** Absent in results from before these parts existed. */
  readonly ghostLoad?: ToolRun | Skipped;
  readonly big?: BigTableRun | Skipped;
  readonly largeRows?: LargeRowsRun | Skipped;
  readonly backfill?: BackfillRun | Skipped;
}

/** `oschange backfill` of the million-row table under the steady load (test/bench/backfill.ts). */
export interface BackfillRun {
  readonly kind: 'ran';
  readonly rows: number;
  readonly set: string;
  readonly where: string;
  /** BENCH_BACKFILL_ARGS. */
  readonly args: readonly string[];
  readonly exitCode: number | null;
  /** Process start to exit. */
  readonly wallSeconds: number;
  /** Its own "backfilled in" time (without starting node). */
  readonly reportedSeconds: number | undefined;
  readonly rowsChanged: number | undefined;
  /** Rows changed per second of its own time. */
  readonly rowsPerSecond: number | undefined;
  readonly throttledSeconds: number | undefined;
  /** Rows still matching --where at the end (inserted by the load after the last chunk). */
  readonly rowsLeft: number;
  readonly peakRssMb: number | undefined;
  readonly load: LoadSummary;
  readonly tail: readonly string[];
}

/** The quiet migration of a ten-times larger table. */
export interface BigTableRun {
  readonly kind: 'ran';
  readonly rows: number;
  readonly seedSeconds: number;
  /** The floor (CREATE … LIKE + ALTER + INSERT … SELECT) of this table (absent in results from before it was measured). */
  readonly floorSeconds?: number | undefined;
  readonly exitCode: number | null;
  readonly copySeconds: number | undefined;
  readonly wallSeconds: number;
  readonly checksumSeconds: number | undefined;
  readonly peakRssMb: number | undefined;
  readonly tail: readonly string[];
}

/** A table of large rows migrated under a load of large-row updates. */
export interface LargeRowsRun {
  readonly kind: 'ran';
  readonly rows: number;
  readonly bytesPerRow: number;
  readonly updatesPerSecond: number;
  readonly updates: number;
  readonly loadErrors: number;
  readonly exitCode: number | null;
  readonly wallSeconds: number;
  readonly copySeconds: number | undefined;
  readonly eventsApplied: number | undefined;
  readonly peakRssMb: number | undefined;
  readonly tail: readonly string[];
}

export function isRan<T extends { kind: string }>(v: T | Skipped): v is T {
  return v.kind === 'ran';
}
