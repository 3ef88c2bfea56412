import type { Endpoint } from '../db/dsn.js';
import type { HostPort } from '../throttle/host-port.js';
import type { BackfillExpressions } from './expressions.js';

/**
 * One backfill's settings, parsed and validated once (src/cli/backfill-options.ts), then never
 * changed. What an operator may change while it runs (chunk size, lag, load, …) starts here and
 * lives in BackfillState.
 */
export interface BackfillConfig {
  readonly connection: Endpoint;
  readonly database: string;
  readonly table: string;
  /** --set and --where as given (trimmed): what the checkpoint records and --resume compares. */
  readonly setText: string;
  readonly whereText: string;
  /** The same, checked (src/backfill/expressions.ts). */
  readonly expressions: BackfillExpressions;
  readonly execute: boolean;
  readonly resume: boolean;
  /** Rows in the first chunk; with chunkTimeMs 0 every chunk's size. */
  readonly chunkSize: number;
  /** Target time of one chunk's transaction; the size moves toward it. 0 = fixed size. */
  readonly chunkTimeMs: number;
  /** The longest a chunk waits for one row lock before it is rolled back and retried. */
  readonly lockWaitSeconds: number;
  /** How long the dry run's and the start's row count may take before it is given up. */
  readonly countTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly statusIntervalMs: number;
  // --- throttling and operator control (initial values; the socket changes them at run time)
  readonly maxLagMillis: number;
  readonly throttleControlReplicas: readonly HostPort[];
  readonly maxLoad: ReadonlyMap<string, number>;
  readonly criticalLoad: ReadonlyMap<string, number>;
  readonly criticalLoadIntervalMs: number;
  readonly throttleFlagFile: string | undefined;
  readonly throttleAdditionalFlagFile: string | undefined;
  readonly throttleQuery: string | undefined;
  readonly throttleHttp: string | undefined;
  readonly niceRatio: number;
  readonly panicFlagFile: string | undefined;
  /** Unix socket for operator commands; undefined picks /tmp/oschange.<db>.<table>.backfill.sock. */
  readonly serveSocketFile: string | undefined;
  readonly allowSocketThrottleQueryAny: boolean;
  readonly allowSocketThrottleControlReplicasAny: boolean;
}

export const BACKFILL_DEFAULTS = {
  /**
   * Shorter than a migration's copy chunk (100 ms): an UPDATE chunk holds its rows' write locks until
   * it commits, and the application's writes to them wait that long. Measured by `make bench` (2 cores,
   * 1000 writes/s): write p99 3.4 → 71 ms at 100 ms, 3.9 → 36 ms at 25 ms, with no fewer rows/s.
   */
  chunkTimeMillis: 25,
  lockWaitSeconds: 2,
  countTimeoutSeconds: 10,
  retries: 60,
} as const;
