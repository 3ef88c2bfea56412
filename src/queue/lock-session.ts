import { setTimeout as sleep } from 'node:timers/promises';
import { connect, queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { getLock, releaseLock } from '../sql/history.js';

/**
 * A server session that holds named locks (GET_LOCK) for as long as it lives — which is the point:
 * a runner that dies frees them. A session lost while its process lives (a server restart, a network
 * reset) is replaced, and the new one takes the same locks again; if another process took one
 * meanwhile, the caller learns it and stops.
 */
export class LockSession {
  private readonly held: string[] = [];

  constructor(
    public conn: Connection,
    private readonly endpoint: Endpoint,
  ) {}

  /** GET_LOCK without waiting: true when this session now holds it. */
  async take(name: string): Promise<boolean> {
    const s = getLock(name, 0);
    const got = Number(await queryValue(this.conn, s.sql, s.params)) === 1;
    if (got && !this.held.includes(name)) this.held.push(name);
    return got;
  }

  async release(name: string): Promise<void> {
    const i = this.held.indexOf(name);
    if (i >= 0) this.held.splice(i, 1);
    const s = releaseLock(name);
    await this.conn.query(s.sql, [...s.params]);
  }

  /** Reconnects (trying for up to `timeoutMs`) and takes every held lock again; false when one is taken by another. */
  async reconnect(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    this.conn.destroy();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      signal.throwIfAborted();
      try {
        this.conn = await connect(this.endpoint);
        break;
      } catch (err) {
        if (Date.now() >= deadline) throw err;
        await sleep(1000, undefined, { signal });
      }
    }
    for (const name of [...this.held]) {
      if (!(await this.take(name))) return false;
    }
    return true;
  }

  async end(): Promise<void> {
    await this.conn.end().catch(() => this.conn.destroy());
  }
}
