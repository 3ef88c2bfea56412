/**
 * One flavor's bench: its own sandbox (primary + replica), the seeded table, then each part in
 * turn. A part that fails is recorded as failed and the others still run; the sandbox is stopped
 * in any case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Connection } from '../../src/db/connect.js';
import { describeVersion, parseServerVersion } from '../../src/db/flavor.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import type { BenchConfig } from './config.js';
import type { BenchContext } from './context.js';
import { cutoverSeries } from './cutover.js';
import { measureFloor } from './floor.js';
import { applyLadder } from './ladder.js';
import type { PtOscInstall } from './ptosc.js';
import type { FlavorResults, Skipped } from './results.js';
import { freshCopy, growBufferPool, SEED_TABLE, seedTable, TABLE, type BenchServers } from './table.js';
import { bigTableRun, largeRowsRun } from './extra-runs.js';
import { ghostRun, oschangeRun, ptOscRun } from './tool-runs.js';
import { backfillRun } from './backfill.js';

export const BENCH_DATABASE = 'bench';
const BUFFER_POOL_BYTES = 1024 ** 3;

export async function benchFlavor(o: {
  config: BenchConfig;
  flavor: SandboxFlavor;
  ptOsc: PtOscInstall;
  source: { readonly commit: string; readonly uncommittedFiles: number; readonly label: string };
  say: (m: string) => void;
  /** Told the running sandbox, so a signal handler can stop it. */
  onSandbox: (s: LocalSandbox | undefined) => void;
}): Promise<FlavorResults> {
  const { config, say } = o;
  const started = new Date();
  const loadAverageAtStart = loadavg();
  const sandbox = await startSandbox({ flavor: o.flavor, onProgress: (m) => say(`sandbox: ${m}`) });
  o.onSandbox(sandbox);
  const conns: Connection[] = [];
  const tmpDir = mkdtempSync(join(tmpdir(), 'oschange-bench-'));
  try {
    await sandbox.createDatabase(BENCH_DATABASE);
    const primary = await connect({ ...sandbox.primary.admin, database: BENCH_DATABASE });
    conns.push(primary);
    const replica = await connect(sandbox.replica.admin);
    conns.push(replica);
    const [[v]] = (await primary.query('SELECT VERSION() AS v')) as unknown as [[{ v: string }]];
    const version = parseServerVersion(v.v);
    const servers: BenchServers = { version, database: BENCH_DATABASE, primary, replica };
    const bufferPoolBytes = await growBufferPool(servers, BUFFER_POOL_BYTES);
    say(`${describeVersion(version)}: primary :${sandbox.primary.port}, replica :${sandbox.replica.port}; buffer pool ${bufferPoolBytes / 1024 ** 2} MB`);

    let t = Date.now();
    await seedTable(servers, { table: SEED_TABLE, rows: config.rows, onProgress: (n) => n % 500_000 === 0 && say(`seeding: ${n} rows`) });
    say(`seeded ${config.rows} rows in ${((Date.now() - t) / 1000).toFixed(1)}s (replica caught up)`);

    const ctx: BenchContext = {
      config,
      servers,
      admin: { ...sandbox.primary.admin },
      app: { ...sandbox.primary.app },
      replica: { host: '127.0.0.1', port: sandbox.replica.port },
      serverPids: { primary: sandbox.primary.pid, replica: sandbox.replica.pid },
      tmpDir,
      say,
    };
    const part = async <T>(name: string, fn: () => Promise<T>): Promise<T | Skipped> => {
      if (config.skip.has(name)) return { kind: 'skipped', reason: 'BENCH_SKIP' };
      say(`--- ${name}`);
      t = Date.now();
      try {
        const r = await fn();
        say(`--- ${name} done in ${((Date.now() - t) / 1000).toFixed(1)}s`);
        return r;
      } catch (err) {
        say(`--- ${name} FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
      }
    };

    const floor = await part('floor', async () => {
      await freshCopy(servers, { table: TABLE, from: SEED_TABLE });
      return { kind: 'ran' as const, ...(await measureFloor(servers, { table: TABLE, alter: config.alter })) };
    });
    if (floor.kind === 'ran') say(`floor: ${floor.seconds.toFixed(1)}s`);
    const oschangeQuiet = await part('quiet', () => oschangeRun(ctx, { withLoad: false }));
    if (oschangeQuiet.kind === 'ran') say(`oschange quiet: copy ${oschangeQuiet.copySeconds?.toFixed(1)}s, total ${oschangeQuiet.wallSeconds.toFixed(1)}s, exit ${String(oschangeQuiet.exitCode)}`);
    const oschangeLoad = await part('load', () => oschangeRun(ctx, { withLoad: true }));
    if (oschangeLoad.kind === 'ran') say(`oschange under load: copy ${oschangeLoad.copySeconds?.toFixed(1)}s, total ${oschangeLoad.wallSeconds.toFixed(1)}s, exit ${String(oschangeLoad.exitCode)}`);
    const ptOscLoad = await part('ptosc', () => ptOscRun(ctx, o.ptOsc));
    if (ptOscLoad.kind === 'ran') say(`pt-osc under load: copy ${ptOscLoad.copySeconds?.toFixed(1)}s, total ${ptOscLoad.wallSeconds.toFixed(1)}s`);
    else say(`pt-osc: ${ptOscLoad.kind}: ${ptOscLoad.reason}`);
    const ghostLoad = await part('ghost', () => ghostRun(ctx));
    if (ghostLoad.kind === 'ran') say(`gh-ost under load: copy ${ghostLoad.copySeconds?.toFixed(1)}s, total ${ghostLoad.wallSeconds.toFixed(1)}s`);
    else say(`gh-ost: ${ghostLoad.kind}: ${ghostLoad.reason}`);
    const ladder = await part('ladder', () => applyLadder(ctx));
    const cutover = await part('cutover', () => cutoverSeries(ctx));
    const largeRows = await part('large', () => largeRowsRun(ctx, { rows: 2000, bytes: 64 * 1024, updatesPerSecond: 50 }));
    if (largeRows.kind === 'ran') say(`large rows: ${largeRows.wallSeconds.toFixed(1)}s, ${largeRows.updates} updates of ${largeRows.bytesPerRow / 1024} KB rows, exit ${String(largeRows.exitCode)}`);
    const big = await part('big', () => bigTableRun(ctx));
    if (big.kind === 'ran') say(`${big.rows} rows quiet: copy ${big.copySeconds?.toFixed(1)}s, total ${big.wallSeconds.toFixed(1)}s, peak RSS ${big.peakRssMb?.toFixed(0)} MB`);
    const backfill = await part('backfill', () => backfillRun(ctx));
    if (backfill.kind === 'ran') {
      say(`backfill under load: ${backfill.rowsChanged ?? '?'} rows in ${backfill.reportedSeconds?.toFixed(1) ?? '?'}s (${backfill.rowsPerSecond?.toFixed(0) ?? '?'} rows/s), throttled ${backfill.throttledSeconds?.toFixed(1) ?? '?'}s, write p99 ${backfill.load.before.p99Ms.toFixed(1)} → ${backfill.load.during.p99Ms.toFixed(1)} ms, exit ${String(backfill.exitCode)}`);
    }

    return {
      flavor: o.flavor,
      server: describeVersion(version),
      date: localDate(started),
      startedAt: started.toISOString(),
      benchSeconds: (Date.now() - started.getTime()) / 1000,
      machine: { cpus: cpus().length, node: process.version, loadAverageAtStart, loadAverageAtEnd: loadavg() },
      oschange: { commit: o.source.commit, uncommittedFiles: o.source.uncommittedFiles, source: o.source.label },
      settings: { rows: config.rows, alter: config.alter, loadEventsPerSecond: config.loadRate, baselineSeconds: config.baselineSeconds, bufferPoolBytes, oschangeArgs: config.oschangeArgs },
      floor,
      oschangeQuiet,
      oschangeLoad,
      ptOscLoad,
      ladder,
      cutover,
      ghostLoad,
      big,
      largeRows,
      backfill,
    };
  } finally {
    await Promise.allSettled(conns.map((c) => c.end()));
    say('stopping the sandbox');
    await sandbox.stop();
    o.onSandbox(undefined);
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

export function localDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
