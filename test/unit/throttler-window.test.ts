import { afterEach, describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../src/db/flavor.js';
import { silentLogger } from '../../src/log.js';
import { WindowSchedule } from '../../src/schedule/window-schedule.js';
import { copyWindowReason } from '../../src/schedule/window-text.js';
import { MigrationState } from '../../src/state.js';
import { ReplicaLag } from '../../src/throttle/replica-lag.js';
import { Throttler } from '../../src/throttle/throttler.js';
import type { SessionEdge } from '../../src/throttle/timed-session.js';
import { WriteRateWatch } from '../../src/throttle/write-rate.js';

const VERSION = parseServerVersion('9.7.0');
const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

/** A throttler with no replicas and a primary that answers every status read with nothing; the clock is `clock.now`. */
function throttler(o: { state: MigrationState; clock: { now: number }; window?: WindowSchedule; writeRate?: WriteRateWatch }) {
  const edge: SessionEdge = { query: async () => [], destroy: () => undefined };
  const replicaLag = new ReplicaLag({ credentials: { user: 'u', password: 'p' }, version: VERSION, database: 'app', changelog: '_t_ghc', now: Date.now, timeoutMs: 200, open: async () => edge });
  const t = new Throttler({
    state: o.state,
    openPrimary: async () => edge,
    version: VERSION,
    replicaLag,
    discoveredReplicas: [],
    throttleFlagFile: undefined,
    throttleAdditionalFlagFile: undefined,
    throttleHttp: undefined,
    panicFlagFile: undefined,
    criticalLoadIntervalMs: 0,
    intervalMs: 10,
    checkTimeoutMs: 200,
    log: silentLogger(),
    onPanic: () => undefined,
    outsideWindow: o.window === undefined ? undefined : (nowMs) => copyWindowReason(o.window as WindowSchedule, nowMs),
    writeRate: o.writeRate,
    now: () => o.clock.now,
  });
  const stop = new AbortController();
  stops.push(stop);
  void t.run(stop.signal).finally(() => replicaLag.close());
  return t;
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the throttler and the windows (an injected clock)', () => {
  it('holds the copy outside the window with the reason, and lets it go as the window opens', async () => {
    const state = new MigrationState({ nowMs: 0, chunkSize: 100, dmlBatchSize: 100 });
    const clock = { now: Date.parse('2026-11-30T20:48:00Z') };
    throttler({ state, clock, window: new WindowSchedule([{ cron: '0 1 * * 1-5', durationMs: 4 * 3_600_000, timeZone: 'Europe/Berlin' }]) });
    await until(() => state.throttleReason !== undefined);
    expect(state.throttleReason).toBe('outside window; next opens Tue 01:00 CET (in 3h12m)');
    clock.now = Date.parse('2026-12-01T00:00:00Z');
    await until(() => state.throttleReason === undefined);
    // A commanded throttle is said first: the operator sees that it took.
    state.commandedThrottle = true;
    clock.now = Date.parse('2026-12-01T05:00:00Z');
    await until(() => state.throttleReason === 'commanded by user');
    state.commandedThrottle = false;
    await until(() => state.throttleReason?.startsWith('outside window; next opens Wed 01:00 CET') === true);
  });

  it('--max-write-rate holds the copy while the table is written faster, inside a window too', async () => {
    const state = new MigrationState({ nowMs: 0, chunkSize: 100, dmlBatchSize: 100 });
    state.maxWriteRate = 100;
    const clock = { now: 0 };
    const writeRate = new WriteRateWatch({ scope: 'table', state, windowMs: 10_000, heartbeatIntervalMs: 100, tableName: 'app.users' });
    throttler({ state, clock, writeRate });
    await until(() => state.throttleReason === 'max-write-rate app.users: measuring');
    // 500 events a second for two seconds of the injected clock.
    clock.now = 2000;
    state.eventsApplied = 1000;
    await until(() => state.throttleReason === 'max-write-rate app.users 500/s > 100/s (last 10s)');
    expect(state.writeRate).toBe(500);
    // Then quiet for 20 s: the moving window forgets the burst.
    clock.now = 22_000;
    await until(() => state.throttleReason === undefined);
    expect(state.writeRate).toBe(0);
  });
});
