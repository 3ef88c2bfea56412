/**
 * The full-copy runs on the million-row table: oschange on a quiet server, oschange under the
 * steady load, pt-online-schema-change under the same load. Each starts from a fresh copy of the
 * seeded table.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startLoad, type RunningLoad } from './load.js';
import { startOschange, type OschangeRun } from './oschange-run.js';
import { ptOscCanWatchReplicas, ptOscServerArgs, PTOSC_DSN_DATABASE, runPtOsc, type PtOscInstall, type PtOscRun } from './ptosc.js';
import { sleep, summariseLoad, type BenchContext } from './context.js';
import type { CpuProfile, LoadSummary, Skipped, ToolRun } from './results.js';
import { watchCpu } from './rss.js';
import { ghostAvailable, runGhost, type GhostRun } from './ghost.js';
import { ptOscDsnTable } from './sql.js';
import { caughtUp, dropLeftovers, freshCopy, SEED_TABLE, TABLE } from './table.js';

/** Enough that one write held by a lock leaves the schedule to the others. */
export const LOAD_CONNECTIONS = 8;
/** Share of the steady load's slots that are multi-statement application transactions. */
export const APP_TRANSACTIONS = 0.25;

export async function oschangeRun(ctx: BenchContext, o: { withLoad: boolean }): Promise<ToolRun> {
  const { config } = ctx;
  await freshCopy(ctx.servers, { table: TABLE, from: SEED_TABLE });
  const load = o.withLoad ? await startSteadyLoad(ctx) : undefined;
  const machine = watchMachine(ctx, load);
  let run: OschangeRun;
  try {
    run = await startOschange({
      dir: config.oschangeDir,
      endpoint: ctx.app,
      database: ctx.servers.database,
      table: TABLE,
      alter: config.alter,
      socketFile: join(ctx.tmpDir, 'oschange.sock'),
      replica: ctx.replica,
      extraArgs: config.oschangeArgs,
      nodeArgs: config.nodeArgs,
    }).done;
    machine.stop(run.wallSeconds, run.cpuSeconds);
  } finally {
    if (load !== undefined) await sleep(1000);
  }
  const loadSummary = load === undefined ? undefined : summariseLoad(await load.stop(), {
    targetEventsPerSecond: config.loadRate, toolStartMs: run.startedAtMs, toolEndMs: run.endedAtMs, baselineSeconds: config.baselineSeconds,
  });
  const replicaCaughtUpSeconds = await replicaCatchUp(ctx, run.endedAtMs);
  return { ...fromOschange(run, loadSummary), cpu: machine.profile, replicaCaughtUpSeconds };
}

export async function ptOscRun(ctx: BenchContext, install: PtOscInstall): Promise<(ToolRun & { version: string | undefined }) | Skipped> {
  if (!install.available) return { kind: 'unavailable', reason: install.note ?? 'pt-online-schema-change is not available' };
  const { config } = ctx;
  const server = ptOscServerArgs(ctx.servers.version);
  await freshCopy(ctx.servers, { table: TABLE, from: SEED_TABLE });
  const watchReplicas = ptOscCanWatchReplicas(ctx.servers.version);
  if (watchReplicas) await fillPtOscDsnTable(ctx);
  const load = await startSteadyLoad(ctx);
  const machine = watchMachine(ctx, load);
  let run: PtOscRun;
  try {
    run = await runPtOsc({ endpoint: ctx.admin, database: ctx.servers.database, table: TABLE, alter: config.alter, serverArgs: server.args, watchReplicas });
    machine.stop(run.wallSeconds, run.cpuSeconds);
  } finally {
    await sleep(1000);
  }
  const loadSummary = summariseLoad(await load.stop(), {
    targetEventsPerSecond: config.loadRate, toolStartMs: run.startedAtMs, toolEndMs: run.endedAtMs, baselineSeconds: config.baselineSeconds,
  });
  const replicaCaughtUpSeconds = await replicaCatchUp(ctx, run.endedAtMs);
  if (run.exitCode !== 0) {
    const why = run.tail.filter((l) => /error|fail|DBD|Cannot|Can't|not supported|unknown/i.test(l)).slice(-3).join(' | ') || run.tail.slice(-3).join(' | ');
    return { kind: 'failed', reason: `pt-online-schema-change ${install.version ?? ''} exited with ${String(run.exitCode)}: ${why}` };
  }
  return {
    kind: 'ran',
    tool: 'pt-online-schema-change',
    version: install.version,
    exitCode: run.exitCode,
    copySeconds: run.copy?.seconds,
    copySource: run.copy === undefined ? undefined : 'output lines ("Copying approximately" → "Copied rows OK")',
    wallSeconds: run.wallSeconds,
    reportedSeconds: undefined,
    lockMs: undefined,
    peakRssMb: run.peakRssMb,
    throttledSeconds: undefined,
    throttleReason: undefined,
    progress: run.samples.map((s) => [(s.atMs - run.startedAtMs) / 1000, s.copied] as const),
    load: loadSummary,
    cpu: machine.profile,
    replicaCaughtUpSeconds,
    notes: [
      `pt-online-schema-change ${run.args.join(' ')}`,
      ...server.notes,
      watchReplicas ? 'pt-osc waited for the replica (max lag 1.5 s), as oschange does' : `pt-osc ${install.version ?? ''} cannot read a MySQL 8.4+ replica's status (SHOW SLAVE STATUS is gone): it ran without replica checks, oschange with them`,
    ],
    tail: run.tail.slice(-15),
  };
}

/** pt-osc's DSN table: the sandbox's replica, as root (pt-osc reads its SHOW SLAVE STATUS). */
async function fillPtOscDsnTable(ctx: BenchContext): Promise<void> {
  for (const s of ptOscDsnTable(PTOSC_DSN_DATABASE, `h=${ctx.replica.host},P=${ctx.replica.port},u=root`)) await ctx.servers.primary.query(s.sql, [...s.params]);
}

export async function startSteadyLoad(ctx: BenchContext): Promise<RunningLoad> {
  const load = await startLoad({
    endpoint: ctx.admin,
    database: ctx.servers.database,
    table: TABLE,
    eventsPerSecond: ctx.config.loadRate,
    rowsPerStatement: 1,
    connections: LOAD_CONNECTIONS,
    seededMaxId: ctx.config.rows,
    transactions: APP_TRANSACTIONS,
  });
  ctx.say(`load: ${ctx.config.loadRate} writes/s on ${TABLE}, a quarter of them in application transactions; ${ctx.config.baselineSeconds}s of baseline first`);
  await sleep(ctx.config.baselineSeconds * 1000);
  return load;
}

export function fromOschange(run: OschangeRun, load: LoadSummary | undefined): ToolRun {
  return {
    kind: 'ran',
    tool: 'oschange',
    exitCode: run.exitCode,
    copySeconds: run.copy?.seconds,
    copySource: run.copy?.source,
    wallSeconds: run.wallSeconds,
    reportedSeconds: run.reportedSeconds,
    lockMs: run.lockMs,
    checksumSeconds: run.checksumSeconds,
    peakRssMb: run.peakRssMb,
    throttledSeconds: run.throttledSamples,
    throttleReason: run.throttleReason,
    // The copy starts at zero rows; the process started before it (node, tsx, checks, ghost table).
    progress: [
      ...(run.copy === undefined ? [] : [[(run.copy.startMs - run.startedAtMs) / 1000, 0] as const]),
      ...run.samples.map((s) => [(s.atMs - run.startedAtMs) / 1000, s.copied] as const),
    ],
    load,
    notes: [],
    tail: run.tail.slice(-15),
  };
}

/** gh-ost under the same steady load, when the bench has a binary of it (BENCH_GHOST). */
export async function ghostRun(ctx: BenchContext): Promise<ToolRun | Skipped> {
  const available = ghostAvailable(ctx.config.ghostBinary);
  if (!available.ok) return { kind: 'unavailable', reason: available.reason };
  await freshCopy(ctx.servers, { table: TABLE, from: SEED_TABLE });
  const load = await startSteadyLoad(ctx);
  const machine = watchMachine(ctx, load);
  let run: GhostRun;
  try {
    run = await runGhost({ binary: available.binary, endpoint: ctx.admin, database: ctx.servers.database, table: TABLE, alter: ctx.config.alter, replica: ctx.replica, socketFile: join(ctx.tmpDir, 'gh-ost.sock') });
    machine.stop(run.wallSeconds, run.cpuSeconds);
  } finally {
    await sleep(1000);
  }
  const loadSummary = summariseLoad(await load.stop(), {
    targetEventsPerSecond: ctx.config.loadRate, toolStartMs: run.startedAtMs, toolEndMs: run.endedAtMs, baselineSeconds: ctx.config.baselineSeconds,
  });
  const replicaCaughtUpSeconds = await replicaCatchUp(ctx, run.endedAtMs);
  await dropLeftovers(ctx.servers, TABLE);
  if (run.exitCode !== 0) return { kind: 'failed', reason: `gh-ost exited with ${String(run.exitCode)}: ${(run.tail.filter((l) => /ERROR|FATAL/.test(l)).slice(-2).join(' | ') || run.tail.slice(-3).join(' | '))}` };
  const throttled = run.samples.filter((s) => s.state.startsWith('throttled'));
  return {
    kind: 'ran',
    tool: 'gh-ost',
    exitCode: run.exitCode,
    copySeconds: run.copySeconds,
    copySource: 'its status lines ("Time: …(copy)")',
    wallSeconds: run.wallSeconds,
    reportedSeconds: undefined,
    lockMs: undefined,
    peakRssMb: run.peakRssMb,
    throttledSeconds: throttled.length,
    throttleReason: throttled[0]?.state,
    progress: run.samples.map((s) => [(s.atMs - run.startedAtMs) / 1000, s.copied] as const),
    load: loadSummary,
    cpu: machine.profile,
    replicaCaughtUpSeconds,
    notes: [`gh-ost ${run.args.join(' ')}`],
    tail: run.tail.slice(-15),
  };
}

/**
 * The CPU the servers and the load use from now until stop(), beside the tool's own (read from its
 * process by its runner): where the machine's cores went while the tool ran.
 */
function watchMachine(ctx: BenchContext, load: RunningLoad | undefined): { stop: (wallSeconds: number, toolCpuSeconds: number | undefined) => void; readonly profile: CpuProfile | undefined } {
  const cpu = watchCpu({ primary: ctx.serverPids.primary, replica: ctx.serverPids.replica, load: load?.pid });
  let profile: CpuProfile | undefined;
  return {
    stop: (wallSeconds, toolCpuSeconds) => {
      const used = cpu.stop();
      profile = { wallSeconds, cores: cpus().length, primary: used['primary'], replica: used['replica'], load: used['load'], tool: toolCpuSeconds };
    },
    get profile() {
      return profile;
    },
  };
}

/**
 * Waits until the replica has every write, and returns how long after the tool's exit that was: a
 * tool that does not wait for its replica leaves it behind (the load ran on for a second after).
 */
async function replicaCatchUp(ctx: BenchContext, toolEndedAtMs: number): Promise<number> {
  await caughtUp(ctx.servers);
  return (Date.now() - toolEndedAtMs) / 1000;
}
