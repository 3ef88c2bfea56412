import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import type { FaultPoint } from '../../src/fault-point.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { ModelLoad, seededRandom, seedRow, type ModelRow } from '../helpers/model-load.js';
import { spawnCli, waitUntil } from '../helpers/processes.js';
import { testServers } from '../helpers/servers.js';

/**
 * The fault suite: a migration under a steady write load is killed with SIGKILL mid-copy, has its
 * connections killed and the server restarted under it, and dies at a step of the cut-over; each
 * time it goes on (by itself, or with --resume). At the end the table must hold exactly the writes
 * the load committed — no row lost, none resurrected, every value equal.
 *
 * Seeds: OSCHANGE_FAULT_SEEDS (default 2 per flavor); `make soak` runs many more.
 */
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');
const SEEDS = Number(process.env['OSCHANGE_FAULT_SEEDS'] ?? 2);
const FIRST_SEED = Number(process.env['OSCHANGE_FAULT_FIRST_SEED'] ?? 1);
const ROWS = 40_000;
const CUT_OVER_POINTS: readonly FaultPoint[] = ['cutover:locked', 'cutover:rename-waiting', 'cutover:sentry-dropped', 'cutover:swapped'];

interface Run {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  copied(): number;
  /** The end of its log (stderr). */
  logTail(): string;
}

const running = new Set<ChildProcess>();

function start(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawnCli(args, env);
  running.add(child);
  child.on('exit', () => running.delete(child));
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (buf !== '') lines.push(buf);
      if (code !== 0 && signal === null) lines.push(`stderr: ${err.slice(-4000)}`);
      resolve({ code, signal });
    }),
  );
  return {
    child,
    lines,
    exit,
    logTail: () => err.slice(-6000),
    copied: () => {
      for (let i = lines.length - 1; i >= 0; i--) {
        const m = /^Copy: (\d+)\//.exec(lines[i] ?? '');
        if (m !== null) return Number(m[1]);
      }
      return 0;
    },
  };
}

/** waitUntil, failing with the run's last lines. */
async function waitFor(run: Run, check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  try {
    await waitUntil(() => check() || run.child.exitCode !== null || run.child.signalCode !== null, timeoutMs, what);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last output:\n${run.lines.slice(-25).join('\n')}\nlog:\n${run.logTail()}`);
  }
}

async function killAppThreads(admin: Connection, user: string): Promise<number> {
  const rows = await queryRows(admin, 'SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ?', [user]);
  for (const r of rows) await admin.query(`KILL ${Number(r['ID'])}`).catch(() => undefined);
  return rows.length;
}

async function tableRows(admin: Connection, database: string, table: string): Promise<ModelRow[]> {
  const rows = await queryRows(admin, `SELECT id, k, v, CAST(n AS CHAR) AS n FROM \`${database}\`.\`${table}\` ORDER BY id`);
  return rows.map((r) => ({ id: Number(r['id']), k: Number(r['k']), v: String(r['v']), n: String(r['n']) }));
}

describe.each(flavors)('fault suite on %s', (flavor) => {
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
  let sandbox: LocalSandbox | undefined;
  afterAll(async () => sandbox?.stop({ graceMs: 3000 }));

  it.each(seeds)('seed %i: SIGKILL mid-copy, KILL of its connections, a server restart, a crash at the cut-over — the table holds exactly the committed writes', async (seed) => {
    sandbox ??= await startSandbox({ flavor });
    const sb = sandbox;
    const random = seededRandom(seed);
    const database = `fault_${seed}`;
    const table = 'items';
    await sb.createDatabase(database);
    let admin = await connect(sb.primary.admin);
    await admin.query(`CREATE TABLE \`${database}\`.\`${table}\` (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, n BIGINT NOT NULL, KEY k (k))`);
    for (let lo = 1; lo <= ROWS; lo += 5000) {
      const values = Array.from({ length: Math.min(5000, ROWS - lo + 1) }, (_, i) => seedRow(lo + i));
      await admin.query(`INSERT INTO \`${database}\`.\`${table}\` (id, k, v, n) VALUES ?`, [values.map((r) => [r.id, r.k, r.v, r.n])]);
    }
    const load = new ModelLoad({ endpoint: sb.primary.admin, database, table, writers: 3, seedRows: ROWS, seed, pauseMs: 3 });
    load.start();
    const app = sb.primary.app;
    const args = [
      '--host', app.host, '--port', String(app.port), '--user', app.user, '--password', app.password,
      '--database', database, '--table', table, '--alter', 'ADD COLUMN extra INT NOT NULL DEFAULT 7, MODIFY v VARCHAR(80) NOT NULL',
      '--execute', '--chunk-size', '20', '--nice-ratio', '3', '--status-interval-millis', '200', '--checkpoint-interval-seconds', '1',
      '--replica-server-id', String(20_000 + seed + (flavor === 'mysql' ? 0 : 500)), '--serve-socket-file', `/tmp/oschange-fault-${flavor}-${seed}-${process.pid}.sock`,
      '--reconnect-timeout-seconds', '120', '--copy-threads', '4',
    ];
    const story: string[] = [];
    try {
      // 1. SIGKILL somewhere in the copy.
      const killAt = Math.floor(ROWS * (0.15 + 0.45 * random()));
      const first = start(args);
      await waitUntil(() => first.copied() >= killAt || first.child.exitCode !== null, 90_000, `the first run to copy ${killAt} rows`);
      // Once a checkpoint with copied rows is saved (every second): what a resume goes on from. Not a
      // fixed wait: a fast copy could finish in it, and the kill would then find the migration done.
      const savedCopy = async (): Promise<boolean> =>
        Number(await queryValue(admin, `SELECT COALESCE(MAX(rows_copied), 0) FROM \`${database}\`.\`_${table}_ghk\``).catch(() => 0)) > 0 && first.copied() < ROWS;
      await waitUntil(async () => (await savedCopy()) || first.child.exitCode !== null, 10_000, 'a checkpoint of the copy');
      first.child.kill('SIGKILL');
      expect((await first.exit).signal, first.lines.slice(-15).join('\n')).toBe('SIGKILL');
      story.push(`killed at ${first.copied()} rows copied`);
      expect(Number(await queryValue(admin, `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [database, table]))).toBe(1);

      // 2. --resume, with its connections killed and the server restarted under it, then a
      // crash at one step of the cut-over.
      const crashAt = CUT_OVER_POINTS[(seed - 1) % CUT_OVER_POINTS.length] as FaultPoint;
      const second = start([...args, '--resume'], { OSCHANGE_TEST_CRASH_AT: crashAt });
      await waitUntil(() => second.lines.some((l) => l.startsWith('Resume: ')) || second.child.exitCode !== null, 60_000, 'the resume to start');
      const resumeLine = second.lines.find((l) => l.startsWith('Resume: ')) ?? second.lines.join('\n');
      expect(resumeLine).toMatch(/^Resume: going on from the checkpoint saved \d+s ago: \d+ rows copied/);
      const resumedFrom = Number(/: (\d+) rows copied/.exec(resumeLine)?.[1]);
      expect(resumedFrom, first.lines.slice(-10).join('\n')).toBeGreaterThan(0);
      story.push(`resumed from ${resumedFrom}`);
      const faults = random() < 0.5 ? ['kill', 'restart'] : ['restart', 'kill'];
      for (const [i, fault] of faults.entries()) {
        const target = resumedFrom + Math.floor(((ROWS - resumedFrom) * (i + 1)) / 4);
        await waitFor(second, () => second.copied() >= target, 90_000, `the resumed run to reach ${target} rows`);
        const lost = second.lines.filter((l) => l.startsWith('Connection lost')).length;
        if (fault === 'kill') {
          story.push(`killed ${await killAppThreads(admin, app.user)} connections at ${second.copied()}`);
        } else {
          await admin.end().catch(() => undefined);
          await sb.restartPrimary();
          admin = await connect(sb.primary.admin);
          story.push(`restarted the server at ${second.copied()}`);
        }
        await waitFor(second, () => second.lines.filter((l) => l.startsWith('Connection lost')).length > lost, 30_000, `oschange to notice the ${fault}`);
        expect(second.child.exitCode, second.lines.slice(-20).join('\n')).toBeNull();
      }
      const secondExit = await second.exit;
      expect(secondExit.signal, `the crash at ${crashAt}; ${story.join('; ')}; output:\n${second.lines.slice(-30).join('\n')}`).toBe('SIGKILL');
      story.push(`crashed at ${crashAt}`);
      // Never without the table.
      expect(Number(await queryValue(admin, `SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, [database, table]))).toBe(1);

      // 3. --resume again: finishes the migration or recognizes the completed swap.
      const third = start([...args, '--resume']);
      const thirdExit = await third.exit;
      expect(thirdExit.code, `${story.join('; ')}; output:\n${third.lines.slice(-30).join('\n')}`).toBe(0);
      const done = third.lines.find((l) => l.startsWith('Done: ')) ?? '';
      if (crashAt === 'cutover:sentry-dropped' || crashAt === 'cutover:swapped') expect(done).toMatch(/had completed its cut-over before it stopped/);
      else expect(done).toMatch(/migrated in .*checksum equal/);
    } finally {
      // A failed seed must not leave its oschange running into the next one.
      for (const c of running) c.kill('SIGKILL');
      await load.stop();
    }

    // The verdict: exactly the committed writes, in the new schema.
    const actual = await tableRows(admin, database, table);
    const expected = [...load.model.values()].sort((a, b) => a.id - b.id);
    const byId = new Map(actual.map((r) => [r.id, r]));
    const missing = expected.filter((r) => !byId.has(r.id)).map((r) => r.id);
    const modelIds = new Set(expected.map((r) => r.id));
    const extra = actual.filter((r) => !modelIds.has(r.id)).map((r) => r.id);
    const differing = expected.filter((r) => byId.has(r.id) && JSON.stringify(byId.get(r.id)) !== JSON.stringify(r)).map((r) => r.id);
    expect({ missing: missing.slice(0, 10), extra: extra.slice(0, 10), differing: differing.slice(0, 10) }, story.join('; ')).toEqual({ missing: [], extra: [], differing: [] });
    expect(actual.length).toBe(expected.length);
    expect(load.committed).toBeGreaterThan(500);
    const columns = await queryRows(admin, 'SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH AS len FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [database, table]);
    expect(columns.map((c) => `${String(c['COLUMN_NAME'])} ${String(c['DATA_TYPE'])}${c['len'] === null ? '' : `(${String(c['len'])})`}`)).toEqual(['id int', 'k int', 'v varchar(80)', 'n bigint', 'extra int']);
    const helpers = await queryRows(admin, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database]);
    expect(helpers.map((h) => String(h['TABLE_NAME'])).sort()).toEqual(['_items_del', 'items']);
    await admin.query(`DROP DATABASE \`${database}\``);
    await admin.end();
  }, 300_000);
});
