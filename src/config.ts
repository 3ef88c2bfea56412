import type { Endpoint } from './db/dsn.js';
import type { DataLossKind } from './lint/finding.js';
import type { WindowConfig } from './schedule/window-options.js';
import type { WriteRateScope } from './throttle/write-rate.js';

/**
 * One migration's settings, parsed and validated once (src/cli/migration-options.ts), then never
 * changed. Settings an operator can change while it runs live in MigrationState.
 */
export interface MigrationConfig {
  /**
   * Where to connect (the primary, or a replica whose primary is then found), and with which TLS
   * settings (`connection.tls`, from --ssl…, files already read): every endpoint derived from it keeps them.
   */
  readonly connection: Endpoint;
  /** --assume-master-host: the primary to use when `connection` is a replica. */
  readonly assumeMasterHost: { readonly host: string; readonly port: number } | undefined;
  readonly database: string;
  readonly table: string;
  readonly alter: string;
  readonly execute: boolean;
  /** Rows in the first copy chunk; with chunkTimeMs 0 every chunk's size. */
  readonly chunkSize: number;
  /** Target time of one copy chunk: the size moves toward it from measured times; 0 = fixed size. */
  readonly chunkTimeMs: number;
  /** Copy workers over disjoint key ranges; undefined = decided for the server (src/copy/threads.ts). */
  readonly copyThreads: number | undefined;
  /** Try ALTER … ALGORITHM=INSTANT on the original first, and skip the copy when the server can. */
  readonly attemptInstantDdl: boolean;
  readonly dmlBatchSize: number;
  readonly heartbeatIntervalMs: number;
  readonly replicaServerId: number;
  readonly initiallyDropGhostTable: boolean;
  readonly initiallyDropOldTable: boolean;
  readonly okToDropTable: boolean;
  /**
   * --keep-reverse-sync: after the swap, record the cut-over's binlog position (`_T_ghr`) and keep
   * replaying the table's writes into the old table for this long, so `oschange revert` can swap it
   * back (src/revert/); undefined = off.
   */
  readonly keepReverseSyncMs?: number | undefined;
  /** Go on with an interrupted migration from its checkpoint. */
  readonly resume: boolean;
  /** Compare original and ghost before the cut-over (and repair differing chunks). */
  readonly checksum: boolean;
  readonly checksumChunkSize: number;
  readonly checkpointIntervalMs: number;
  /** After a lost connection, how long to keep trying to reconnect before giving up. */
  readonly reconnectTimeoutMs: number;
  readonly approveRenamedColumns: boolean;
  /** Kinds of value change the operator accepts (--allow-data-loss); none by default. */
  readonly allowDataLoss: ReadonlySet<DataLossKind>;
  /** Lint rules whose error-level findings the operator accepts for --execute (--allow); none by default. */
  readonly allowRules: ReadonlySet<string>;
  readonly cutOverLockTimeoutSeconds: number;
  readonly defaultRetries: number;
  readonly exactRowcount: boolean;
  /** While this file exists the migration keeps the ghost in sync and does not cut over. */
  readonly postponeCutOverFlagFile: string | undefined;
  /** How often the status line is printed at most; 0 picks gh-ost's cadence. */
  readonly statusIntervalMs: number;
  // --- throttling and operator control (initial values; the socket changes them at run time)
  readonly maxLagMillis: number;
  readonly throttleControlReplicas: readonly { readonly host: string; readonly port: number }[];
  readonly maxLoad: ReadonlyMap<string, number>;
  readonly criticalLoad: ReadonlyMap<string, number>;
  readonly criticalLoadIntervalMs: number;
  readonly throttleFlagFile: string | undefined;
  readonly throttleAdditionalFlagFile: string | undefined;
  readonly throttleQuery: string | undefined;
  readonly throttleHttp: string | undefined;
  readonly niceRatio: number;
  readonly panicFlagFile: string | undefined;
  /** Unix socket for operator commands; undefined picks /tmp/oschange.<db>.<table>.sock. */
  readonly serveSocketFile: string | undefined;
  readonly serveTcpPort: number | undefined;
  /** The token a TCP client must send first (`auth TOKEN`); required with serveTcpPort. */
  readonly serveTcpTokenFile: string | undefined;
  /** Socket users may set any throttle-query, not only a single read-only SELECT. */
  readonly allowSocketThrottleQueryAny: boolean;
  /** Socket users may name any host in throttle-control-replicas, not only known replicas. */
  readonly allowSocketThrottleControlReplicasAny: boolean;
  readonly hooksPath: string | undefined;
  readonly hooksStatusIntervalSeconds: number;
  // --- unattended runs (src/schedule/, src/queue/, src/metrics/)
  /** --window / --cut-over-window: when the copy may run and the cut-over happen; empty lists = any time. */
  readonly windows: WindowConfig;
  /** --max-write-rate: hold the copy while the application writes more rows per second; undefined = off. */
  readonly maxWriteRate: number | undefined;
  readonly writeRateScope: WriteRateScope;
  /** The moving window the write rate is measured over. */
  readonly writeRateWindowMs: number;
  /** --metrics-port: serve Prometheus metrics on this port; undefined = off. */
  readonly metricsPort: number | undefined;
  readonly metricsAddress: string;
  /** The schema of the history table (`migrations`); undefined = --no-history. */
  readonly historySchema: string | undefined;
  /** How progress is shown: a bar on a terminal (auto), always the bar, or the plain status line. */
  readonly progress: 'auto' | 'bar' | 'plain';
  /** --include-triggers: the table's triggers move to the new table inside the cut-over lock. */
  readonly includeTriggers: boolean;
  /** --alter-foreign-keys-method: how child tables' foreign keys follow the swap; undefined = refuse a table with children. */
  readonly alterForeignKeysMethod: ForeignKeysMethod | undefined;
  /** --discard-foreign-keys: the new table does not get the table's own foreign keys. */
  readonly discardForeignKeys: boolean;
  /** ANALYZE TABLE the ghost before the cut-over (gh-ost's --analyze-ghost-table-before-cutover). */
  readonly analyzeGhostTableBeforeCutOver: boolean;
  /** Lines about gh-ost flags given that do not apply to oschange (printed before the plan). */
  readonly notes: readonly string[];
  // --- cut-over under pressure, and statements (issue 14)
  /**
   * --force-kill-blockers-after N: after N cut-over attempts whose lock timed out, later attempts kill
   * the sessions holding a lock on the table (src/cutover/blockers.ts); undefined = never.
   */
  readonly forceKillBlockersAfter: number | undefined;
  /** --timestamp-old-table: the old table is `_T_<yyyymmddhhmmss>_del` (UTC, the migration's start). */
  readonly timestampOldTable: boolean;
  /** --statement as given (CREATE INDEX …), when the migration came from one; `alter` holds it as an ALTER TABLE. */
  readonly statement: string | undefined;
  /**
   * More tables of the same database, each with its ALTER (`--table a --alter … --table b --alter …`):
   * copied beside `table` and swapped with it in one atomic RENAME (docs/design.md, "Several tables in
   * one cut-over"). Empty or undefined: one table.
   */
  readonly alsoTables?: readonly TableChange[] | undefined;
}

/** A table and the change it gets. */
export interface TableChange {
  readonly table: string;
  readonly alter: string;
}

/**
 * pt-osc's names: `rebuild_constraints` re-points each child's key at the new table right after the
 * swap; `drop_swap` drops the old table inside the cut-over lock (children's keys name the table, so
 * they hold on the new one); `none` leaves them on the old table (docs/design.md, "Foreign keys").
 */
export type ForeignKeysMethod = 'rebuild_constraints' | 'drop_swap' | 'none';

export const DEFAULTS = {
  chunkSize: 1000,
  chunkTimeMillis: 100,
  dmlBatchSize: 4000,
  heartbeatIntervalMs: 100,
  replicaServerId: 99999,
  cutOverLockTimeoutSeconds: 3,
  defaultRetries: 60,
  port: 3306,
  maxLagMillis: 1500,
  hooksStatusIntervalSeconds: 60,
  checksumChunkSize: 1_000,
  checkpointIntervalSeconds: 2,
  reconnectTimeoutSeconds: 300,
  writeRateWindowSeconds: 10,
  metricsAddress: '127.0.0.1',
  historySchema: 'oschange',
} as const;
