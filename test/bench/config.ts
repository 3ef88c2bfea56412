import { fileURLToPath } from 'node:url';
import type { SandboxFlavor } from '../../src/sandbox/install.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** What `make bench` measures, parsed once from the environment (every problem reported at once). */
export interface BenchConfig {
  readonly flavors: readonly SandboxFlavor[];
  /** Rows of the sysbench-shaped table. */
  readonly rows: number;
  /** The ALTER clause every tool runs; it must rebuild the table (a full copy). */
  readonly alter: string;
  /** Row writes per second of the steady load (1 row per statement). */
  readonly loadRate: number;
  /** Seconds of load recorded before a migration starts (the "before" latency window). */
  readonly baselineSeconds: number;
  /** Row events per second tried for the apply-throughput ladder, lowest first. */
  readonly ladder: readonly number[];
  /** Seconds each ladder step is observed for, from the start of the copy. */
  readonly ladderSeconds: number;
  /** Migrations of the small busy table for the cut-over lock times. */
  readonly cutovers: number;
  readonly cutoverRows: number;
  readonly cutoverLoadRate: number;
  /** Directory whose cmd/oschange.ts is run (default: this checkout). */
  readonly oschangeDir: string;
  /** Run a clean export of this commit instead of a directory (e.g. HEAD). */
  readonly oschangeRef: string | undefined;
  /** More oschange flags for every run, e.g. `--max-lag-millis 600000` to not wait for the replica. */
  readonly oschangeArgs: readonly string[];
  /** Flags for node when it runs oschange's full-copy runs (BENCH_NODE_ARGS), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  readonly nodeArgs: readonly string[];
  /** More flags for the backfill part's `oschange backfill`, e.g. `--chunk-time-millis 25`. */
  readonly backfillArgs: readonly string[];
  /** A gh-ost binary to run beside oschange and pt-osc (BENCH_GHOST); without it that part is skipped. */
  readonly ghostBinary: string | undefined;
  /** Rows of the large-table run (the quiet migration again, ten times the rows). */
  readonly bigRows: number;
  /** Skip parts: any of floor, quiet, load, ptosc, ghost, ladder, cutover, big, large, backfill. */
  readonly skip: ReadonlySet<string>;
  readonly resultsDir: string;
  /** Installs percona-toolkit with apt-get when missing. */
  readonly installPtOsc: boolean;
}

export const PARTS = ['floor', 'quiet', 'load', 'ptosc', 'ghost', 'ladder', 'cutover', 'big', 'large', 'backfill'] as const;

export function parseBenchConfig(env: Readonly<Record<string, string | undefined>>): { config: BenchConfig } | { errors: string[] } {
  const errors: string[] = [];
  const int = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const v = Number(raw.replaceAll('_', ''));
    if (!Number.isInteger(v) || v < min) errors.push(`${name} must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`);
    return v;
  };
  const list = (name: string, fallback: string): string[] =>
    (env[name] ?? fallback).split(/[\s,]+/).map((s) => s.trim()).filter((s) => s !== '');

  const flavors = list('BENCH_FLAVORS', 'mysql,mariadb');
  for (const f of flavors) if (f !== 'mysql' && f !== 'mariadb') errors.push(`BENCH_FLAVORS: unknown flavor ${JSON.stringify(f)} (mysql, mariadb)`);
  const ladder = list('BENCH_LADDER', '2500,5000,10000,20000,40000').map(Number);
  if (ladder.some((n) => !Number.isInteger(n) || n <= 0)) errors.push('BENCH_LADDER must be positive whole numbers, e.g. 2500,5000,10000,20000,40000');
  const skip = new Set(list('BENCH_SKIP', ''));
  for (const s of skip) if (!(PARTS as readonly string[]).includes(s)) errors.push(`BENCH_SKIP: unknown part ${JSON.stringify(s)} (${PARTS.join(', ')})`);

  const config: BenchConfig = {
    flavors: flavors as SandboxFlavor[],
    rows: int('BENCH_ROWS', 1_000_000, 1000),
    bigRows: int('BENCH_BIG_ROWS', 10_000_000, 1000),
    ghostBinary: env['BENCH_GHOST'] === '' ? undefined : env['BENCH_GHOST'],
    alter: env['BENCH_ALTER'] ?? 'MODIFY c VARCHAR(130) NOT NULL',
    loadRate: int('BENCH_RATE', 1000, 1),
    baselineSeconds: int('BENCH_BASELINE_SECONDS', 10, 2),
    ladder: [...ladder].sort((a, b) => a - b),
    ladderSeconds: int('BENCH_LADDER_SECONDS', 30, 5),
    cutovers: int('BENCH_CUTOVERS', 20, 1),
    cutoverRows: int('BENCH_CUTOVER_ROWS', 10_000, 100),
    cutoverLoadRate: int('BENCH_CUTOVER_RATE', 200, 1),
    oschangeDir: env['BENCH_OSCHANGE_DIR'] ?? REPO,
    oschangeRef: env['BENCH_OSCHANGE_REF'] === '' ? undefined : env['BENCH_OSCHANGE_REF'],
    oschangeArgs: list('BENCH_OSCHANGE_ARGS', ''),
    backfillArgs: list('BENCH_BACKFILL_ARGS', ''),
    nodeArgs: list('BENCH_NODE_ARGS', ''),
    skip,
    resultsDir: env['BENCH_RESULTS_DIR'] ?? `${REPO}test/bench/results`,
    installPtOsc: env['BENCH_NO_INSTALL'] === undefined,
  };
  return errors.length > 0 ? { errors } : { config };
}
