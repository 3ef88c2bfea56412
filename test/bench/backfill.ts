/**
 * `oschange backfill` on the million-row table under the steady load: a new nullable column filled
 * from another (the expand step of an expand-contract change), chunk by chunk with the replica
 * watched. Reports rows/s and the load's write latency before and during it.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { queryValue } from '../../src/db/connect.js';
import { summariseLoad, sleep, type BenchContext } from './context.js';
import { BENCH_BUILD_DIR } from './oschange-run.js';
import type { BackfillRun } from './results.js';
import { watchProcess } from './rss.js';
import { addBackfillColumn, countBackfillLeft } from './sql.js';
import { caughtUp, freshCopy, SEED_TABLE, TABLE } from './table.js';
import { startSteadyLoad } from './tool-runs.js';

export const BACKFILL_SET = 'note = LEFT(c, 32)';
export const BACKFILL_WHERE = 'note IS NULL';

export async function backfillRun(ctx: BenchContext): Promise<BackfillRun> {
  const { servers } = ctx;
  await freshCopy(servers, { table: TABLE, from: SEED_TABLE });
  await servers.primary.query(addBackfillColumn(servers.database, TABLE).sql);
  await caughtUp(servers);
  const load = await startSteadyLoad(ctx);
  let run: Awaited<ReturnType<typeof runBackfill>>;
  try {
    run = await runBackfill(ctx);
  } finally {
    await sleep(1000);
  }
  const loadSummary = summariseLoad(await load.stop(), {
    targetEventsPerSecond: ctx.config.loadRate, toolStartMs: run.startedAtMs, toolEndMs: run.endedAtMs, baselineSeconds: ctx.config.baselineSeconds,
  });
  await caughtUp(servers);
  const left = countBackfillLeft(servers.database, TABLE);
  const rowsLeft = Number(await queryValue(servers.primary, left.sql, left.params));
  const done = parseBackfillDone(run.doneLine ?? '');
  return {
    kind: 'ran',
    rows: ctx.config.rows,
    set: BACKFILL_SET,
    where: BACKFILL_WHERE,
    args: ctx.config.backfillArgs,
    exitCode: run.exitCode,
    wallSeconds: (run.endedAtMs - run.startedAtMs) / 1000,
    reportedSeconds: done?.seconds,
    rowsChanged: done?.rowsChanged,
    rowsPerSecond: done === undefined || done.seconds === 0 ? undefined : done.rowsChanged / done.seconds,
    throttledSeconds: done?.throttledSeconds,
    rowsLeft,
    peakRssMb: run.peakRssMb,
    load: loadSummary,
    tail: run.tail.slice(-15),
  };
}

/** The CLI as users run it (the bench's build when there is one), the password in the environment. */
function runBackfill(ctx: BenchContext): Promise<{ exitCode: number | null; startedAtMs: number; endedAtMs: number; doneLine: string | undefined; peakRssMb: number | undefined; tail: string[] }> {
  const e = ctx.app;
  const dir = ctx.config.oschangeDir;
  const args = [
    'backfill', '--host', e.host, '--port', String(e.port), '--user', e.user,
    '--database', ctx.servers.database, '--table', TABLE, '--set', BACKFILL_SET, '--where', BACKFILL_WHERE, '--execute',
    '--throttle-control-replicas', `${ctx.replica.host}:${ctx.replica.port}`,
    '--serve-socket-file', join(ctx.tmpDir, 'backfill.sock'), '--status-interval-millis', '1000',
    ...ctx.config.backfillArgs,
  ];
  const built = join(dir, BENCH_BUILD_DIR, 'cmd', 'oschange.js');
  const startedAtMs = Date.now();
  const child = spawn(process.execPath, [...(existsSync(built) ? [built] : ['--import', 'tsx', 'cmd/oschange.ts']), ...args], {
    cwd: dir,
    env: { ...process.env, OSCHANGE_LOG_LEVEL: 'info', OSCHANGE_PASSWORD: e.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const usage = watchProcess(child.pid ?? 0);
  const tail: string[] = [];
  let doneLine: string | undefined;
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    keep(line);
    if (line.startsWith('Done:')) doneLine = line;
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (!/"level":30/.test(line)) keep(line);
  });
  return new Promise((resolve) => {
    child.once('close', (code) => resolve({ exitCode: code, startedAtMs, endedAtMs: Date.now(), doneLine, peakRssMb: usage.stop().peakRssMb, tail }));
  });
}

/** `1h2m3.5s` → seconds (src/status/format.ts formatDuration). */
function seconds(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?([\d.]+)s$/.exec(text);
  if (m === null) return Number.NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3]);
}

/** `Done: bench.sbtest1 backfilled in 12s; rows matched: N, rows changed: N; chunks: N; time throttled: 1.5s.` */
export function parseBackfillDone(line: string): { seconds: number; rowsChanged: number; throttledSeconds: number } | undefined {
  const m = /^Done: .* backfilled in (\S+); rows matched: \d+, rows changed: (\d+); .*time throttled: (\S+)\.$/.exec(line);
  if (m === null) return undefined;
  return { seconds: seconds(m[1] as string), rowsChanged: Number(m[2]), throttledSeconds: seconds(m[3] as string) };
}
