/**
 * gh-ost, run beside oschange under the same load when the bench is given a gh-ost binary
 * (BENCH_GHOST=path: gh-ost is not packaged for Debian; build it from its sources with Go). Its
 * status lines have the format oschange borrowed, so they are read with the same parser.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Endpoint } from '../../src/db/dsn.js';
import { parseStatusLine, type StatusSample } from './oschange-output.js';
import { watchProcess } from './rss.js';

export interface GhostRun {
  readonly exitCode: number | null;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly wallSeconds: number;
  /** gh-ost's own count of copy time ("Time: …(total), …(copy)"), from its last status line of the copy. */
  readonly copySeconds: number | undefined;
  readonly samples: readonly StatusSample[];
  readonly peakRssMb: number | undefined;
  /** CPU seconds the process used (user + system). */
  readonly cpuSeconds: number | undefined;
  readonly version: string | undefined;
  readonly args: readonly string[];
  readonly tail: readonly string[];
}

/** A Go duration as gh-ost prints it: `45s`, `1m2.5s`, `1h0m3s`, `350ms`. */
export function goSeconds(d: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?(?:([\d.]+)ms)?$/.exec(d);
  if (m === null || d === '') return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Number(m[4] ?? 0) / 1000;
}

const TIME = /Time: ([\dhms.]+)\(total\), ([\dhms.]+)\(copy\)/;

export function ghostAvailable(binary: string | undefined): { ok: true; binary: string } | { ok: false; reason: string } {
  if (binary === undefined || binary === '') return { ok: false, reason: 'BENCH_GHOST is not set: give the path of a gh-ost binary built from its sources' };
  if (!existsSync(binary)) return { ok: false, reason: `BENCH_GHOST=${binary} does not exist` };
  return { ok: true, binary };
}

export function runGhost(o: {
  binary: string;
  endpoint: Endpoint;
  database: string;
  table: string;
  alter: string;
  replica: { host: string; port: number };
  socketFile: string;
}): Promise<GhostRun> {
  const e = o.endpoint;
  const args = [
    `--host=${e.host}`, `--port=${e.port}`, `--user=${e.user}`, `--password=${e.password}`,
    `--database=${o.database}`, `--table=${o.table}`, `--alter=${o.alter}`,
    '--execute', '--allow-on-master', '--assume-rbr', '--ok-to-drop-table', '--initially-drop-ghost-table', '--initially-drop-old-table',
    // Waits for the same replica, as long as oschange does (and pt-osc where it can).
    `--throttle-control-replicas=${o.replica.host}:${o.replica.port}`, '--max-lag-millis=1500',
    `--serve-socket-file=${o.socketFile}`, '--default-retries=120', '--verbose',
    // Its cut-over check reads performance_schema's metadata-lock instrument, which the sandbox's
    // MySQL runs without (performance_schema=OFF); the check only makes a failed cut-over clearer.
    '--skip-metadata-lock-check',
  ];
  const startedAtMs = Date.now();
  const child = spawn(o.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const usage = watchProcess(child.pid ?? 0);
  const samples: StatusSample[] = [];
  const tail: string[] = [];
  let copySeconds: number | undefined;
  const onLine = (line: string): void => {
    tail.push(line.replace(/--password=\S*/, '--password=***'));
    if (tail.length > 40) tail.shift();
    const s = parseStatusLine(line, Date.now());
    if (s === undefined) return;
    samples.push(s);
    const t = TIME.exec(line);
    if (t !== null && s.state === 'migrating') copySeconds = goSeconds(t[2] as string);
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      const endedAtMs = Date.now();
      resolve({ exitCode: code, startedAtMs, endedAtMs, wallSeconds: (endedAtMs - startedAtMs) / 1000, copySeconds, samples, ...usage.stop(), version: undefined, args: args.map((a) => a.replace(/^--password=.*/, '--password=***')), tail });
    });
  });
}
