/**
 * Apply throughput: at each rate of the ladder, a write load of that many row events per second
 * runs while oschange copies the million-row table (its cut-over postponed, so it keeps applying
 * after the copy too). A step is *bounded* when, over the observed window, the backlog never fills
 * and the applier's lag (age of the newest heartbeat it has replayed, the status line's `Lag:`)
 * stays under 2 s in the window's second half — a falling-behind applier shows as a lag that grows
 * without end, even while the backlog queue is capped.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, type BenchContext } from './context.js';
import { startLoad } from './load.js';
import type { StatusSample } from './oschange-output.js';
import { startOschange } from './oschange-run.js';
import type { LadderResult, LadderStep } from './results.js';
import { dropLeftovers, freshCopy, SEED_TABLE, TABLE } from './table.js';
import { LOAD_CONNECTIONS } from './tool-runs.js';

const MAX_LAG_SECONDS = 2;
/** How long a step waits for the copy to start before it observes the applier anyway. */
const WINDOW_GRACE_MS = 30_000;

export async function applyLadder(ctx: BenchContext): Promise<LadderResult> {
  const steps: LadderStep[] = [];
  for (const rate of ctx.config.ladder) {
    const step = await ladderStep(ctx, rate);
    steps.push(step);
    ctx.say(
      `ladder ${rate} events/s: ${step.bounded ? 'bounded' : 'NOT bounded'} — load ${step.achievedEventsPerSecond.toFixed(0)}/s, applied ${step.appliedEventsPerSecond.toFixed(0)}/s, ` +
        `backlog max ${step.maxBacklog}/${step.backlogCapacity}, lag (2nd half) max ${step.maxLagSecondsLateHalf ?? 'N/A'}s${step.note === undefined ? '' : `; ${step.note}`}`,
    );
    if (!step.bounded || !step.loadReachedTarget) break;
  }
  let highest: number | undefined;
  for (const s of steps) {
    if (!s.bounded || !s.loadReachedTarget) break;
    highest = s.targetEventsPerSecond;
  }
  return { kind: 'ran', steps, highestBoundedEventsPerSecond: highest };
}

async function ladderStep(ctx: BenchContext, rate: number): Promise<LadderStep> {
  const windowMs = ctx.config.ladderSeconds * 1000;
  const rowsPerStatement = Math.max(1, Math.ceil(rate / 1000));
  const postpone = join(ctx.tmpDir, 'postpone-cut-over');
  writeFileSync(postpone, '');
  // A fresh copy each step: the load's deletes of one step would be misses in the next.
  await freshCopy(ctx.servers, { table: TABLE, from: SEED_TABLE });
  const load = await startLoad({
    endpoint: ctx.admin, database: ctx.servers.database, table: TABLE,
    eventsPerSecond: rate, rowsPerStatement, connections: LOAD_CONNECTIONS, seededMaxId: ctx.config.rows,
  });
  await sleep(2000);
  let windowStart: number | undefined;
  const startedAtMs = Date.now();
  let windowDone: () => void = () => undefined;
  const windowOver = new Promise<void>((r) => (windowDone = r));
  const running = startOschange({
    dir: ctx.config.oschangeDir, endpoint: ctx.app, database: ctx.servers.database, table: TABLE, alter: ctx.config.alter,
    socketFile: join(ctx.tmpDir, 'oschange.sock'), replica: ctx.replica,
    extraArgs: [...ctx.config.oschangeArgs, '--postpone-cut-over-flag-file', postpone],
    onStatus: (s) => {
      // The window opens with the copy — or after a grace period when the copy cannot start (held
      // back by the replica's lag under this load): the applier's rate is what the step measures.
      if (windowStart === undefined && (s.copied > 0 || s.atMs - startedAtMs > WINDOW_GRACE_MS)) windowStart = s.atMs;
      if (windowStart !== undefined && s.atMs >= windowStart + windowMs) windowDone();
    },
  });
  const ended = await Promise.race([windowOver.then(() => false), running.done.then(() => true)]);
  running.kill('SIGTERM');
  const run = await running.done;
  const loadResult = await load.stop();
  await dropLeftovers(ctx.servers, TABLE);
  const loadSeconds = Math.max(0.001, (loadResult.endedAtMs - loadResult.startedAtMs) / 1000);
  const achieved = loadResult.rowEvents / loadSeconds;
  const start = windowStart ?? run.startedAtMs;
  const inWindow = run.samples.filter((s) => s.atMs >= start && s.atMs <= start + windowMs + 500);
  return evaluate({ rate, rowsPerStatement, achieved, samples: inWindow, note: ended ? `oschange ended early (exit ${String(run.exitCode)}): ${run.tail.slice(-2).join(' | ')}` : undefined });
}

export function evaluate(o: { rate: number; rowsPerStatement: number; achieved: number; samples: readonly StatusSample[]; note: string | undefined }): LadderStep {
  const first = o.samples[0];
  const last = o.samples[o.samples.length - 1];
  const seconds = first !== undefined && last !== undefined ? (last.atMs - first.atMs) / 1000 : 0;
  const applied = first !== undefined && last !== undefined && seconds > 0 ? (last.applied - first.applied) / seconds : 0;
  const capacity = Math.max(0, ...o.samples.map((s) => s.backlogCapacity));
  const maxBacklog = Math.max(0, ...o.samples.map((s) => s.backlog));
  const late = first === undefined ? [] : o.samples.filter((s) => s.atMs >= first.atMs + (seconds * 1000) / 2);
  const lateLags = late.map((s) => s.lagSeconds).filter((l): l is number => l !== undefined);
  const maxLag = lateLags.length === 0 ? undefined : Math.max(...lateLags);
  const bounded = o.note === undefined && o.samples.length >= 3 && (capacity === 0 || maxBacklog < capacity) && maxLag !== undefined && maxLag <= MAX_LAG_SECONDS;
  return {
    targetEventsPerSecond: o.rate,
    rowsPerStatement: o.rowsPerStatement,
    achievedEventsPerSecond: o.achieved,
    appliedEventsPerSecond: applied,
    windowSeconds: seconds,
    maxBacklog,
    backlogCapacity: capacity,
    maxLagSecondsLateHalf: maxLag,
    endLagSeconds: last?.lagSeconds,
    phaseAtEnd: last?.state,
    bounded,
    loadReachedTarget: o.achieved >= 0.9 * o.rate,
    note: o.note ?? (o.achieved < 0.9 * o.rate ? `the load reached only ${o.achieved.toFixed(0)} of ${o.rate} events/s` : undefined),
  };
}
