import type { BackfillConfig } from '../backfill/config.js';
import type { BackfillState } from '../backfill/state.js';
import { formatLoadSpec } from '../throttle/load-spec.js';
import type { ControlTarget } from './commands.js';

/**
 * Commands of the migration's socket that mean nothing to a backfill: there is no binlog to follow,
 * no batch of binlog events, no cut-over. They are refused (the reply says why) rather than
 * accepted to no effect.
 */
const NOT_FOR_A_BACKFILL = new Map<string, string>([
  ['coordinates', 'a backfill reads no binlog'],
  ['dml-batch-size', 'a backfill applies no binlog events'],
  ['unpostpone', 'a backfill has no cut-over'],
  ['cut-over', 'a backfill has no cut-over'],
  ['postpone-cut-over-flag-file', 'a backfill has no cut-over'],
]);

/** A running backfill as the control socket sees it (the same commands as a migration's, src/control/commands.ts). */
export function backfillTarget(o: {
  state: BackfillState;
  config: BackfillConfig;
  statusLine: () => string;
  /** Stops the backfill between chunks. */
  onPanic: (reason: string) => void;
}): ControlTarget {
  const { state, config } = o;
  return {
    state,
    statusLine: o.statusLine,
    statusText: () =>
      [
        `# Backfilling ${config.database}.${config.table}; SET ${config.setText}; WHERE ${config.whereText}`,
        `# Chunk size: ${state.chunkSize}${state.chunkTimeMs > 0 ? ` (adapting toward ${state.chunkTimeMs} ms)` : ''}; max lag: ${state.maxLagMillis}ms; nice ratio: ${state.niceRatio}`,
        `# Max load: ${formatLoadSpec(state.maxLoad) || '(none)'}; critical load: ${formatLoadSpec(state.criticalLoad) || '(none)'}`,
        `# Throttle: ${state.throttleReason ?? 'not throttled'}${state.commandedThrottle ? ' (commanded)' : ''}; throttle query: ${state.throttleQuery ?? '(none)'}`,
        `# Control replicas: ${state.throttleControlReplicas.map((r) => `${r.host}:${r.port}`).join(',') || '(discovered)'}`,
        o.statusLine(),
      ].join('\n'),
    coordinates: () => 'N/A',
    policy: {
      allowAnyThrottleQuery: config.allowSocketThrottleQueryAny,
      allowAnyReplicas: config.allowSocketThrottleControlReplicasAny,
      acceptedReplicas: () => [...config.throttleControlReplicas, ...state.discoveredReplicas],
    },
    onCommand: (name) => {
      const why = NOT_FOR_A_BACKFILL.get(name);
      if (why !== undefined) throw new Error(`${why}`);
    },
    onPanic: o.onPanic,
  };
}
