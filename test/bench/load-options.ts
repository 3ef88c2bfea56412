import type { Endpoint } from '../../src/db/dsn.js';

/** What the load process is told (as JSON in BENCH_LOAD_OPTIONS). */
export interface LoadOptions {
  readonly endpoint: Endpoint;
  readonly database: string;
  readonly table: string;
  /** Target row events per second (statements per second × rowsPerStatement). */
  readonly eventsPerSecond: number;
  /** Rows each statement touches; > 1 reaches high event rates with fewer round trips. */
  readonly rowsPerStatement: number;
  /** Connections writing at once (a write blocked by a lock does not stop the others). */
  readonly connections: number;
  /** Ids 1..N exist when the load starts. */
  readonly seededMaxId: number;
  /**
   * Share of the schedule's slots (0–1) that run an application transaction instead of one
   * statement: BEGIN; UPDATE; INSERT; DELETE; COMMIT — the kind a tool's locks can make a deadlock
   * victim. Default 0.
   */
  readonly transactions?: number;
}

export interface LoadResult {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly statements: number;
  /** Rows the statements changed (affected rows): the row events they put in the binlog. */
  readonly rowEvents: number;
  readonly errors: number;
  /** Of the errors: deadlock victims (1213) and lock wait timeouts (1205) — what a tool's locks cause. */
  readonly deadlocks: number;
  readonly lockWaitTimeouts: number;
  /** Application transactions run (and rolled back on an error). */
  readonly transactions: number;
  readonly firstErrors: readonly string[];
  /** Per statement, in send order (see LatencyRecorder). */
  readonly latency: { due: number[]; sent: number[]; service: number[] };
}

export type LoadMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly result: LoadResult }
  | { readonly kind: 'error'; readonly message: string };

/** Narrows the JSON the parent passes; throws on anything else. */
export function parseLoadOptions(raw: unknown): LoadOptions {
  const o = raw as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object') throw new Error('load options: not an object');
  const e = o['endpoint'] as Record<string, unknown> | null;
  if (e === null || typeof e !== 'object') throw new Error('load options: endpoint missing');
  const num = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`load options: ${name} must be a number`);
    return v;
  };
  const str = (v: unknown, name: string): string => {
    if (typeof v !== 'string') throw new Error(`load options: ${name} must be a string`);
    return v;
  };
  return {
    endpoint: { host: str(e['host'], 'endpoint.host'), port: num(e['port'], 'endpoint.port'), user: str(e['user'], 'endpoint.user'), password: str(e['password'], 'endpoint.password') },
    database: str(o['database'], 'database'),
    table: str(o['table'], 'table'),
    eventsPerSecond: num(o['eventsPerSecond'], 'eventsPerSecond'),
    rowsPerStatement: num(o['rowsPerStatement'], 'rowsPerStatement'),
    connections: num(o['connections'], 'connections'),
    seededMaxId: num(o['seededMaxId'], 'seededMaxId'),
    transactions: o['transactions'] === undefined ? 0 : num(o['transactions'], 'transactions'),
  };
}
