import type { MigrationConfig } from '../config.js';
import { DATA_LOSS_KINDS } from '../lint/finding.js';

/**
 * The settings the engine (src/migration/attempt.ts) runs a revert or a reverse sync with: the
 * operator's throttling, socket, hooks and cut-over settings, no windows, and the write guard
 * accepting changed values only with --allow-inexact-revert.
 */
export function reverseConfig(config: MigrationConfig, o: { readonly checksum: boolean; readonly allowInexact: boolean; readonly postpone: boolean }): MigrationConfig {
  return {
    ...config,
    checksum: o.checksum,
    allowDataLoss: o.allowInexact ? new Set(DATA_LOSS_KINDS) : new Set(),
    windows: { copy: [], cutOver: [] },
    postponeCutOverFlagFile: o.postpone ? config.postponeCutOverFlagFile : undefined,
    okToDropTable: false,
    resume: false,
    analyzeGhostTableBeforeCutOver: false,
    keepReverseSyncMs: undefined,
  };
}
