import { connect } from '../src/db/connect.js';
import type { Endpoint } from '../src/db/dsn.js';

export interface LoadStats {
  readonly transactions: number;
  readonly errors: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/**
 * A steady write load at a fixed rate: each transaction inserts, updates or deletes one user and
 * does the same to users_reference, so the reference always holds what users should hold.
 */
export async function startLoad(o: { endpoint: Endpoint; ratePerSecond: number; maxId: number }): Promise<{ stop: () => Promise<LoadStats> }> {
  const conn = await connect(o.endpoint);
  const latencies: number[] = [];
  let errors = 0;
  let running = true;
  let next = 1_000_000_000;
  const pick = (): number => 1 + Math.floor(Math.random() * o.maxId);
  const loop = (async () => {
    const interval = 1000 / o.ratePerSecond;
    let due = performance.now();
    while (running) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      due += interval;
      const r = Math.random();
      const started = performance.now();
      try {
        await conn.query('BEGIN');
        if (r < 0.4) {
          const id = next++;
          // One timestamp for both tables (UTC_TIMESTAMP(6) would differ between the two statements).
          const at = new Date().toISOString().replace('T', ' ').replace('Z', '') + String(Math.floor(Math.random() * 1000)).padStart(3, '0');
          for (const t of ['users', 'users_reference']) {
            await conn.query(`INSERT INTO ${t} (id, email, name, score, balance, created_at, bio) VALUES (?, ?, ?, ?, ?, ?, ?)`, [id, `new${id}@example.com`, `New ${id}`, id % 100, '12.34', at, 'fresh \u{1F680}']);
          }
        } else if (r < 0.9) {
          const id = pick();
          const score = Math.floor(Math.random() * 1e6);
          for (const t of ['users', 'users_reference']) await conn.query(`UPDATE ${t} SET score = ?, updated_at = '2026-11-24 12:00:00.123456' WHERE id = ?`, [score, id]);
        } else {
          const id = pick();
          for (const t of ['users', 'users_reference']) await conn.query(`DELETE FROM ${t} WHERE id = ?`, [id]);
        }
        await conn.query('COMMIT');
        latencies.push(performance.now() - started);
      } catch {
        errors++;
        await conn.query('ROLLBACK').catch(() => undefined);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await conn.end();
      const sorted = [...latencies].sort((a, b) => a - b);
      return { transactions: latencies.length, errors, p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? 0, maxMs: sorted[sorted.length - 1] ?? 0 };
    },
  };
}
