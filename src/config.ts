import type { Endpoint } from './db/dsn.js';

/**
 * One migration's settings, parsed and validated once (src/cli/migration-options.ts), then never
 * changed. Settings an operator can change while it runs live in MigrationState.
 */
export interface MigrationConfig {
  /** Where to connect (the primary, or a replica whose primary is then found). */
  readonly connection: Endpoint;
  /** --assume-master-host: the primary to use when `connection` is a replica. */
  readonly assumeMasterHost: { readonly host: string; readonly port: number } | undefined;
  readonly database: string;
  readonly table: string;
  readonly alter: string;
  readonly execute: boolean;
  readonly chunkSize: number;
  readonly dmlBatchSize: number;
  readonly heartbeatIntervalMs: number;
  readonly replicaServerId: number;
  readonly initiallyDropGhostTable: boolean;
  readonly initiallyDropOldTable: boolean;
  readonly okToDropTable: boolean;
  readonly approveRenamedColumns: boolean;
  readonly cutOverLockTimeoutSeconds: number;
  readonly defaultRetries: number;
  readonly exactRowcount: boolean;
  /** While this file exists the migration keeps the ghost in sync and does not cut over. */
  readonly postponeCutOverFlagFile: string | undefined;
  /** How often the status line is printed at most; 0 picks gh-ost's cadence. */
  readonly statusIntervalMs: number;
}

export const DEFAULTS = {
  chunkSize: 1000,
  dmlBatchSize: 100,
  heartbeatIntervalMs: 100,
  replicaServerId: 99999,
  cutOverLockTimeoutSeconds: 3,
  defaultRetries: 60,
  port: 3306,
} as const;
