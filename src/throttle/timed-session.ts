import { connect } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { isTransientError } from '../db/transient.js';
import type { Statement } from '../sql/quote.js';
import { TimeLimitError, withTimeLimit } from './time-limit.js';

/** The database edge the throttler needs: run a statement, or drop the session outright. */
export interface SessionEdge {
  query(s: Statement): Promise<Record<string, unknown>[]>;
  /** Closes the socket at once, without waiting for a statement in flight. */
  destroy(): void;
}

export type Query = (s: Statement) => Promise<Record<string, unknown>[]>;

/**
 * One session of the throttler's own, opened when first needed, whose every use has a time limit.
 * A session that timed out may still be waiting on the server (mysql2 keeps the statement in
 * flight, and would queue the next one behind it), so it is destroyed and the next use opens a
 * fresh one. A lost session is dropped the same way.
 */
export class TimedSession {
  #session: Promise<SessionEdge> | undefined;
  #closed = false;

  constructor(
    private readonly o: {
      readonly open: () => Promise<SessionEdge>;
      /** Statements run on each new session before it is used (inside the same time limit). */
      readonly setup: readonly Statement[];
      readonly timeoutMs: number;
      /** Names the check in the TimeLimitError: `replica 127.0.0.1:3307`. */
      readonly what: string;
    },
  ) {}

  /** Runs `work` on the session; rejects with TimeLimitError when it takes longer than the limit. */
  async use<T>(work: (query: Query) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#closed) throw new Error(`${this.o.what}: session closed`);
    const session = this.#session ?? this.#start();
    const run = async (): Promise<T> => {
      const s = await session;
      return work((st) => s.query(st));
    };
    try {
      return await withTimeLimit(run(), { ms: this.o.timeoutMs, what: this.o.what, ...(signal === undefined ? {} : { signal }), onTimeout: () => this.drop() });
    } catch (err) {
      if (err instanceof TimeLimitError || signal?.aborted === true || isTransientError(err)) this.drop();
      throw err;
    }
  }

  /** Forgets the session and destroys it (once it is open, if it is still opening). */
  drop(): void {
    const s = this.#session;
    this.#session = undefined;
    s?.then((edge) => edge.destroy(), () => undefined);
  }

  close(): void {
    this.#closed = true;
    this.drop();
  }

  #start(): Promise<SessionEdge> {
    const p = this.#open();
    this.#session = p;
    // A session that could not be opened is tried again next time, not kept as a failure.
    p.catch(() => {
      if (this.#session === p) this.#session = undefined;
    });
    return p;
  }

  async #open(): Promise<SessionEdge> {
    const edge = await this.o.open();
    try {
      for (const s of this.o.setup) await edge.query(s);
    } catch (err) {
      edge.destroy();
      throw err;
    }
    return edge;
  }
}

/** A mysql2 session as a SessionEdge (src/db/connect.ts opens it: sql_mode, UTC, utf8mb4). */
export async function openMysqlSession(endpoint: Endpoint, connectTimeoutMs: number): Promise<SessionEdge> {
  const conn = await connect(endpoint, { connectTimeoutMs });
  return {
    // A SET or START TRANSACTION answers with no rows (an OK packet): that is [] here.
    query: async (s) => {
      const [result] = await conn.query(s.sql, [...s.params]);
      const items: readonly unknown[] = Array.isArray(result) ? result : [];
      return items.filter(isRow);
    },
    destroy: () => conn.destroy(),
  };
}

function isRow(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
