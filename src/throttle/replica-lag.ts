import type { Connection } from '../db/connect.js';
import { queryRows } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { readReplicaRow } from '../db/replica-status.js';
import { describeError } from '../errors.js';
import { readHeartbeat } from '../sql/inspect.js';
import { showReplicaStatus, showReplicas } from '../sql/replication.js';
import { throttleSessionLimits } from '../sql/throttle.js';
import { formatHostPort, type HostPort } from './host-port.js';
import { formatSeconds, TimeLimitError } from './time-limit.js';
import { openMysqlSession, TimedSession, type SessionEdge } from './timed-session.js';

export type { HostPort } from './host-port.js';

export interface ReplicaLagOptions {
  readonly credentials: Omit<Endpoint, 'host' | 'port'>;
  readonly version: ServerVersion;
  readonly database: string;
  readonly changelog: string;
  readonly now: () => number;
  /** Time limit of one replica's check (connect, status, heartbeat read). */
  readonly timeoutMs: number;
  /** How a replica session is opened; tests may give their own. */
  readonly open?: (r: HostPort) => Promise<SessionEdge>;
}

/**
 * Reads lag on each control replica from the heartbeat oschange writes on the primary: the newest
 * heartbeat a replica holds tells how far behind it is, to the millisecond. A replica that cannot
 * be read, does not answer in time, or whose replication threads are stopped throttles too (fails
 * closed) and says which. Replicas are read at the same time, so one that hangs delays the answer
 * by its time limit, not by one limit per replica.
 */
export class ReplicaLag {
  private readonly sessions = new Map<string, TimedSession>();

  constructor(private readonly o: ReplicaLagOptions) {}

  /** A throttle reason, or undefined when every replica is within maxLagMillis. */
  async check(replicas: readonly HostPort[], maxLagMillis: number, signal?: AbortSignal): Promise<string | undefined> {
    this.forgetAllBut(replicas);
    const reasons = await Promise.all(replicas.map((r) => this.checkOne(r, maxLagMillis, signal)));
    return reasons.find((r) => r !== undefined);
  }

  private async checkOne(r: HostPort, maxLagMillis: number, signal: AbortSignal | undefined): Promise<string | undefined> {
    const where = formatHostPort(r);
    try {
      return await this.session(r).use(async (query) => {
        const [status] = await query(showReplicaStatus(this.o.version));
        const state = status === undefined ? undefined : readReplicaRow(status);
        let unreadable: string | undefined;
        const [hb] = await query(readHeartbeat(this.o.database, this.o.changelog)).catch((e: unknown) => {
          unreadable = describeError(e);
          return [] as Record<string, unknown>[];
        });
        const lagMs = hb === undefined ? undefined : Math.max(0, this.o.now() - Number(hb['value']));
        const lag = lagMs === undefined ? `lag=unknown (${unreadable ?? 'no heartbeat replicated yet'})` : `lag=${(lagMs / 1000).toFixed(2)}s`;
        if (state !== undefined && (state.ioRunning !== 'Yes' || state.sqlRunning !== 'Yes')) {
          return `${lag} on replica ${where}: replication stopped (IO thread ${state.ioRunning || 'No'}, SQL thread ${state.sqlRunning || 'No'})`;
        }
        // No heartbeat yet means the replica has not even replicated the changelog table: wait for it.
        if (lagMs === undefined || lagMs >= maxLagMillis) return `${lag} on replica ${where}`;
        return undefined;
      }, signal);
    } catch (err) {
      if (signal?.aborted === true) throw err;
      if (err instanceof TimeLimitError) return `replica ${where} did not answer the lag check within ${formatSeconds(err.ms)} (counted as lagging)`;
      this.forget(r);
      return `replica ${where} cannot be read: ${describeError(err)}`;
    }
  }

  private session(r: HostPort): TimedSession {
    const key = formatHostPort(r);
    let s = this.sessions.get(key);
    if (s === undefined) {
      const limitMs = this.o.timeoutMs;
      const open = this.o.open ?? ((h: HostPort) => openMysqlSession({ ...this.o.credentials, host: h.host, port: h.port }, limitMs));
      s = new TimedSession({
        open: () => open(r),
        // A read stuck behind a table lock is given up by the server a little after we give up on
        // it, so it does not linger there. No statement limit: the server would then answer first,
        // with an error, and the reason would no longer say that the replica did not answer.
        setup: throttleSessionLimits(this.o.version, { lockWaitSeconds: limitMs / 1000 + 2 }),
        timeoutMs: limitMs,
        what: `replica ${key}`,
      });
      this.sessions.set(key, s);
    }
    return s;
  }

  private forget(r: HostPort): void {
    const key = formatHostPort(r);
    this.sessions.get(key)?.close();
    this.sessions.delete(key);
  }

  /** Replicas no longer watched (the socket changed the list) keep no session open. */
  private forgetAllBut(replicas: readonly HostPort[]): void {
    const keep = new Set(replicas.map(formatHostPort));
    for (const [key, s] of this.sessions) {
      if (keep.has(key)) continue;
      s.close();
      this.sessions.delete(key);
    }
  }

  /** Destroys every session at once: a read in flight may hang, and teardown must not wait on it. */
  close(): void {
    for (const s of this.sessions.values()) s.close();
    this.sessions.clear();
  }
}

/** Replicas registered with the primary (SHOW REPLICAS / SHOW SLAVE HOSTS; they need report-host). */
export async function discoverReplicas(conn: Connection, version: ServerVersion): Promise<HostPort[]> {
  const rows = await queryRows(conn, showReplicas(version).sql);
  return rows
    .map((r) => ({ host: String(r['Host'] ?? ''), port: Number(r['Port'] ?? 3306) }))
    .filter((r) => r.host !== '' && r.port > 0);
}
