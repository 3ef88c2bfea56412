import { formatPosition } from '../binlog/types.js';
import type { MigrationConfig } from '../config.js';
import type { MigrationState } from '../state.js';
import { statusLine } from '../status/format.js';
import { formatLoadSpec } from '../throttle/load-spec.js';
import type { ControlTarget } from './commands.js';
import { describeWindows } from '../schedule/window-text.js';

/** The running migration as the control socket sees it. */
export function migrationTarget(o: {
  state: MigrationState;
  config: MigrationConfig;
  now: () => number;
  /** The interactive-command hook: a rejection refuses the command. */
  onCommand: (name: string) => Promise<void>;
  /** Stops the migration at once. */
  onPanic: (reason: string) => void;
}): ControlTarget {
  const { state, config } = o;
  return {
    state,
    statusLine: () => statusLine(state, o.now()),
    statusText: () =>
      [
        `# Migrating ${config.database}.${config.table}; ALTER: ${config.alter}`,
        `# Chunk size: ${state.chunkSize}; DML batch size: ${state.dmlBatchSize}; max lag: ${state.maxLagMillis}ms; nice ratio: ${state.niceRatio}`,
        `# Max load: ${formatLoadSpec(state.maxLoad) || '(none)'}; critical load: ${formatLoadSpec(state.criticalLoad) || '(none)'}`,
        `# Throttle: ${state.throttleReason ?? 'not throttled'}${state.commandedThrottle ? ' (commanded)' : ''}; throttle query: ${state.throttleQuery ?? '(none)'}`,
        `# Control replicas: ${state.throttleControlReplicas.map((r) => `${r.host}:${r.port}`).join(',') || '(discovered)'}`,
        `# Postpone cut-over flag file: ${state.postponeCutOverFlagFile ?? '(none)'}${state.unpostponeRequested ? ' (unpostponed)' : ''}`,
        `# Windows: ${describeWindows(config.windows)}; max write rate: ${state.maxWriteRate === undefined ? '(none)' : `${state.maxWriteRate}/s (${config.writeRateScope})${state.writeRate === undefined ? '' : `, now ${state.writeRate}/s`}`}`,
        statusLine(state, o.now()),
      ].join('\n'),
    coordinates: () =>
      `${state.streamerPosition === undefined ? 'N/A' : formatPosition(state.streamerPosition)} (applied: ${state.appliedPosition === undefined ? 'N/A' : formatPosition(state.appliedPosition)})`,
    policy: {
      allowAnyThrottleQuery: config.allowSocketThrottleQueryAny,
      allowAnyReplicas: config.allowSocketThrottleControlReplicasAny,
      acceptedReplicas: () => [...config.throttleControlReplicas, ...state.discoveredReplicas],
    },
    onCommand: o.onCommand,
    onPanic: o.onPanic,
  };
}
