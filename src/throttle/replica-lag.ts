import type { Connection } from '../db/connect.js';
import { connect, queryRows } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError } from '../errors.js';
import { readReplicaRow } from '../db/replica-status.js';
import { readHeartbeat } from '../sql/inspect.js';
import { showReplicaStatus, showReplicas } from '../sql/replication.js';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Reads lag on each control replica from the heartbeat oschange writes on the primary: the newest
 * heartbeat a replica holds tells how far behind it is, to the millisecond. A replica that cannot
 * be read, or whose replication threads are stopped, throttles too (fails closed) and says which.
 */
export class ReplicaLag {
  private readonly conns = new Map<string, Connection>();

  constructor(
    private readonly o: { credentials: Omit<Endpoint, 'host' | 'port'>; version: ServerVersion; database: string; changelog: string; now: () => number },
  ) {}

  /** A throttle reason, or undefined when every replica is within maxLagMillis. */
  async check(replicas: readonly HostPort[], maxLagMillis: number): Promise<string | undefined> {
    for (const r of replicas) {
      const where = `${r.host}:${r.port}`;
      let conn: Connection;
      try {
        conn = await this.connection(r);
        const [status] = await queryRows(conn, showReplicaStatus(this.o.version).sql);
        const state = status === undefined ? undefined : readReplicaRow(status);
        let unreadable: string | undefined;
        const [hb] = await queryRows(conn, readHeartbeat(this.o.database, this.o.changelog).sql).catch((e: unknown) => {
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
      } catch (err) {
        await this.drop(r);
        return `replica ${where} cannot be read: ${describeError(err)}`;
      }
    }
    return undefined;
  }

  private async connection(r: HostPort): Promise<Connection> {
    const key = `${r.host}:${r.port}`;
    let c = this.conns.get(key);
    if (c === undefined) {
      c = await connect({ ...this.o.credentials, host: r.host, port: r.port }, { connectTimeoutMs: 2000 });
      this.conns.set(key, c);
    }
    return c;
  }

  private async drop(r: HostPort): Promise<void> {
    const key = `${r.host}:${r.port}`;
    const c = this.conns.get(key);
    this.conns.delete(key);
    await c?.end().catch(() => undefined);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.conns.values()].map((c) => c.end()));
    this.conns.clear();
  }
}

/** Replicas registered with the primary (SHOW REPLICAS / SHOW SLAVE HOSTS; they need report-host). */
export async function discoverReplicas(conn: Connection, version: ServerVersion): Promise<HostPort[]> {
  const rows = await queryRows(conn, showReplicas(version).sql);
  return rows
    .map((r) => ({ host: String(r['Host'] ?? ''), port: Number(r['Port'] ?? 3306) }))
    .filter((r) => r.host !== '' && r.port > 0);
}

export function parseHostPorts(spec: string): HostPort[] | { error: string } {
  const out: HostPort[] = [];
  if (spec.trim() === '') return out;
  for (const part of spec.split(',')) {
    const m = /^\s*(\[[^\]]+\]|[^:\s]+)(?::(\d+))?\s*$/.exec(part);
    if (m === null) return { error: `"${part.trim()}" is not host[:port]` };
    out.push({ host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port: m[2] === undefined ? 3306 : Number(m[2]) });
  }
  return out;
}
