/**
 * The results table: one row per measure, one column per flavor, each number next to its ratio
 * and its target (✓ met, ✗ missed — reported, never asserted). As markdown for the README, and as
 * aligned text for the terminal.
 */
import { isRan, type FlavorResults, type Skipped, type ToolRun } from './results.js';

interface Row {
  readonly measure: string;
  readonly target: string;
  readonly cell: (r: FlavorResults) => string;
}

const s1 = (n: number): string => n.toFixed(1);
const ms = (n: number): string => (n < 10 ? n.toFixed(1) : n.toFixed(0));
const mark = (ok: boolean): string => (ok ? '✓' : '✗');
const why = (v: Skipped): string => `${v.kind}: ${v.reason.length > 90 ? `${v.reason.slice(0, 87)}…` : v.reason}`;

function floorOf(r: FlavorResults): number | undefined {
  return isRan(r.floor) ? r.floor.seconds : undefined;
}

/** `12.3 s (1.10× floor) ✓` */
function vsFloor(r: FlavorResults, seconds: number | undefined, limit?: number): string {
  if (seconds === undefined) return 'n/a';
  const floor = floorOf(r);
  if (floor === undefined) return `${s1(seconds)} s`;
  const ratio = seconds / floor;
  return `${s1(seconds)} s (${ratio.toFixed(2)}×)${limit === undefined ? '' : ` ${mark(ratio <= limit)}`}`;
}

function tool(v: ToolRun | Skipped, f: (t: ToolRun) => string): string {
  if (!isRan(v)) return why(v);
  if (v.exitCode !== 0) return `failed (exit ${String(v.exitCode)})`;
  return f(v);
}

function p99(v: ToolRun | Skipped, limit?: number): string {
  return tool(v, (t) => {
    if (t.load === undefined) return 'n/a';
    const { before, during } = t.load;
    const ratio = before.p99Ms > 0 ? during.p99Ms / before.p99Ms : Number.NaN;
    return `${ms(before.p99Ms)} → ${ms(during.p99Ms)} ms (${ratio.toFixed(2)}×)${limit === undefined ? '' : ` ${mark(ratio <= limit)}`}`;
  });
}

function stall(v: ToolRun | Skipped, limit?: number): string {
  return tool(v, (t) => (t.load === undefined ? 'n/a' : `${ms(t.load.during.maxMs)} ms${limit === undefined ? '' : ` ${mark(t.load.during.maxMs <= limit)}`}`));
}

/** `0 / 0 / 0 of 812 transactions ✓` */
function appErrors(v: ToolRun | Skipped, withMark: boolean): string {
  return tool(v, (t) => {
    if (t.load === undefined) return 'n/a';
    const { deadlocks, lockWaitTimeouts, errors, transactions } = t.load;
    const other = errors - deadlocks - lockWaitTimeouts;
    return `${deadlocks} / ${lockWaitTimeouts} / ${other} (${transactions} transactions)${withMark ? ` ${mark(errors === 0)}` : ''}`;
  });
}

/** `primary 21 s · replica 9 s · oschange 3 s · load 6 s · idle 11 s of 2 × 25 s` */
function cpuUse(v: ToolRun | Skipped | undefined, toolName: string): string {
  if (v === undefined) return 'n/a';
  return tool(v, (t) => {
    const c = t.cpu;
    if (c === undefined) return 'n/a';
    const parts: [string, number | undefined][] = [['primary', c.primary], ['replica', c.replica], [toolName, c.tool], ['load', c.load]];
    const known = parts.filter((p): p is [string, number] => p[1] !== undefined);
    const idle = c.cores * c.wallSeconds - known.reduce((sum, p) => sum + p[1], 0);
    return `${known.map(([name, s]) => `${name} ${s.toFixed(0)} s`).join(' · ')} · idle ${Math.max(0, idle).toFixed(0)} s of ${c.cores} × ${s1(c.wallSeconds)} s`;
  });
}

export const ROWS: readonly Row[] = [
  { measure: 'floor: CREATE … LIKE + ALTER + INSERT … SELECT', target: '(1.00×)', cell: (r) => (isRan(r.floor) ? `${s1(r.floor.seconds)} s` : why(r.floor)) },
  {
    measure: 'floor until the replica has the rows too',
    target: '',
    cell: (r) => (isRan(r.floor) && r.floor.withReplicaSeconds !== undefined ? vsFloor(r, r.floor.withReplicaSeconds) : 'n/a'),
  },
  { measure: 'oschange, quiet: copy', target: '≤ 1.25× floor', cell: (r) => tool(r.oschangeQuiet, (t) => vsFloor(r, t.copySeconds, 1.25)) },
  { measure: 'oschange, quiet: total', target: '', cell: (r) => tool(r.oschangeQuiet, (t) => vsFloor(r, t.wallSeconds)) },
  { measure: 'oschange, under load: copy', target: '', cell: (r) => tool(r.oschangeLoad, (t) => vsFloor(r, t.copySeconds)) },
  { measure: 'oschange, under load: total', target: '≤ 2× floor', cell: (r) => tool(r.oschangeLoad, (t) => vsFloor(r, t.wallSeconds, 2)) },
  {
    measure: "oschange's checksum: time (share of total), quiet / under load",
    target: '',
    cell: (r) => [r.oschangeQuiet, r.oschangeLoad].map((v) => tool(v, (t) => (t.checksumSeconds === undefined ? 'n/a' : `${s1(t.checksumSeconds)} s (${((100 * t.checksumSeconds) / t.wallSeconds).toFixed(0)}%)`))).join(' / '),
  },
  { measure: 'pt-osc, under load: copy', target: '', cell: (r) => tool(r.ptOscLoad, (t) => vsFloor(r, t.copySeconds)) },
  { measure: 'pt-osc, under load: total', target: '', cell: (r) => tool(r.ptOscLoad, (t) => vsFloor(r, t.wallSeconds)) },
  { measure: 'gh-ost, under load: copy', target: '', cell: (r) => (r.ghostLoad === undefined ? 'n/a' : tool(r.ghostLoad, (t) => vsFloor(r, t.copySeconds))) },
  { measure: 'gh-ost, under load: total', target: '', cell: (r) => (r.ghostLoad === undefined ? 'n/a' : tool(r.ghostLoad, (t) => vsFloor(r, t.wallSeconds))) },
  { measure: 'write p99, before → during oschange', target: '≤ 2×', cell: (r) => p99(r.oschangeLoad, 2) },
  { measure: 'longest write during oschange', target: '≤ 200 ms', cell: (r) => stall(r.oschangeLoad, 200) },
  { measure: 'application errors during oschange: deadlocks / lock waits / other', target: '0', cell: (r) => appErrors(r.oschangeLoad, true) },
  { measure: 'application errors during pt-osc: deadlocks / lock waits / other', target: '', cell: (r) => appErrors(r.ptOscLoad, false) },
  { measure: 'write p99, before → during pt-osc', target: '', cell: (r) => p99(r.ptOscLoad) },
  { measure: 'longest write during pt-osc', target: '', cell: (r) => stall(r.ptOscLoad) },
  { measure: 'write p99, before → during gh-ost', target: '', cell: (r) => (r.ghostLoad === undefined ? 'n/a' : p99(r.ghostLoad)) },
  { measure: 'longest write during gh-ost', target: '', cell: (r) => (r.ghostLoad === undefined ? 'n/a' : stall(r.ghostLoad)) },
  { measure: 'application errors during gh-ost: deadlocks / lock waits / other', target: '', cell: (r) => (r.ghostLoad === undefined ? 'n/a' : appErrors(r.ghostLoad, false)) },
  {
    measure: 'apply: highest rate with a bounded backlog',
    target: '≥ 20000 events/s',
    cell: (r) => {
      if (!isRan(r.ladder)) return why(r.ladder);
      const h = r.ladder.highestBoundedEventsPerSecond;
      const failed = r.ladder.steps.find((s) => !s.bounded || !s.loadReachedTarget);
      const next = failed === undefined ? '' : `; ${failed.targetEventsPerSecond}/s: ${failed.note ?? `lag ${failed.maxLagSecondsLateHalf ?? 'N/A'} s, backlog ${failed.maxBacklog}/${failed.backlogCapacity}`}`;
      return `${h === undefined ? 'none' : `${h} events/s`} ${mark((h ?? 0) >= 20_000)}${next}`;
    },
  },
  {
    measure: 'cut-over lock: p50 / max',
    target: '≤ 50 / ≤ 200 ms',
    cell: (r) => {
      if (!isRan(r.cutover)) return why(r.cutover);
      const c = r.cutover;
      if (c.p50Ms === undefined || c.maxMs === undefined) return `no cut-over succeeded (${c.failures} failed)`;
      return `${c.p50Ms} / ${c.maxMs} ms ${mark(c.p50Ms <= 50 && c.maxMs <= 200)} (${c.lockMs.length} runs${c.failures > 0 ? `, ${c.failures} failed` : ''})`;
    },
  },
  {
    measure: 'oschange peak RSS',
    target: '≤ 150 MB',
    cell: (r) => {
      const peaks = [r.oschangeQuiet, r.oschangeLoad].filter(isRan).map((t) => t.peakRssMb).filter((m): m is number => m !== undefined);
      const pt = isRan(r.ptOscLoad) && r.ptOscLoad.peakRssMb !== undefined ? ` (pt-osc ${r.ptOscLoad.peakRssMb.toFixed(0)} MB)` : '';
      return peaks.length === 0 ? 'n/a' : `${Math.max(...peaks).toFixed(0)} MB ${mark(Math.max(...peaks) <= 150)}${pt}`;
    },
  },
  {
    measure: 'ten times the rows, quiet: copy time per row vs the 1M run',
    target: '≤ 1.2×, RSS ≤ 150 MB',
    cell: (r) => {
      const big = r.big;
      if (big === undefined) return 'n/a';
      if (!isRan(big)) return why(big);
      if (big.exitCode !== 0 || big.copySeconds === undefined) return `failed (exit ${String(big.exitCode)})`;
      const small = isRan(r.oschangeQuiet) ? r.oschangeQuiet.copySeconds : undefined;
      const ratio = small === undefined ? undefined : big.copySeconds / big.rows / (small / r.settings.rows);
      const rss = big.peakRssMb === undefined ? '' : `, RSS ${big.peakRssMb.toFixed(0)} MB`;
      // The server's own per-row cost at this size, beside it: the floor's per row vs the 1M floor's.
      const smallFloor = floorOf(r);
      const floorRatio = big.floorSeconds === undefined || smallFloor === undefined ? undefined : big.floorSeconds / big.rows / (smallFloor / r.settings.rows);
      const floorNote = floorRatio === undefined || big.floorSeconds === undefined ? '' : `; the floor: ${s1(big.floorSeconds)} s (${floorRatio.toFixed(2)}× per row)`;
      return `${big.rows / 1e6}M rows: copy ${s1(big.copySeconds)} s${ratio === undefined ? '' : ` (${ratio.toFixed(2)}× per row) ${mark(ratio <= 1.2 && (big.peakRssMb ?? 0) <= 150)}`}${rss}${floorNote}`;
    },
  },
  {
    measure: 'large rows under load (64 KB rows, 50 updates/s)',
    target: '',
    cell: (r) => {
      const l = r.largeRows;
      if (l === undefined) return 'n/a';
      if (!isRan(l)) return why(l);
      return l.exitCode !== 0 ? `failed (exit ${String(l.exitCode)})` : `${s1(l.wallSeconds)} s, ${l.eventsApplied ?? 0} events applied, ${l.loadErrors} load errors`;
    },
  },
  {
    measure: 'oschange backfill, under load: rows/s (time, throttled)',
    target: '',
    cell: (r) => {
      const b = r.backfill;
      if (b === undefined) return 'n/a';
      if (!isRan(b)) return why(b);
      if (b.exitCode !== 0 || b.rowsPerSecond === undefined) return `failed (exit ${String(b.exitCode)})`;
      return `${b.rowsPerSecond.toFixed(0)} rows/s (${b.rowsChanged ?? 0} rows in ${s1(b.reportedSeconds ?? 0)} s, ${s1(b.throttledSeconds ?? 0)} s throttled)`;
    },
  },
  {
    measure: 'write p99, before → during the backfill',
    target: '',
    cell: (r) => {
      const b = r.backfill;
      if (b === undefined) return 'n/a';
      if (!isRan(b)) return why(b);
      const { before, during } = b.load;
      return `${ms(before.p99Ms)} → ${ms(during.p99Ms)} ms (${(before.p99Ms > 0 ? during.p99Ms / before.p99Ms : Number.NaN).toFixed(2)}×), longest ${ms(during.maxMs)} ms`;
    },
  },
  {
    measure: 'replica caught up, after the tool exited: oschange / pt-osc / gh-ost, under load',
    target: '',
    cell: (r) => [r.oschangeLoad, r.ptOscLoad, r.ghostLoad].map((v) => (v === undefined || !isRan(v) || v.replicaCaughtUpSeconds === undefined ? 'n/a' : `${s1(v.replicaCaughtUpSeconds)} s`)).join(' / '),
  },
  { measure: 'CPU seconds while oschange ran, quiet', target: '', cell: (r) => cpuUse(r.oschangeQuiet, 'oschange') },
  { measure: 'CPU seconds while oschange ran, under load', target: '', cell: (r) => cpuUse(r.oschangeLoad, 'oschange') },
  { measure: 'CPU seconds while pt-osc ran, under load', target: '', cell: (r) => cpuUse(r.ptOscLoad, 'pt-osc') },
  { measure: 'CPU seconds while gh-ost ran, under load', target: '', cell: (r) => cpuUse(r.ghostLoad, 'gh-ost') },
  {
    measure: 'oschange throttled (quiet / under load)',
    target: '',
    cell: (r) => [r.oschangeQuiet, r.oschangeLoad].map((v) => (isRan(v) ? `${v.throttledSeconds ?? 0} s` : '–')).join(' / '),
  },
];

function header(r: FlavorResults): string {
  return `${r.server} (${r.date})`;
}

export function markdownTable(results: readonly FlavorResults[]): string {
  const lines = [`| Measure | Target | ${results.map(header).join(' | ')} |`, `| --- | --- |${results.map(() => ' --- |').join('')}`];
  for (const row of ROWS) lines.push(`| ${row.measure} | ${row.target} | ${results.map((r) => row.cell(r).replaceAll('|', '\\|')).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

export function textTable(results: readonly FlavorResults[]): string {
  const table = [['measure', 'target', ...results.map(header)], ...ROWS.map((row) => [row.measure, row.target, ...results.map((r) => row.cell(r))])];
  const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((l) => [...(l[i] ?? '')].length)));
  const fmt = (l: readonly string[]): string => l.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - [...c].length)).join('  ').trimEnd();
  return [fmt(table[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(fmt)].join('\n') + '\n';
}
