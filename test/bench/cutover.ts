/**
 * Cut-over lock time: oschange run again and again on a small table under a steady write load,
 * each time reading "locked for N ms" from its final line (the time the original table was held
 * by LOCK TABLES during the swap, as oschange measures it).
 */
import { join } from 'node:path';
import { sleep, summariseLoad, type BenchContext } from './context.js';
import { percentile } from './latency.js';
import { startLoad, type LoadResult } from './load.js';
import { startOschange } from './oschange-run.js';
import type { CutoverResult } from './results.js';
import { caughtUp, dropLeftovers, seedTable } from './table.js';
import { LOAD_CONNECTIONS } from './tool-runs.js';

export const CUTOVER_TABLE = 'sbtest_small';
/** A rebuild that leaves the table as it was, so the same table can be migrated again and again. */
export const CUTOVER_ALTER = 'ENGINE=InnoDB';

export async function cutoverSeries(ctx: BenchContext): Promise<CutoverResult> {
  const { config } = ctx;
  await seedTable(ctx.servers, { table: CUTOVER_TABLE, rows: config.cutoverRows });
  const load = await startLoad({
    endpoint: ctx.admin, database: ctx.servers.database, table: CUTOVER_TABLE,
    eventsPerSecond: config.cutoverLoadRate, rowsPerStatement: 1, connections: LOAD_CONNECTIONS, seededMaxId: config.cutoverRows,
  });
  const lockMs: number[] = [];
  let failures = 0;
  let firstFailure: readonly string[] | undefined;
  const firstStart = Date.now();
  let lastEnd = firstStart;
  let loadResult: LoadResult;
  try {
    await sleep(2000);
    for (let i = 1; i <= config.cutovers; i++) {
      const run = await startOschange({
        dir: config.oschangeDir, endpoint: ctx.app, database: ctx.servers.database, table: CUTOVER_TABLE, alter: CUTOVER_ALTER,
        socketFile: join(ctx.tmpDir, 'oschange-small.sock'), replica: ctx.replica, extraArgs: config.oschangeArgs,
      }).done;
      lastEnd = run.endedAtMs;
      if (run.exitCode === 0 && run.lockMs !== undefined) lockMs.push(run.lockMs);
      else {
        failures++;
        firstFailure ??= run.tail.slice(-8);
        await dropLeftovers(ctx.servers, CUTOVER_TABLE);
      }
      ctx.say(`cut-over ${i}/${config.cutovers}: ${run.lockMs === undefined ? `failed (exit ${String(run.exitCode)})` : `locked for ${run.lockMs} ms`}`);
    }
  } finally {
    await sleep(500);
    loadResult = await load.stop();
  }
  const summary = summariseLoad(loadResult, { targetEventsPerSecond: config.cutoverLoadRate, toolStartMs: firstStart + 2000, toolEndMs: lastEnd, baselineSeconds: 2 });
  await caughtUp(ctx.servers);
  const sorted = [...lockMs].sort((a, b) => a - b);
  return {
    kind: 'ran',
    rows: config.cutoverRows,
    loadEventsPerSecond: config.cutoverLoadRate,
    lockMs,
    failures,
    p50Ms: sorted.length === 0 ? undefined : percentile(sorted, 0.5),
    maxMs: sorted[sorted.length - 1],
    load: summary,
    firstFailure,
  };
}
