import { formatHostPort, sameHostPort, type HostPort } from '../throttle/host-port.js';
import { readOnlySelectProblem } from '../throttle/read-only-select.js';
import type { SettingChange } from './settings.js';

/**
 * What a socket user may set beyond the syntax. Two settings reach further than the migration:
 * `throttle-query=` runs its text on the primary, and `throttle-control-replicas=` makes oschange
 * log in to those hosts with the migration's password — so a socket user may not send arbitrary
 * SQL, nor point oschange at a host of their choosing, unless the operator allowed it.
 */
export interface SocketPolicy {
  /** --allow-socket-throttle-query-any */
  readonly allowAnyThrottleQuery: boolean;
  /** --allow-socket-throttle-control-replicas-any */
  readonly allowAnyReplicas: boolean;
  /** Replicas the socket may name: those the primary reports and those given on the command line. */
  acceptedReplicas(): readonly HostPort[];
}

/** Why the socket may not make this change (the `ERROR: ` reply without its prefix), or undefined. */
export function socketRefusal(change: SettingChange, policy: SocketPolicy): string | undefined {
  switch (change.setting) {
    case 'throttle-query': {
      if (change.value === undefined || policy.allowAnyThrottleQuery) return undefined;
      const problem = readOnlySelectProblem(change.value);
      if (problem === undefined) return undefined;
      return `throttle-query refused: ${problem}; the socket accepts only a single read-only SELECT (give other queries with --throttle-query, or start oschange with --allow-socket-throttle-query-any)`;
    }
    case 'throttle-control-replicas': {
      if (policy.allowAnyReplicas) return undefined;
      const accepted = policy.acceptedReplicas();
      const unknown = change.value.filter((r) => !accepted.some((a) => sameHostPort(a, r)));
      if (unknown.length === 0) return undefined;
      return (
        `throttle-control-replicas refused: ${unknown.map(formatHostPort).join(',')} ${unknown.length === 1 ? 'is not a replica' : 'are not replicas'} ` +
        `this migration knows; accepted: ${accepted.map(formatHostPort).join(',') || 'none'} (the primary's replicas and those given with --throttle-control-replicas; ` +
        `--allow-socket-throttle-control-replicas-any accepts any)`
      );
    }
    default:
      return undefined;
  }
}
