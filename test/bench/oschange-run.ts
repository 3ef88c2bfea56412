/**
 * Runs oschange as a user would (its CLI, a child process) and records what it printed: status
 * lines with the time each was read, the log, the final line, and its peak memory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Endpoint } from '../../src/db/dsn.js';
import { copyWindow, parseDoneLine, parseLogLine, parseStatusLine, type LogEvent, type StatusSample } from './oschange-output.js';
import { watchProcess } from './rss.js';

export interface OschangeRunOptions {
  readonly dir: string;
  readonly endpoint: Endpoint;
  readonly database: string;
  readonly table: string;
  readonly alter: string;
  readonly socketFile: string;
  readonly replica: { host: string; port: number };
  readonly extraArgs?: readonly string[];
  /** Flags for node itself, before the program: e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a run. */
  readonly nodeArgs?: readonly string[];
  /** Called with each status sample as it arrives. */
  readonly onStatus?: (s: StatusSample) => void;
}

export interface OschangeRun {
  readonly exitCode: number | null;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Process start to exit, as a user waits for it (includes starting node + tsx). */
  readonly wallSeconds: number;
  /** oschange's own "migrated in" time (from its start, so without starting node + tsx). */
  readonly reportedSeconds: number | undefined;
  readonly lockMs: number | undefined;
  /** The checksum's own time, from the Done line. */
  readonly checksumSeconds: number | undefined;
  readonly copy: { startMs: number; endMs: number; seconds: number; source: string } | undefined;
  readonly peakRssMb: number | undefined;
  /** CPU seconds the process used (user + system). */
  readonly cpuSeconds: number | undefined;
  readonly samples: readonly StatusSample[];
  /** Status samples whose state says the copy was throttled, and why (the first reason seen). */
  readonly throttledSamples: number;
  readonly throttleReason: string | undefined;
  readonly doneLine: string | undefined;
  /** The last lines of output, for a failure's report. */
  readonly tail: readonly string[];
}

export interface RunningOschange {
  readonly pid: number;
  readonly done: Promise<OschangeRun>;
  kill(signal?: NodeJS.Signals): void;
}

export function startOschange(o: OschangeRunOptions): RunningOschange {
  const e = o.endpoint;
  const args = [
    '--host', e.host, '--port', String(e.port), '--user', e.user,
    '--database', o.database, '--table', o.table, '--alter', o.alter,
    '--execute', '--ok-to-drop-table', '--exact-rowcount', '--initially-drop-ghost-table', '--initially-drop-old-table',
    '--throttle-control-replicas', `${o.replica.host}:${o.replica.port}`,
    '--serve-socket-file', o.socketFile,
    '--status-interval-millis', '1000',
    ...(o.extraArgs ?? []),
  ];
  const startedAtMs = Date.now();
  // The compiled build when the bench made one (what users run), else the sources through tsx.
  const built = join(o.dir, BENCH_BUILD_DIR, 'cmd', 'oschange.js');
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), ...(existsSync(built) ? [built] : ['--import', 'tsx', 'cmd/oschange.ts']), ...args], {
    cwd: o.dir,
    // The password in the environment, as the README advises: never on a command line.
    env: { ...process.env, OSCHANGE_LOG_LEVEL: 'info', OSCHANGE_PASSWORD: e.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const usage = watchProcess(child.pid ?? 0);
  const samples: StatusSample[] = [];
  const events: LogEvent[] = [];
  const tail: string[] = [];
  let doneLine: string | undefined;
  const keep = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    keep(line);
    const s = parseStatusLine(line, Date.now());
    if (s !== undefined) {
      samples.push(s);
      o.onStatus?.(s);
    }
    if (line.startsWith('Done:')) doneLine = line;
  });
  createInterface({ input: child.stderr }).on('line', (line) => {
    const ev = parseLogLine(line);
    if (ev !== undefined) events.push(ev);
    if (ev === undefined || /"level":(40|50|60)/.test(line)) keep(line);
  });
  const done = new Promise<OschangeRun>((resolve) => {
    child.once('close', (code) => {
      const endedAtMs = Date.now();
      const { peakRssMb, cpuSeconds } = usage.stop();
      const parsed = doneLine === undefined ? undefined : parseDoneLine(doneLine);
      const w = copyWindow(events, samples);
      const throttled = samples.filter((s) => s.state.startsWith('throttled'));
      resolve({
        exitCode: code,
        startedAtMs,
        endedAtMs,
        wallSeconds: (endedAtMs - startedAtMs) / 1000,
        reportedSeconds: parsed?.seconds,
        lockMs: parsed?.lockMs,
        checksumSeconds: parsed?.checksumSeconds,
        copy: w === undefined ? undefined : { ...w, seconds: (w.endMs - w.startMs) / 1000 },
        peakRssMb,
        cpuSeconds,
        samples,
        throttledSamples: throttled.length,
        throttleReason: throttled[0]?.state.replace(/^throttled,\s*/, ''),
        doneLine,
        tail,
      });
    });
  });
  return { pid: child.pid ?? 0, done, kill: (signal = 'SIGTERM') => void child.kill(signal) };
}

/** Where the bench compiles oschange (inside the source directory, so node_modules resolve). */
export const BENCH_BUILD_DIR = '.bench-build';

/**
 * Compiles oschange as `npm run build` does, into `<dir>/.bench-build`: the bench measures the
 * program users run (node on JavaScript), not the sources compiled on the fly by tsx, which costs
 * start-up time and tens of MB of memory.
 */
export function buildOschange(dir: string): void {
  const out = join(dir, BENCH_BUILD_DIR);
  rmSync(out, { recursive: true, force: true });
  execFileSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.build.json'), '--outDir', out], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
}
