import type { BinlogPosition } from './binlog/types.js';
import type { KeyTuple } from './sql/key-range.js';

/** The phases of one migration, in order. Only the Migrator moves between them. */
export type Phase =
  | 'inspecting'
  | 'preparing'
  | 'copying'
  | 'waiting for cut-over'
  | 'verifying'
  | 'postponing cut-over'
  | 'cutting over'
  | 'cleaning up'
  /** After the swap, --keep-reverse-sync: the new table's writes go on into the old one (src/revert/). */
  | 'reverse sync'
  | 'done'
  | 'failed';

/**
 * The one mutable object the running parts share: progress counters for the status line, and the
 * settings an operator may change while the migration runs. Everything else is passed in.
 */
export class MigrationState {
  phase: Phase = 'inspecting';
  readonly startedAtMs: number;
  copyStartedAtMs: number | undefined;
  copyEndedAtMs: number | undefined;
  rowsEstimate = 0;
  rowsCopied = 0;
  chunksCopied = 0;
  eventsApplied = 0;
  backlog = 0;
  backlogCapacity = 0;
  streamerPosition: BinlogPosition | undefined;
  appliedPosition: BinlogPosition | undefined;
  /**
   * The newest position up to which every event has been applied and where a new stream may start
   * (a heartbeat's or marker's: a transaction boundary). Checkpoints save it.
   */
  safeAppliedPosition: BinlogPosition | undefined;
  /** The copy's key range (docs/design.md rule 3) and the last key of the last chunk written. */
  copyRange: { readonly min: KeyTuple; readonly max: KeyTuple } | undefined;
  copiedUpTo: KeyTuple | undefined;
  /** Rows an earlier, interrupted run had copied (a resume starts after them). */
  rowsCopiedBefore = 0;
  /** When the last checkpoint was saved (epoch ms). */
  checkpointedAtMs: number | undefined;
  /** How often the migration went on after a lost connection. */
  recoveries = 0;
  /** The checksum verification before the cut-over. */
  verifyStartedAtMs: number | undefined;
  verifyEndedAtMs: number | undefined;
  verifyChunks = 0;
  verifyRepairs = 0;
  /** Why the checksum could not run for this ALTER (it is then skipped, and the Done line says so). */
  verifySkipped: string | undefined;
  /** Writer's clock of the newest heartbeat the applier has seen. */
  lastHeartbeatSeenMs: number | undefined;
  /** Row events the applier applied per second, lately (undefined until it has run a second). */
  applyRate: number | undefined;
  cutOverAttempts = 0;
  lockMs: number | undefined;
  /**
   * The binlog position the cut-over took under its lock, once every event was applied: every write
   * to the table after the swap comes after it (src/revert/, docs/design.md "Revert").
   */
  cutOverPosition: BinlogPosition | undefined;
  /** Runtime-adjustable (socket commands change these; the next chunk/batch uses them). */
  chunkSize: number;
  /** Target time per copy chunk (the chunk size adapts toward it); 0 = the chunk size is fixed. */
  chunkTimeMs: number;
  dmlBatchSize: number;
  maxLagMillis = 1500;
  /** Status variable → threshold: at or above it, throttle (max-load) or abort (critical-load). */
  maxLoad: ReadonlyMap<string, number> = new Map();
  criticalLoad: ReadonlyMap<string, number> = new Map();
  /** Sleep this fraction of each chunk's time after it. */
  niceRatio = 0;
  throttleQuery: string | undefined;
  throttleControlReplicas: readonly { readonly host: string; readonly port: number }[] = [];
  /** Replicas the primary reported (SHOW REPLICAS) when the copy began: the socket may name these. */
  discoveredReplicas: readonly { readonly host: string; readonly port: number }[] = [];
  postponeCutOverFlagFile: string | undefined;
  /** The operator's `throttle` / `no-throttle`. */
  commandedThrottle = false;
  /** Why the copy is held back right now (set by the throttler), or undefined. */
  throttleReason: string | undefined;
  /** The operator's `unpostpone`: cut over even though the postpone flag file exists. */
  unpostponeRequested = false;
  /** The operator's `panic` (or the panic flag file): stop now, leave the original untouched. */
  panicReason: string | undefined;
  /** --max-write-rate's limit in rows/s (undefined = off), and the rate last measured. */
  maxWriteRate: number | undefined;
  writeRate: number | undefined;
  /** Why the checksum and the cut-over wait for their window (src/schedule/cut-over-gate.ts), or undefined. */
  cutOverWaitReason: string | undefined;
  /** The copy chunks' summed time (the copy's busy time, without throttling) and the last chunk's. */
  copyBusyMs = 0;
  lastChunkMs: number | undefined;

  constructor(o: { nowMs: number; chunkSize: number; chunkTimeMs?: number; dmlBatchSize: number }) {
    this.startedAtMs = o.nowMs;
    this.chunkSize = o.chunkSize;
    this.chunkTimeMs = o.chunkTimeMs ?? 0;
    this.dmlBatchSize = o.dmlBatchSize;
  }
}

/** The settings an operator gives at the start and may change through the socket (src/control/settings.ts). */
export interface OperatorSettings {
  readonly maxLagMillis: number;
  readonly maxLoad: ReadonlyMap<string, number>;
  readonly criticalLoad: ReadonlyMap<string, number>;
  readonly niceRatio: number;
  readonly throttleQuery: string | undefined;
  readonly throttleControlReplicas: readonly { readonly host: string; readonly port: number }[];
  readonly postponeCutOverFlagFile?: string | undefined;
  readonly maxWriteRate?: number | undefined;
}

/** A run's live settings start as the operator's. */
export function takeOperatorSettings(state: MigrationState, s: OperatorSettings): void {
  state.maxLagMillis = s.maxLagMillis;
  state.maxLoad = s.maxLoad;
  state.criticalLoad = s.criticalLoad;
  state.niceRatio = s.niceRatio;
  state.throttleQuery = s.throttleQuery;
  state.throttleControlReplicas = s.throttleControlReplicas;
  state.postponeCutOverFlagFile = s.postponeCutOverFlagFile;
  state.maxWriteRate = s.maxWriteRate;
}
