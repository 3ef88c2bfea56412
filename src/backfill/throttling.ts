import { startHeartbeat } from '../changelog/heartbeat.js';
import { connect } from '../db/connect.js';
import { describeError, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { discoverReplicas, ReplicaLag } from '../throttle/replica-lag.js';
import { CHECK_TIMEOUT_MS, Throttler } from '../throttle/throttler.js';
import { openMysqlSession } from '../throttle/timed-session.js';
import type { BackfillConfig } from './config.js';
import type { BackfillPlan } from './plan.js';
import type { Primary } from '../db/primary.js';
import type { BackfillState } from './state.js';

/** The heartbeat (replica lag is read from it) and the throttler, running until `signal` aborts. */
export async function startThrottling(o: {
  primary: Primary;
  config: BackfillConfig;
  plan: BackfillPlan;
  state: BackfillState;
  log: Logger;
  now: () => number;
  signal: AbortSignal;
  fail: (err: Error) => void;
  onPanic: (reason: string) => void;
  /** Hands each background task to the teardown. */
  track: (task: Promise<unknown>) => void;
}): Promise<Throttler> {
  const { primary, config, plan, state, log, now, signal } = o;
  const endpoint = primary.endpoint;
  const heartbeatConn = await connect(endpoint);
  o.track(startHeartbeat({ conn: heartbeatConn, database: config.database, changelog: plan.names.changelog, intervalMs: config.heartbeatIntervalMs, now, log: log.child({ module: 'heartbeat' }), signal })
    .catch((err: unknown) => o.fail(new OschangeError('HEARTBEAT_LOST', `the heartbeat's connection was lost: ${describeError(err)}`, { cause: err })))
    .finally(() => heartbeatConn.end().catch(() => undefined)));
  const replicaLag = new ReplicaLag({
    credentials: { user: endpoint.user, password: endpoint.password, ...(endpoint.tls === undefined ? {} : { tls: endpoint.tls }) },
    version: primary.version,
    database: config.database,
    changelog: plan.names.changelog,
    now,
    timeoutMs: CHECK_TIMEOUT_MS,
  });
  signal.addEventListener('abort', () => replicaLag.close(), { once: true });
  // Listed even when --throttle-control-replicas names some: the socket may name these too.
  const discovered = await discoverReplicas(primary.conn, primary.version).catch((err: unknown) => {
    log.warn({ err: describeError(err) }, config.throttleControlReplicas.length > 0 ? 'could not list the replicas (the socket accepts only those of --throttle-control-replicas)' : 'could not list the replicas (throttling on replica lag is off): name them with --throttle-control-replicas');
    return [];
  });
  state.discoveredReplicas = discovered;
  log.info({ replicas: (config.throttleControlReplicas.length > 0 ? config.throttleControlReplicas : discovered).map((r) => `${r.host}:${r.port}`) }, 'replicas watched for lag');
  const throttler = new Throttler({
    state,
    openPrimary: () => openMysqlSession(endpoint, CHECK_TIMEOUT_MS),
    version: primary.version,
    replicaLag,
    discoveredReplicas: config.throttleControlReplicas.length > 0 ? [] : discovered,
    throttleFlagFile: config.throttleFlagFile,
    throttleAdditionalFlagFile: config.throttleAdditionalFlagFile,
    throttleHttp: config.throttleHttp,
    panicFlagFile: config.panicFlagFile,
    criticalLoadIntervalMs: config.criticalLoadIntervalMs,
    intervalMs: 100,
    log: log.child({ module: 'throttle' }),
    onPanic: o.onPanic,
  });
  o.track(throttler.run(signal));
  return throttler;
}
