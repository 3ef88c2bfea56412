import { describe, expect, it } from 'vitest';
import { MigrationState } from '../../src/state.js';
import { MovingRate, parseWriteRate, WriteRateWatch } from '../../src/throttle/write-rate.js';
import { replyTo } from '../../src/control/commands.js';
import type { ControlTarget } from '../../src/control/commands.js';

describe('--max-write-rate', () => {
  it('reads N/s or N', () => {
    expect(parseWriteRate('500/s')).toBe(500);
    expect(parseWriteRate(' 500 ')).toBe(500);
    expect(parseWriteRate('0/s')).toEqual({ problem: ': it must be at least 1/s' });
    expect(parseWriteRate('fast')).toEqual({ problem: ': "fast" is not a whole number of rows per second' });
  });

  it('a moving rate over its window, unknown until a second of samples, started over when the counter goes back', () => {
    const r = new MovingRate(10_000);
    r.sample(0, 0);
    expect(r.perSecond()).toBeUndefined();
    r.sample(1000, 500);
    expect(r.perSecond()).toBe(500);
    for (let t = 2000; t <= 20_000; t += 1000) r.sample(t, 500 + (t - 1000) / 10);
    // The last 10 s only: 100 rows/s, not the burst at the start.
    expect(r.perSecond()).toBeCloseTo(100, 5);
    r.sample(21_000, 5);
    expect(r.perSecond()).toBeUndefined();
  });

  it('the table\'s writes come from the binlog events applied', async () => {
    const state = new MigrationState({ nowMs: 0, chunkSize: 100, dmlBatchSize: 100 });
    const w = new WriteRateWatch({ scope: 'table', state, windowMs: 10_000, heartbeatIntervalMs: 100, tableName: 'app.users' });
    const none = async (): Promise<ReadonlyMap<string, number>> => new Map();
    await w.sample(0, none);
    expect(w.reason(1000)).toBe('max-write-rate app.users: measuring');
    state.eventsApplied = 1500;
    state.backlog = 600;
    await w.sample(1000, none);
    expect(w.perSecond()).toBe(1500);
    expect(w.reason(1000)).toBe('max-write-rate app.users 1500/s > 1000/s (last 10s)');
    expect(w.reason(5000)).toBeUndefined();
  });

  it('the server\'s: InnoDB\'s rows written less oschange\'s own copy, replay and heartbeat', async () => {
    const state = new MigrationState({ nowMs: 0, chunkSize: 100, dmlBatchSize: 100 });
    const w = new WriteRateWatch({ scope: 'server', state, windowMs: 10_000, heartbeatIntervalMs: 100, tableName: 'app.users' });
    let innodb = 0;
    const read = async (names: readonly string[]): Promise<ReadonlyMap<string, number>> => {
      expect(names).toEqual(['Innodb_rows_inserted', 'Innodb_rows_updated', 'Innodb_rows_deleted']);
      return new Map([['innodb_rows_inserted', innodb], ['innodb_rows_updated', 0], ['innodb_rows_deleted', 0]]);
    };
    await w.sample(0, read);
    // In 2 s: 10000 rows written, 6000 of them copied by oschange, 1000 replayed, 20 heartbeats.
    innodb = 10_000;
    state.rowsCopied = 6000;
    state.eventsApplied = 1000;
    await w.sample(2000, read);
    expect(w.perSecond()).toBe(1490);
    expect(w.reason(1000)).toBe('max-write-rate server 1490/s > 1000/s (last 10s)');
  });

  it('the socket reads and changes it with the flag\'s parser', async () => {
    const state = new MigrationState({ nowMs: 0, chunkSize: 100, dmlBatchSize: 100 });
    const target: ControlTarget = { state, statusText: () => '', statusLine: () => '', coordinates: () => '', policy: { allowAnyThrottleQuery: false, allowAnyReplicas: false, acceptedReplicas: () => [] } };
    expect(await replyTo('max-write-rate=?', target)).toBe('');
    expect(await replyTo('max-write-rate=500/s', target)).toBe('max-write-rate: (none) → 500/s');
    expect(state.maxWriteRate).toBe(500);
    expect(await replyTo('max-write-rate=lots', target)).toBe('ERROR: max-write-rate must be rows per second, e.g. 500/s (or 500), or empty to clear (got lots: "lots" is not a whole number of rows per second)');
    expect(await replyTo('max-write-rate=', target)).toBe('max-write-rate: 500/s → (none)');
    expect(state.maxWriteRate).toBeUndefined();
  });
});
