import type { Connection } from '../db/connect.js';
import { describeError } from '../errors.js';
import { WindowSchedule } from '../schedule/window-schedule.js';
import { copyWindowReason } from '../schedule/window-text.js';
import { panicError } from '../throttle/panic-watch.js';
import { discoverReplicas, ReplicaLag } from '../throttle/replica-lag.js';
import { CHECK_TIMEOUT_MS, Throttler } from '../throttle/throttler.js';
import { openMysqlSession } from '../throttle/timed-session.js';
import { WriteRateWatch } from '../throttle/write-rate.js';
import type { AttemptContext } from './attempt.js';
/**
 * The attempt's throttler (src/throttle/): replica lag through the changelog's heartbeat, on the
 * replicas named or found; flag files, --throttle-http, load limits, the copy window, the write
 * rate. It runs until `signal` aborts; its replica sessions close then.
 */
export async function startMigrationThrottler(o: {
  ctx: AttemptContext;
  control: Connection;
  signal: AbortSignal;
  /** Waited for at teardown, failure or not. */
  background: (p: Promise<unknown>) => void;
  /** Waited for at teardown; its failure fails the attempt. */
  track: (p: Promise<unknown>) => void;
}): Promise<Throttler> {
  const { config, log, now, state, endpoint, version } = o.ctx;
  const replicaLag = new ReplicaLag({ credentials: { user: endpoint.user, password: endpoint.password, ...(endpoint.tls === undefined ? {} : { tls: endpoint.tls }) }, version, database: config.database, changelog: o.ctx.plan.names.changelog, now, timeoutMs: CHECK_TIMEOUT_MS });
  o.background(new Promise<void>((resolve) => o.signal.addEventListener('abort', () => resolve(), { once: true })).then(() => replicaLag.close()));
  // Listed even when --throttle-control-replicas names some: the socket may name these too.
  const discoveredReplicas = await discoverReplicas(o.control, version).catch((err: unknown) => {
    const named = config.throttleControlReplicas.length > 0;
    log.warn({ err: describeError(err) }, named ? 'could not list the replicas (the socket accepts only those of --throttle-control-replicas)' : 'could not list the replicas (throttling on replica lag is off): name them with --throttle-control-replicas');
    return [];
  });
  state.discoveredReplicas = discoveredReplicas;
  if (o.ctx.firstAttempt) {
    log.info({ replicas: (config.throttleControlReplicas.length > 0 ? config.throttleControlReplicas : discoveredReplicas).map((r) => `${r.host}:${r.port}`) }, 'replicas watched for lag');
  }
  // Windows (src/schedule/): outside the copy's the copy waits like any throttle; the checksum and the
  // cut-over start only inside the cut-over's, with time to finish.
  const copyWindow = config.windows.copy.length > 0 ? new WindowSchedule(config.windows.copy) : undefined;
  const throttler = new Throttler({
    state,
    // Its own sessions, with time limits: a hung check is dropped, not waited on (teardown too).
    openPrimary: () => openMysqlSession(endpoint, CHECK_TIMEOUT_MS),
    version,
    replicaLag,
    discoveredReplicas: config.throttleControlReplicas.length > 0 ? [] : discoveredReplicas,
    throttleFlagFile: config.throttleFlagFile,
    throttleAdditionalFlagFile: config.throttleAdditionalFlagFile,
    throttleHttp: config.throttleHttp,
    panicFlagFile: config.panicFlagFile,
    criticalLoadIntervalMs: config.criticalLoadIntervalMs,
    intervalMs: 100,
    log: log.child({ module: 'throttle' }),
    onPanic: (reason) => o.ctx.abortMigration(panicError(reason)),
    outsideWindow: copyWindow === undefined ? undefined : (nowMs) => copyWindowReason(copyWindow, nowMs),
    // Always there (cheap for the table's rate): the socket's max-write-rate= may switch it on.
    writeRate: new WriteRateWatch({ scope: config.writeRateScope, state, windowMs: config.writeRateWindowMs, heartbeatIntervalMs: config.heartbeatIntervalMs, tableName: `${config.database}.${config.table}` }),
    now,
  });
  o.track(throttler.run(o.signal));
  return throttler;
}
