/**
 * `make demo`: a sandbox, a 1,000,000-row `users` table, a steady write load, and oschange adding
 * a column while the load runs — then the proof: the migrated table equals a reference copy that
 * the load kept in step (every load transaction writes both tables), and the cut-over's lock time.
 *
 * Half-way through the copy the demo kills oschange with SIGKILL, as a crash would, and runs it
 * again with --resume: the copy goes on from the checkpoint instead of starting over.
 *
 * DEMO_FLAVOR=mysql|mariadb (default mysql), DEMO_ROWS (default 1000000), DEMO_RATE (load
 * transactions per second, default 200), DEMO_CRASH_AT (copy percentage at which to kill it,
 * default 40; 0 = no crash).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, queryRows, type Connection } from '../src/db/connect.js';
import { describeVersion } from '../src/db/flavor.js';
import { startSandbox } from '../src/sandbox/sandbox.js';
import { SANDBOX_DATABASE } from '../src/sandbox/provision.js';
import { seedUsers } from '../src/sandbox/seed.js';
import { tableChecksum } from '../src/sql/checksum.js';
import { createTableLike } from '../src/sql/ghost.js';
import { quoteTable } from '../src/sql/quote.js';
import { startLoad } from './demo-load.js';

const flavor = (process.env['DEMO_FLAVOR'] ?? 'mysql') as 'mysql' | 'mariadb';
const rows = Number(process.env['DEMO_ROWS'] ?? 1_000_000);
const rate = Number(process.env['DEMO_RATE'] ?? 200);
const crashAt = Number(process.env['DEMO_CRASH_AT'] ?? 40);
const repo = fileURLToPath(new URL('..', import.meta.url));
const say = (m: string): void => void process.stdout.write(`demo: ${m}\n`);
const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];

const sandbox = await startSandbox({ flavor, onProgress: say });
const stopOnSignal = (): void => void sandbox.stop().finally(() => process.exit(130));
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
let admin: Connection | undefined;
let exitCode = 1;
try {
  admin = await connect({ ...sandbox.primary.admin, database: SANDBOX_DATABASE });
  say(`${describeVersion(sandbox.version)} primary :${sandbox.primary.port} + replica :${sandbox.replica.port}`);
  let t0 = Date.now();
  await seedUsers(admin, { database: SANDBOX_DATABASE, rows });
  await admin.query(createTableLike(SANDBOX_DATABASE, 'users_reference', 'users').sql);
  await admin.query(`INSERT INTO ${quoteTable(SANDBOX_DATABASE, 'users_reference')} SELECT * FROM ${quoteTable(SANDBOX_DATABASE, 'users')}`);
  // Fresh statistics, so the row estimate oschange shows is close.
  await admin.query(`ANALYZE TABLE ${quoteTable(SANDBOX_DATABASE, 'users')}`);
  say(`created ${SANDBOX_DATABASE}.users with ${rows} rows (and users_reference, the load's second copy) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  const load = await startLoad({ endpoint: { ...sandbox.primary.admin, database: SANDBOX_DATABASE }, ratePerSecond: rate, maxId: rows });
  say(`write load running: ${rate} transactions/s (insert, update, delete), each on users and users_reference`);
  await new Promise((r) => setTimeout(r, 2000));

  const app = sandbox.primary.app;
  // ADD COLUMN is instant on both servers; the demo is about the online copy, its crash and resume.
  // The password in the environment, as the README advises: never on a command line.
  const args = ['--host', app.host, '--port', String(app.port), '--user', app.user, '--database', SANDBOX_DATABASE, '--table', 'users', '--alter', 'ADD COLUMN phone VARCHAR(20)', '--execute', '--exact-rowcount', '--no-attempt-instant-ddl'];
  say(`running: OSCHANGE_PASSWORD=*** oschange ${args.join(' ')}`);
  t0 = Date.now();
  let output: string;
  let resumedFrom: number | undefined;
  let copiedAtKill: number | undefined;
  if (crashAt > 0) {
    const first = await runCli(args, (out) => Number([...out.matchAll(/^Copy: \d+\/\d+ ([\d.]+)%/gm)].at(-1)?.[1] ?? 0) >= crashAt);
    if (!first.killed) throw new Error('oschange finished before the demo could kill it: lower DEMO_CRASH_AT');
    copiedAtKill = Number([...first.out.matchAll(/^Copy: (\d+)\//gm)].at(-1)?.[1] ?? NaN);
    say(`killed oschange with SIGKILL at ${crashAt}% of the copy, as a crash would; the original table is untouched and still taking writes`);
    say('running it again with --resume: it goes on from its checkpoint (_users_ghk) instead of copying everything again');
    const second = await runCli([...args, '--resume']);
    output = second.out;
    resumedFrom = Number(/^Resume: .*?: (\d+) rows copied/m.exec(output)?.[1] ?? NaN);
  } else {
    output = (await runCli(args)).out;
  }
  const migrationSeconds = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const loadStats = await load.stop();

  const checksum = async (table: string): Promise<{ rows: string; sum: string }> => {
    const s = tableChecksum(SANDBOX_DATABASE, table, COLUMNS);
    const [r] = await queryRows(admin as Connection, s.sql);
    return { rows: String(r?.['row_count']), sum: String(r?.['checksum']) };
  };
  const migrated = await checksum('users');
  const reference = await checksum('users_reference');
  const lock = /locked for (\d+) ms/.exec(output)?.[1];
  const equal = migrated.rows === reference.rows && migrated.sum === reference.sum;
  say('final check:');
  say(`  rows:      users ${migrated.rows}, users_reference ${reference.rows} — ${migrated.rows === reference.rows ? 'equal' : 'DIFFERENT'}`);
  say(`  checksum:  users ${migrated.sum}, users_reference ${reference.sum} — ${migrated.sum === reference.sum ? 'equal' : 'DIFFERENT'} (${COLUMNS.join(', ')})`);
  say(`  lock time: ${lock ?? '?'} ms at cut-over; migration took ${migrationSeconds.toFixed(1)}s`);
  const verified = /checksum equal \((\d+) chunks, (\d+) repaired/.exec(output);
  say(`  oschange's own checksum before the cut-over: ${verified === null ? 'not reported' : `equal over ${verified[1]} chunks (${verified[2]} repaired)`}`);
  const copiedHere = Number(/rows copied: (\d+)/.exec(output)?.[1] ?? NaN) - (resumedFrom ?? 0);
  if (resumedFrom !== undefined) {
    say(`  resume:    went on from ${resumedFrom} rows copied before the crash; copied ${copiedHere} more of ${rows} instead of starting over`);
    say(`             (the crash came at ${copiedAtKill ?? '?'} rows: ${(copiedAtKill ?? NaN) - resumedFrom} rows copied after the last checkpoint were copied again)`);
  }
  say(`  load:      ${loadStats.transactions} transactions, ${loadStats.errors} errors, p99 ${loadStats.p99Ms.toFixed(1)} ms, longest ${loadStats.maxMs.toFixed(0)} ms`);
  if (!equal) {
    const diff = await queryRows(
      admin,
      `SELECT r.id FROM users_reference r LEFT JOIN users u ON u.id = r.id AND u.email <=> r.email AND u.score <=> r.score AND u.created_at <=> r.created_at AND u.updated_at <=> r.updated_at AND u.bio <=> r.bio WHERE u.id IS NULL LIMIT 5`,
    );
    say(`  first differing ids: ${diff.map((d) => String(d['id'])).join(', ')}`);
  }
  // The resumed run copies only what lies after the checkpoint (the load's deletes make it fewer, never more).
  const resumedWell = resumedFrom === undefined || (resumedFrom > 0 && copiedHere <= rows - resumedFrom);
  exitCode = equal && lock !== undefined && loadStats.errors === 0 && resumedWell ? 0 : 1;
  say(exitCode === 0 ? 'OK: the migrated table holds every write, and the table was locked only briefly.' : 'FAILED: see above.');
} finally {
  await admin?.end();
  await sandbox.stop();
}
process.exit(exitCode);

/** Runs oschange; kills it with SIGKILL as soon as `killWhen` says so about its output so far. */
function runCli(args: string[], killWhen?: (out: string) => boolean): Promise<{ out: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/oschange.ts', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OSCHANGE_PASSWORD: sandbox.primary.app.password } });
    let out = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
      if (!killed && killWhen?.(out) === true) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('exit', (code) => (code === 0 || killed ? resolve({ out, killed }) : reject(new Error(`oschange exited with ${code}`))));
  });
}
