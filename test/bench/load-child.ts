/**
 * The write load, as its own process (so its timers do not share an event loop with the bench or
 * with oschange): statements at a fixed rate — 40% UPDATE, 30% INSERT, 30% DELETE of random
 * existing rows — over a few connections. Started by load.ts; stops on the parent's 'stop' message
 * (or when the parent goes away) and sends back every statement's timing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResultSetHeader } from 'mysql2';
import { connect, type Connection } from '../../src/db/connect.js';
import { LatencyRecorder } from './latency.js';
import { parseLoadOptions, type LoadMessage, type LoadResult } from './load-options.js';
import { loadDelete, loadInsert, loadUpdate } from './sql.js';
import type { Statement } from '../../src/sql/quote.js';

/** Resolves once the message is handed to the channel (disconnecting earlier could drop it). */
const send = (m: LoadMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) resolve();
    else process.send(m, undefined, {}, () => resolve());
  });
const o = parseLoadOptions(JSON.parse(process.env['BENCH_LOAD_OPTIONS'] ?? 'null') as unknown);
const now = (): number => performance.timeOrigin + performance.now();

/** Ids believed to exist: deletes take theirs out, inserts add the ids they got. */
const live: number[] = Array.from({ length: o.seededMaxId }, (_, i) => i + 1);
const randomIndex = (): number => Math.floor(Math.random() * live.length);
const digits = (groups: number): string =>
  Array.from({ length: groups }, () => String(Math.floor(Math.random() * 1e11)).padStart(11, '0')).join('-');

function nextStatement(): { s: Statement; kind: 'insert' | 'update' | 'delete'; rows: number } {
  const r = Math.random();
  const n = o.rowsPerStatement;
  if (r < 0.3 || live.length < n * 10) {
    const rows = Array.from({ length: n }, () => ({ id: null, k: 1 + Math.floor(Math.random() * o.seededMaxId), c: digits(10), pad: digits(5) }));
    return { s: loadInsert(o.database, o.table, rows), kind: 'insert', rows: n };
  }
  if (r < 0.7) {
    const ids = Array.from({ length: n }, () => live[randomIndex()] as number);
    return { s: loadUpdate(o.database, o.table, ids), kind: 'update', rows: n };
  }
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = randomIndex();
    ids.push(live[at] as number);
    live[at] = live[live.length - 1] as number;
    live.pop();
  }
  return { s: loadDelete(o.database, o.table, ids), kind: 'delete', rows: n };
}

/** One application transaction: an update, an insert and a delete, committed together. */
function nextTransaction(): Statement[] {
  const update = loadUpdate(o.database, o.table, [live[randomIndex()] as number]);
  const insert = loadInsert(o.database, o.table, [{ id: null, k: 1 + Math.floor(Math.random() * o.seededMaxId), c: digits(10), pad: digits(5) }]);
  const at = randomIndex();
  const gone = live[at] as number;
  live[at] = live[live.length - 1] as number;
  live.pop();
  return [update, insert, loadDelete(o.database, o.table, [gone])];
}

let running = true;
process.on('message', (m: unknown) => {
  if (typeof m === 'object' && m !== null && (m as { kind?: unknown }).kind === 'stop') running = false;
});
// The bench died: do not write on for ever.
process.on('disconnect', () => process.exit(1));

const recorder = new LatencyRecorder();
let statements = 0;
let rowEvents = 0;
let errors = 0;
let deadlocks = 0;
let lockWaitTimeouts = 0;
let transactions = 0;
const firstErrors: string[] = [];
const conns: Connection[] = [];
try {
  for (let i = 0; i < o.connections; i++) conns.push(await connect(o.endpoint));
  await send({ kind: 'ready' });
  const interval = (1000 * o.rowsPerStatement) / o.eventsPerSecond;
  const startedAtMs = now() + 20;
  let slot = 0;
  const worker = async (conn: Connection): Promise<void> => {
    while (running) {
      // Each statement has a due time on one fixed schedule; a worker stuck behind a lock leaves
      // the next slots to the others, and when all are stuck the slots queue (and count as late).
      const dueAtMs = startedAtMs + slot++ * interval;
      const wait = dueAtMs - now();
      if (wait > 0.5) await sleep(wait);
      if (!running) break;
      const sentAtMs = now();
      const txn = Math.random() < (o.transactions ?? 0) && live.length > 100;
      try {
        if (txn) {
          transactions++;
          await conn.query('BEGIN');
          let affected = 0;
          try {
            for (const s of nextTransaction()) {
              const [res] = await conn.query<ResultSetHeader>(s.sql, [...s.params]);
              affected += res.affectedRows;
              if (s.sql.startsWith('INSERT')) live.push(res.insertId);
            }
            await conn.query('COMMIT');
          } catch (err) {
            await conn.query('ROLLBACK').catch(() => undefined);
            throw err;
          }
          rowEvents += affected;
        } else {
          const { s, kind } = nextStatement();
          const [res] = await conn.query<ResultSetHeader>(s.sql, [...s.params]);
          rowEvents += res.affectedRows;
          if (kind === 'insert') for (let i = 0; i < res.affectedRows; i++) live.push(res.insertId + i);
        }
        recorder.record({ dueAtMs, sentAtMs, serviceMs: now() - sentAtMs });
        statements++;
      } catch (err) {
        errors++;
        const n = (err as { errno?: unknown }).errno;
        if (n === 1213) deadlocks++;
        if (n === 1205) lockWaitTimeouts++;
        if (firstErrors.length < 5) firstErrors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(conns.map((c) => worker(c)));
  const result: LoadResult = { startedAtMs, endedAtMs: now(), statements, rowEvents, errors, deadlocks, lockWaitTimeouts, transactions, firstErrors, latency: recorder.toColumns() };
  await send({ kind: 'result', result });
} catch (err) {
  await send({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
} finally {
  await Promise.allSettled(conns.map((c) => c.end()));
  process.disconnect?.();
}
