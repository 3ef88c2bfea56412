import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../src/db/flavor.js';
import { silentLogger } from '../../src/log.js';
import type { Statement } from '../../src/sql/quote.js';
import { MigrationState } from '../../src/state.js';
import type { HostPort } from '../../src/throttle/host-port.js';
import { ReplicaLag } from '../../src/throttle/replica-lag.js';
import { Throttler } from '../../src/throttle/throttler.js';
import { TimeLimitError, withTimeLimit } from '../../src/throttle/time-limit.js';
import { TimedSession, type SessionEdge } from '../../src/throttle/timed-session.js';

// The throttler's logic against sessions that answer, fail or hang at will; the integration tests
// (replica-lag, throttle) prove the same against real servers. Limits are short, waits are long.
const LIMIT_MS = 200;
const PATIENCE_MS = 5000;
const VERSION = parseServerVersion('9.7.0');

type Answer = (s: Statement) => Promise<Record<string, unknown>[]> | 'hang';

/** A session whose statements get `answer`'s rows; a hanging one fails only once destroyed, as mysql2's does. */
class FakeEdge implements SessionEdge {
  destroyed = false;
  readonly seen: string[] = [];
  private readonly pending: ((e: Error) => void)[] = [];
  constructor(private readonly answer: Answer) {}
  query(s: Statement): Promise<Record<string, unknown>[]> {
    this.seen.push(s.sql);
    if (this.destroyed) return Promise.reject(new Error('Can\'t add new command when connection is in closed state'));
    const a = this.answer(s);
    if (a !== 'hang') return a;
    return new Promise((_resolve, reject) => this.pending.push(reject));
  }
  destroy(): void {
    this.destroyed = true;
    for (const reject of this.pending.splice(0)) reject(new Error('Connection lost: The server closed the connection.'));
  }
}

/** A replica that answers like a healthy one, lag 0, unless `hang` says so. */
function replicaAnswer(o: { hang: () => boolean; sqlRunning?: string }): Answer {
  return (s) => {
    if (s.sql.startsWith('SET SESSION')) return Promise.resolve([]);
    if (s.sql.startsWith('SHOW REPLICA STATUS')) return Promise.resolve([{ Replica_IO_Running: 'Yes', Replica_SQL_Running: o.sqlRunning ?? 'Yes' }]);
    if (o.hang()) return 'hang';
    return Promise.resolve([{ value: String(Date.now()) }]);
  };
}

function primaryAnswer(status: () => Record<string, unknown>[] | 'hang'): Answer {
  return (s) => {
    if (!s.sql.startsWith('SHOW GLOBAL STATUS')) return Promise.resolve([]);
    const rows = status();
    return rows === 'hang' ? 'hang' : Promise.resolve(rows);
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

function startThrottler(o: { replicas: readonly HostPort[]; replica: Answer; primary: Answer; state?: MigrationState; panicFlagFile?: string; throttleHttp?: string }) {
  const state = o.state ?? new MigrationState({ nowMs: Date.now(), chunkSize: 1000, dmlBatchSize: 100 });
  const edges: FakeEdge[] = [];
  const open = (a: Answer) => async (): Promise<SessionEdge> => {
    const e = new FakeEdge(a);
    edges.push(e);
    return e;
  };
  const replicaLag = new ReplicaLag({ credentials: { user: 'u', password: 'p' }, version: VERSION, database: 'app', changelog: '_t_ghc', now: Date.now, timeoutMs: LIMIT_MS, open: () => open(o.replica)() });
  const panics: string[] = [];
  const throttler = new Throttler({
    state,
    openPrimary: open(o.primary),
    version: VERSION,
    replicaLag,
    discoveredReplicas: o.replicas,
    throttleFlagFile: undefined,
    throttleAdditionalFlagFile: undefined,
    throttleHttp: o.throttleHttp,
    panicFlagFile: o.panicFlagFile,
    criticalLoadIntervalMs: 0,
    intervalMs: 20,
    checkTimeoutMs: LIMIT_MS,
    log: silentLogger(),
    onPanic: (reason) => panics.push(reason),
  });
  const stop = new AbortController();
  stops.push(stop);
  const running = throttler.run(stop.signal).finally(() => replicaLag.close());
  return { state, panics, edges, stop, running };
}

describe('withTimeLimit', () => {
  it('passes a result through, and names what did not answer in time', async () => {
    expect(await withTimeLimit(Promise.resolve(7), { ms: LIMIT_MS, what: 'x' })).toBe(7);
    let dropped = false;
    const hung = withTimeLimit(new Promise(() => undefined), { ms: LIMIT_MS, what: 'replica 10.0.0.2:3306', onTimeout: () => (dropped = true) });
    await expect(hung).rejects.toThrow(new TimeLimitError('replica 10.0.0.2:3306', LIMIT_MS));
    await expect(hung).rejects.toThrow('replica 10.0.0.2:3306 did not answer within 0.2s');
    expect(dropped).toBe(true);
  });
  it('gives up at once when its signal aborts', async () => {
    const stop = new AbortController();
    const hung = withTimeLimit(new Promise(() => undefined), { ms: 60_000, what: 'x', signal: stop.signal });
    stop.abort(new Error('attempt ended'));
    await expect(hung).rejects.toThrow('attempt ended');
  });
});

describe('TimedSession', () => {
  it('sets a session up once, drops it when a use times out, and opens a fresh one next time', async () => {
    let hang = true;
    const edges: FakeEdge[] = [];
    const session = new TimedSession({
      open: async () => {
        const e = new FakeEdge((s) => (hang && s.sql === 'SELECT 2' ? 'hang' : Promise.resolve([{ v: s.sql }])));
        edges.push(e);
        return e;
      },
      setup: [{ sql: 'SET SESSION lock_wait_timeout = ?', params: [5] }],
      timeoutMs: LIMIT_MS,
      what: 'check',
    });
    expect(await session.use((q) => q({ sql: 'SELECT 1', params: [] }))).toEqual([{ v: 'SELECT 1' }]);
    await expect(session.use((q) => q({ sql: 'SELECT 2', params: [] }))).rejects.toBeInstanceOf(TimeLimitError);
    expect(edges.map((e) => e.destroyed)).toEqual([true]);
    hang = false;
    expect(await session.use((q) => q({ sql: 'SELECT 2', params: [] }))).toEqual([{ v: 'SELECT 2' }]);
    expect(edges.map((e) => e.seen)).toEqual([
      ['SET SESSION lock_wait_timeout = ?', 'SELECT 1', 'SELECT 2'],
      ['SET SESSION lock_wait_timeout = ?', 'SELECT 2'],
    ]);
    session.close();
    await new Promise((r) => setImmediate(r));
    expect(edges[1]?.destroyed).toBe(true);
  });
  it('tries to open again after a failed open', async () => {
    let opens = 0;
    const session = new TimedSession({
      open: async () => {
        opens++;
        if (opens === 1) throw new Error('connect ECONNREFUSED');
        return new FakeEdge(() => Promise.resolve([{ ok: 1 }]));
      },
      setup: [],
      timeoutMs: LIMIT_MS,
      what: 'check',
    });
    await expect(session.use((q) => q({ sql: 'SELECT 1', params: [] }))).rejects.toThrow('connect ECONNREFUSED');
    expect(await session.use((q) => q({ sql: 'SELECT 1', params: [] }))).toEqual([{ ok: 1 }]);
  });
});

describe('ReplicaLag', () => {
  it('counts a replica whose read hangs as lagging, naming it, while the others are read alongside', async () => {
    const open = async (r: HostPort): Promise<SessionEdge> => new FakeEdge(replicaAnswer({ hang: () => r.host === 'stuck' }));
    const lag = new ReplicaLag({ credentials: { user: 'u', password: 'p' }, version: VERSION, database: 'app', changelog: '_t_ghc', now: Date.now, timeoutMs: LIMIT_MS, open });
    try {
      expect(await lag.check([{ host: 'fine', port: 3306 }], 1500)).toBeUndefined();
      expect(await lag.check([{ host: 'fine', port: 3306 }, { host: 'stuck', port: 3307 }], 1500)).toBe('replica stuck:3307 did not answer the lag check within 0.2s (counted as lagging)');
    } finally {
      lag.close();
    }
  });
  it('says so when replication is stopped', async () => {
    const open = async (): Promise<SessionEdge> => new FakeEdge(replicaAnswer({ hang: () => false, sqlRunning: 'No' }));
    const lag = new ReplicaLag({ credentials: { user: 'u', password: 'p' }, version: VERSION, database: 'app', changelog: '_t_ghc', now: Date.now, timeoutMs: LIMIT_MS, open });
    try {
      expect(await lag.check([{ host: 'r', port: 3306 }], 1500)).toMatch(/^lag=\d+\.\d\ds on replica r:3306: replication stopped \(IO thread Yes, SQL thread No\)$/);
    } finally {
      lag.close();
    }
  });
});

describe('Throttler', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('fails closed on a hung replica read, and acts on panic while that read still hangs', async () => {
    const t = startThrottler({ replicas: [{ host: 'stuck', port: 3307 }], replica: replicaAnswer({ hang: () => true }), primary: primaryAnswer(() => []) });
    await waitFor(() => t.state.throttleReason !== undefined, 'the throttle reason');
    expect(t.state.throttleReason).toBe('replica stuck:3307 did not answer the lag check within 0.2s (counted as lagging)');
    t.state.panicReason = 'panic command';
    await waitFor(() => t.panics.length > 0, 'the panic');
    expect(t.panics).toEqual(['panic command']);
    t.stop.abort();
    await t.running;
    // Every session it opened is gone: nothing waits on the hung read.
    expect(t.edges.every((e) => e.destroyed)).toBe(true);
  });

  it('stops on the panic flag file, recording it as the reason, while a check hangs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'oschange-throttler-'));
    const flag = join(dir, 'panic.flag');
    const t = startThrottler({ replicas: [{ host: 'stuck', port: 3307 }], replica: replicaAnswer({ hang: () => true }), primary: primaryAnswer(() => []), panicFlagFile: flag });
    await waitFor(() => t.state.throttleReason !== undefined, 'the throttle reason');
    writeFileSync(flag, '');
    await waitFor(() => t.panics.length > 0, 'the panic');
    expect(t.panics).toEqual([`panic flag file ${flag} exists`]);
    expect(t.state.panicReason).toBe(`panic flag file ${flag} exists`);
  });

  it('aborts on critical load while the replica read hangs, and fails closed when that check hangs', async () => {
    const state = new MigrationState({ nowMs: Date.now(), chunkSize: 1000, dmlBatchSize: 100 });
    state.criticalLoad = new Map([['Threads_running', 5]]);
    let status: Record<string, unknown>[] | 'hang' = 'hang';
    const t = startThrottler({ state, replicas: [], replica: replicaAnswer({ hang: () => true }), primary: primaryAnswer(() => status) });
    await waitFor(() => t.state.throttleReason === 'critical-load check did not answer within 0.2s', `the critical-load check's reason (now ${String(t.state.throttleReason)})`);
    expect(t.panics).toEqual([]);
    status = [{ Variable_name: 'Threads_running', Value: '3' }];
    await waitFor(() => t.state.throttleReason === undefined, 'the throttle to lift');
    const u = startThrottler({ state: withCritical(), replicas: [{ host: 'stuck', port: 3307 }], replica: replicaAnswer({ hang: () => true }), primary: primaryAnswer(() => [{ Variable_name: 'Threads_running', Value: '9' }]) });
    await waitFor(() => u.panics.length > 0, 'the critical-load panic');
    expect(u.panics).toEqual(['critical-load Threads_running=9 >= 5']);
  });

  it('holds the copy on max-load and on a throttle query, naming a check that does not answer', async () => {
    const state = new MigrationState({ nowMs: Date.now(), chunkSize: 1000, dmlBatchSize: 100 });
    state.maxLoad = new Map([['Threads_connected', 100]]);
    let status: Record<string, unknown>[] | 'hang' = [{ Variable_name: 'Threads_connected', Value: '150' }];
    let queryValue: unknown = 0;
    const primary: Answer = (s) => {
      if (s.sql.startsWith('SHOW GLOBAL STATUS')) return status === 'hang' ? 'hang' : Promise.resolve(status);
      if (s.sql === 'SELECT v FROM ctl') return queryValue === 'hang' ? 'hang' : Promise.resolve([{ v: queryValue }]);
      return Promise.resolve([]);
    };
    const t = startThrottler({ state, replicas: [], replica: replicaAnswer({ hang: () => false }), primary });
    await waitFor(() => t.state.throttleReason === 'max-load Threads_connected=150 >= 100', 'max-load');
    status = 'hang';
    await waitFor(() => t.state.throttleReason === 'max-load check did not answer within 0.2s', 'the max-load timeout');
    status = [];
    state.throttleQuery = 'SELECT v FROM ctl';
    queryValue = 2;
    await waitFor(() => t.state.throttleReason === 'throttle-query returned 2', 'the throttle query');
    queryValue = 'hang';
    await waitFor(() => t.state.throttleReason === 'throttle-query did not answer within 0.2s', 'the throttle query timeout');
    queryValue = 0;
    await waitFor(() => t.state.throttleReason === undefined, 'the throttle to lift');
    // The throttle query ran inside a read-only transaction that was rolled back.
    const seen = t.edges.flatMap((e) => e.seen).filter((sql) => !sql.startsWith('SHOW GLOBAL STATUS') && !sql.startsWith('SET SESSION'));
    expect(seen.slice(0, 3)).toEqual(['START TRANSACTION READ ONLY', 'SELECT v FROM ctl', 'ROLLBACK']);
  });
});

describe('Throttler and --throttle-http', () => {
  it('throttles on a status other than 200, and on a server that does not answer in time', async () => {
    let mode: 'ok' | 'busy' | 'silent' = 'busy';
    const silent: ServerResponse[] = [];
    const http = createServer((_req, res) => {
      if (mode === 'silent') silent.push(res);
      else res.writeHead(mode === 'ok' ? 200 : 503).end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const address = http.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
    try {
      const t = startThrottler({ replicas: [], replica: replicaAnswer({ hang: () => false }), primary: primaryAnswer(() => []), throttleHttp: url });
      await waitFor(() => t.state.throttleReason === `throttle-http ${url} answered 503`, 'the 503');
      mode = 'silent';
      await waitFor(() => t.state.throttleReason === `throttle-http ${url} did not answer within 0.2s`, 'the timeout');
      mode = 'ok';
      await waitFor(() => t.state.throttleReason === undefined, 'the throttle to lift');
      t.stop.abort();
      await t.running;
    } finally {
      for (const res of silent) res.destroy();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  });
});

function withCritical(): MigrationState {
  const s = new MigrationState({ nowMs: Date.now(), chunkSize: 1000, dmlBatchSize: 100 });
  s.criticalLoad = new Map([['Threads_running', 5]]);
  return s;
}
