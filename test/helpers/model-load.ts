import { setTimeout as sleep } from 'node:timers/promises';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';

/** One row of the fault suite's table, as the application wrote it. */
export interface ModelRow {
  readonly id: number;
  readonly k: number;
  readonly v: string;
  readonly n: string;
}

/** A small deterministic random source (mulberry32), so a failing seed can be run again. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedRow(id: number): ModelRow {
  return { id, k: (id * 7) % 1000, v: `v${id}`, n: String(id * 1_000_003) };
}

/**
 * A steady write load that keeps a model of every committed write: each writer owns the ids
 * congruent to its number, so the model of an id changes only by its writer. A write whose outcome
 * is unknown (the connection broke during it) is settled by reading the row back once the server
 * answers again — the server's committed state is then the truth for that id.
 */
export class ModelLoad {
  readonly model = new Map<number, ModelRow>();
  committed = 0;
  uncertain = 0;
  private running = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly o: { endpoint: Endpoint; database: string; table: string; writers: number; seedRows: number; seed: number; pauseMs: number },
  ) {
    for (let id = 1; id <= o.seedRows; id++) this.model.set(id, seedRow(id));
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.o.writers }, (_, w) => this.writer(w));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async writer(w: number): Promise<void> {
    const { writers, seedRows, database, table } = this.o;
    const random = seededRandom(this.o.seed * 1000 + w);
    const owned = (): number => {
      // An id this writer owns: mostly inside the seeded range (copied rows), some beyond it.
      const top = seedRows + 2000;
      const base = 1 + Math.floor(random() * top);
      return base - ((base - 1 - w + writers * 1000) % writers);
    };
    let conn: Connection | undefined;
    let serial = 0;
    const t = `\`${database}\`.\`${table}\``;
    while (this.running) {
      const id = owned();
      if (id < 1) continue;
      serial++;
      const before = this.model.get(id);
      const op = random();
      let next: ModelRow | undefined;
      let sql: string;
      let params: unknown[];
      if (before === undefined) {
        next = { id, k: Math.floor(random() * 1000), v: `i${w}-${serial}`, n: String(Math.floor(random() * 9e15)) };
        sql = `INSERT INTO ${t} (id, k, v, n) VALUES (?, ?, ?, ?)`;
        params = [next.id, next.k, next.v, next.n];
      } else if (op < 0.75) {
        next = { ...before, k: Math.floor(random() * 1000), v: `u${w}-${serial}`, n: String(Math.floor(random() * 9e15)) };
        sql = `UPDATE ${t} SET k = ?, v = ?, n = ? WHERE id = ?`;
        params = [next.k, next.v, next.n, id];
      } else {
        next = undefined;
        sql = `DELETE FROM ${t} WHERE id = ?`;
        params = [id];
      }
      try {
        conn ??= await connect(this.o.endpoint, { connectTimeoutMs: 2000 });
        await conn.query(sql, params);
        if (next === undefined) this.model.delete(id);
        else this.model.set(id, next);
        this.committed++;
      } catch {
        // Unknown outcome: settle it from the server once it answers.
        this.uncertain++;
        await conn?.end().catch(() => undefined);
        conn = undefined;
        conn = await this.settle(id, t);
      }
      if (this.o.pauseMs > 0) await sleep(this.o.pauseMs);
    }
    await conn?.end().catch(() => undefined);
  }

  private async settle(id: number, t: string): Promise<Connection> {
    for (;;) {
      try {
        const conn = await connect(this.o.endpoint, { connectTimeoutMs: 2000 });
        const [row] = await queryRows(conn, `SELECT id, k, v, CAST(n AS CHAR) AS n FROM ${t} WHERE id = ?`, [id]);
        if (row === undefined) this.model.delete(id);
        else this.model.set(id, { id: Number(row['id']), k: Number(row['k']), v: String(row['v']), n: String(row['n']) });
        return conn;
      } catch {
        await sleep(200);
      }
    }
  }
}
