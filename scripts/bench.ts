/**
 * `make bench`: oschange against the floor (CREATE … LIKE + INSERT … SELECT) and against
 * pt-online-schema-change, on a 1,000,000-row sysbench-shaped table, on MySQL 9.7 and MariaDB
 * 10.11 sandboxes it starts and stops itself. Writes test/bench/results/<flavor>-<date>.json and
 * .svg, prints the table (and its markdown for the README's "Performance" section).
 *
 *   npx tsx scripts/bench.ts          run (env: BENCH_ROWS, BENCH_FLAVORS, BENCH_RATE, BENCH_LADDER,
 *                                     BENCH_LADDER_SECONDS, BENCH_CUTOVERS, BENCH_CUTOVER_ROWS,
 *                                     BENCH_ALTER, BENCH_SKIP, BENCH_OSCHANGE_DIR, BENCH_OSCHANGE_REF, BENCH_BACKFILL_ARGS,
 *                                     BENCH_OSCHANGE_ARGS, BENCH_NODE_ARGS, BENCH_NO_INSTALL)
 *   npx tsx scripts/bench.ts report   print the markdown table of the newest results of each flavor
 *   npx tsx scripts/bench.ts charts   redraw the newest results' charts from their JSON
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalSandbox } from '../src/sandbox/sandbox.js';
import { parseBenchConfig, type BenchConfig } from '../test/bench/config.js';
import { ensurePtOsc, type PtOscInstall } from '../test/bench/ptosc.js';
import { markdownTable, textTable } from '../test/bench/report.js';
import { flavorChart } from '../test/bench/flavor-chart.js';
import type { FlavorResults } from '../test/bench/results.js';
import { benchFlavor } from '../test/bench/runner.js';
import { oschangeSource } from '../test/bench/source.js';
import { BENCH_BUILD_DIR, buildOschange } from '../test/bench/oschange-run.js';

const t0 = Date.now();
const say = (m: string): void => void process.stdout.write(`bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s: ${m}\n`);

const parsed = parseBenchConfig(process.env);
if ('errors' in parsed) {
  for (const e of parsed.errors) process.stderr.write(`bench: ${e}\n`);
  process.exit(2);
}
const settings = parsed.config;
mkdirSync(settings.resultsDir, { recursive: true });

if (process.argv[2] === 'charts') {
  // Redraws each flavor's newest chart from its JSON (after a change to the chart code).
  for (const r of latestResults(settings)) {
    const file = join(settings.resultsDir, `${r.flavor}-${r.date}.svg`);
    writeFileSync(file, flavorChart(r));
    process.stdout.write(`wrote ${file}\n`);
  }
  process.exit(0);
}
if (process.argv[2] === 'report') {
  const latest = latestResults(settings);
  if (latest.length === 0) process.stderr.write(`bench: no results in ${settings.resultsDir} yet: run make bench\n`);
  else process.stdout.write(markdownTable(latest));
  process.exit(latest.length === 0 ? 1 : 0);
}

const source = oschangeSource({ dir: settings.oschangeDir, ref: settings.oschangeRef });
const config: BenchConfig = { ...settings, oschangeDir: source.dir };
say(`compiling oschange into ${source.dir}/${BENCH_BUILD_DIR} (the bench runs the build, as users do)`);
buildOschange(source.dir);
let current: LocalSandbox | undefined;
const onSignal = (): void => {
  say('stopped by signal: stopping the sandbox');
  void (current?.stop({ graceMs: 3000 }) ?? Promise.resolve()).finally(() => {
    source.cleanup();
    process.exit(130);
  });
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

const ptOsc: PtOscInstall = settings.skip.has('ptosc') ? { available: false, version: undefined, note: 'BENCH_SKIP' } : ensurePtOsc({ install: settings.installPtOsc, say });
say(`pt-online-schema-change: ${ptOsc.available ? ptOsc.version ?? '?' : ptOsc.note ?? 'unavailable'}`);
say(`${config.rows} rows; ALTER ${config.alter}; load ${config.loadRate} writes/s; flavors ${config.flavors.join(', ')}; oschange: ${source.label}`);

let exitCode = 0;
const results: FlavorResults[] = [];
for (const flavor of config.flavors) {
  try {
    const r = await benchFlavor({ config, flavor, ptOsc, source, say, onSandbox: (s) => (current = s) });
    results.push(r);
    const base = join(config.resultsDir, `${flavor}-${r.date}`);
    writeFileSync(`${base}.json`, JSON.stringify(r, null, 1) + '\n');
    writeFileSync(`${base}.svg`, flavorChart(r));
    say(`wrote ${base}.json and .svg`);
  } catch (err) {
    exitCode = 1;
    say(`${flavor}: FAILED: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  }
}

if (results.length > 0) {
  process.stdout.write(`\n${textTable(results)}\n`);
  const md = markdownTable(latestResults(config));
  writeFileSync(join(config.resultsDir, 'latest.md'), md);
  process.stdout.write(`markdown (newest results of each flavor; also in ${join(config.resultsDir, 'latest.md')}):\n\n${md}\n`);
}
source.cleanup();
say(`bench finished in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
process.exit(exitCode);

/** The newest results file of each flavor asked for. */
function latestResults(c: BenchConfig): FlavorResults[] {
  const files = readdirSync(c.resultsDir).filter((f) => /^(mysql|mariadb)-\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort();
  const out: FlavorResults[] = [];
  for (const flavor of c.flavors) {
    const newest = files.filter((f) => f.startsWith(`${flavor}-`)).pop();
    if (newest !== undefined) out.push(JSON.parse(readFileSync(join(c.resultsDir, newest), 'utf8')) as FlavorResults);
  }
  return out;
}
