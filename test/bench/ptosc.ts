/**
 * The peer: Percona's pt-online-schema-change (Debian's percona-toolkit), run on the same table
 * with the same ALTER. It copies with triggers instead of the binlog. Its progress comes from its
 * own `--progress time,1` lines (percent of its row estimate), read once a second like oschange's
 * status lines — counting rows in `_sbtest1_new` instead would cost a scan of the growing table
 * every second (perturbing the run measured) and would count rows its triggers put there early.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Endpoint } from '../../src/db/dsn.js';
import type { ServerVersion } from '../../src/db/flavor.js';
import { watchProcess } from './rss.js';

export const PT_OSC = 'pt-online-schema-change';

export interface PtOscInstall {
  readonly available: boolean;
  readonly version: string | undefined;
  readonly note: string | undefined;
}

function whichVersion(): string | undefined {
  try {
    return execFileSync(PT_OSC, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Finds pt-online-schema-change, installing Debian's percona-toolkit first when allowed and root. */
export function ensurePtOsc(o: { install: boolean; say: (m: string) => void }): PtOscInstall {
  let version = whichVersion();
  if (version !== undefined) return { available: true, version, note: undefined };
  if (!o.install) return { available: false, version: undefined, note: 'pt-online-schema-change is not installed (BENCH_NO_INSTALL is set)' };
  if (process.getuid?.() !== 0) return { available: false, version: undefined, note: 'pt-online-schema-change is not installed, and installing percona-toolkit needs root' };
  try {
    o.say('installing percona-toolkit (apt-get)');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'percona-toolkit', 'libdbd-mysql-perl'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    return { available: false, version: undefined, note: `apt-get install percona-toolkit failed: ${err instanceof Error ? err.message : String(err)}` };
  }
  version = whichVersion();
  return version === undefined ? { available: false, version, note: 'percona-toolkit installed, but pt-online-schema-change does not run' } : { available: true, version, note: undefined };
}

export interface PtOscSample {
  readonly atMs: number;
  readonly copied: number;
}

export interface PtOscRun {
  readonly exitCode: number | null;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly wallSeconds: number;
  readonly copy: { startMs: number; endMs: number; seconds: number } | undefined;
  readonly estimatedRows: number | undefined;
  readonly samples: readonly PtOscSample[];
  readonly peakRssMb: number | undefined;
  /** CPU seconds the process used (user + system). */
  readonly cpuSeconds: number | undefined;
  readonly args: readonly string[];
  readonly tail: readonly string[];
}

/** `Copying `db`.`t`:  45% 00:12 remain` (stderr, from --progress). */
const PROGRESS = /^Copying .*?:\s+(\d+)% /;

/**
 * What pt-osc 3.2.1 needs per server. MySQL 9.x answers EXPLAIN in its TREE format by default
 * (explain_format, https://dev.mysql.com/doc/refman/9.4/en/server-system-variables.html#sysvar_explain_format);
 * pt-osc 3.2.1 reads no row estimate from it, takes the table for empty, and copies it in one
 * INSERT … SELECT ("one nibble") — no chunks, no throttling. TRADITIONAL gives it its estimate back.
 */
export function ptOscServerArgs(version: ServerVersion): { args: string[]; notes: string[] } {
  if (version.flavor === 'mysql' && version.major >= 9) {
    return {
      args: ['--set-vars', 'explain_format=TRADITIONAL'],
      notes: ['--set-vars explain_format=TRADITIONAL: without it pt-osc 3.2.1 cannot parse MySQL 9\'s default EXPLAIN (TREE), estimates 0 rows and copies the whole table in one INSERT … SELECT'],
    };
  }
  return { args: [], notes: [] };
}

/**
 * Whether pt-osc 3.2.1 can watch a replica of this server: it reads SHOW SLAVE STATUS, which
 * MySQL 8.4 removed, so on MySQL 9 it cannot (it would stop at its first lag check).
 */
export function ptOscCanWatchReplicas(version: ServerVersion): boolean {
  return version.flavor === 'mariadb' || version.major < 8 || (version.major === 8 && version.minor < 4);
}

/** The DSN table pt-osc's `--recursion-method dsn=…` reads the replicas from. */
export const PTOSC_DSN_DATABASE = 'percona';

export function runPtOsc(o: {
  endpoint: Endpoint;
  database: string;
  table: string;
  alter: string;
  serverArgs: readonly string[];
  /** Replicas to wait for, read from a DSN table (D=percona,t=dsns) the caller filled; none: no replica checks. */
  watchReplicas: boolean;
}): Promise<PtOscRun> {
  const e = o.endpoint;
  const dsn = [`h=${e.host}`, `P=${e.port}`, `u=${e.user}`, ...(e.password === '' ? [] : [`p=${e.password}`]), `D=${o.database}`, `t=${o.table}`].join(',');
  const args = [
    '--alter', o.alter,
    '--execute',
    // The replicas from the DSN table (as fair as oschange, which waits for them), or none; and no
    // version check: it would ask Percona's server over the network.
    ...(o.watchReplicas ? [`--recursion-method=dsn=D=${PTOSC_DSN_DATABASE},t=dsns`, '--max-lag=1.5', '--check-interval=1'] : ['--recursion-method=none']),
    '--no-version-check',
    '--progress=time,1',
    ...o.serverArgs,
    dsn,
  ];
  const startedAtMs = Date.now();
  const child = spawn(PT_OSC, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const usage = watchProcess(child.pid ?? 0);
  const samples: PtOscSample[] = [];
  const tail: string[] = [];
  let estimatedRows: number | undefined;
  let copyStart: number | undefined;
  let copyEnd: number | undefined;
  const onLine = (line: string): void => {
    const at = Date.now();
    tail.push(line.replace(/p=[^,\s]*/, 'p=***'));
    if (tail.length > 40) tail.shift();
    const approx = /Copying approximately (\d+) rows/.exec(line);
    if (approx !== null) {
      estimatedRows = Number(approx[1]);
      copyStart = at;
      samples.push({ atMs: at, copied: 0 });
    }
    const p = PROGRESS.exec(line);
    if (p !== null && estimatedRows !== undefined) samples.push({ atMs: at, copied: Math.round((Number(p[1]) / 100) * estimatedRows) });
    if (/Copied rows OK/.test(line)) {
      copyEnd = at;
      if (estimatedRows !== undefined) samples.push({ atMs: at, copied: estimatedRows });
    }
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  return new Promise((resolve) => {
    child.once('error', (err) => tail.push(`spawn failed: ${err.message}`));
    child.once('close', (code) => {
      const endedAtMs = Date.now();
      resolve({
        exitCode: code,
        startedAtMs,
        endedAtMs,
        wallSeconds: (endedAtMs - startedAtMs) / 1000,
        copy: copyStart !== undefined && copyEnd !== undefined ? { startMs: copyStart, endMs: copyEnd, seconds: (copyEnd - copyStart) / 1000 } : undefined,
        estimatedRows,
        samples,
        ...usage.stop(),
        args: args.map((a) => a.replace(/p=[^,]*/, 'p=***')),
        tail,
      });
    });
  });
}
