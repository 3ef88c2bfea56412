/**
 * `make demo-lint`: oschange lint on the migration files in docs/lint-examples/migrations — first
 * without a server (the static rules), then against a sandbox (MySQL unless DEMO_FLAVOR=mariadb,
 * with performance_schema on) whose `app.users` holds what makes some of them dangerous: two users
 * share a name, one name is too long for its new type, and an application still reads the column a
 * migration drops. Then the same rules stopping a migration's --execute, and the safe path.
 *
 * DEMO_FLAVOR=mysql|mariadb (default mysql), DEMO_ROWS (default 200000).
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Connection } from '../src/db/connect.js';
import { describeVersion } from '../src/db/flavor.js';
import { SANDBOX_DATABASE, startSandbox } from '../src/sandbox/sandbox.js';
import { seedUsers } from '../src/sandbox/seed.js';

const flavor = (process.env['DEMO_FLAVOR'] ?? 'mysql') as 'mysql' | 'mariadb';
const rows = Number(process.env['DEMO_ROWS'] ?? 200_000);
const repo = fileURLToPath(new URL('..', import.meta.url));
const folder = 'docs/lint-examples/migrations';
const files = readdirSync(join(repo, folder))
  .filter((f) => f.endsWith('.sql'))
  .sort()
  .map((f) => `${folder}/${f}`);
const say = (m: string): void => void process.stdout.write(`\ndemo-lint: ${m}\n\n`);

const sandbox = await startSandbox({ flavor, extraServerArgs: ['--performance-schema=ON'], onProgress: (m) => process.stdout.write(`demo-lint: ${m}\n`) });
const stopOnSignal = (): void => void sandbox.stop().finally(() => process.exit(130));
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
let admin: Connection | undefined;
let application: Connection | undefined;
let exitCode = 1;
try {
  admin = await connect({ ...sandbox.primary.admin, database: SANDBOX_DATABASE });
  await seedUsers(admin, { database: SANDBOX_DATABASE, rows });
  // What makes some of the migrations dangerous: a shared name, a long name, a column still read.
  await admin.query("UPDATE users SET name = 'User 1' WHERE id IN (3, 5)");
  await admin.query("UPDATE users SET name = 'Bartholomew Featherstonehaugh' WHERE id = 7");
  await admin.query('ALTER TABLE users ADD COLUMN referrer_code VARCHAR(12) NULL');
  await admin.query('ANALYZE TABLE users');
  const app = sandbox.primary.app;
  // lint reads the statement digests as the app user: it needs these two grants.
  await admin.query(`GRANT SELECT ON performance_schema.events_statements_summary_by_digest TO '${app.user}'@'%'`);
  await admin.query(`GRANT SELECT ON performance_schema.setup_consumers TO '${app.user}'@'%'`);
  application = await connect({ ...app, database: SANDBOX_DATABASE });
  for (let id = 1; id <= 25; id++) await application.query('SELECT referrer_code FROM users WHERE id = ?', [id]);
  process.stdout.write(
    `demo-lint: ${describeVersion(sandbox.version)} at 127.0.0.1:${sandbox.primary.port}; ${SANDBOX_DATABASE}.users has ${rows} rows, two users named 'User 1', ` +
      "one name of 29 characters, and an application that still reads referrer_code (25 times)\n",
  );

  say(`1. Without a server: the static rules, as in CI before anything is deployed.\n   $ oschange lint --database ${SANDBOX_DATABASE} ${files.join(' ')}`);
  const offline = await runCli(['lint', '--database', SANDBOX_DATABASE, ...files]);

  say(`2. Against the server: what it does with each ALTER (tried on an empty copy), the copy's cost, the data, and who still uses what is dropped.\n   $ OSCHANGE_PASSWORD=*** oschange lint --host ${app.host} --port ${app.port} --user ${app.user} --database ${SANDBOX_DATABASE} ${files.join(' ')}`);
  const server = ['--host', app.host, '--port', String(app.port), '--user', app.user, '--database', SANDBOX_DATABASE];
  const online = await runCli(['lint', ...server, ...files]);

  say(`3. The same in a GitHub Actions workflow: annotations on the file and line.\n   $ oschange lint --format github --database ${SANDBOX_DATABASE} ${files[2] ?? ''}`);
  await runCli(['lint', '--format', 'github', '--database', SANDBOX_DATABASE, files[2] ?? '']);

  say('4. The same rules stop a migration at --execute, before anything is created.\n   $ oschange … --table users --alter "DROP COLUMN referrer_code" --execute');
  const refused = await runCli([...server, '--table', 'users', '--alter', 'DROP COLUMN referrer_code', '--execute']);

  say('5. The safe one: notes only, and exit code 0.');
  const safe = await runCli(['lint', ...server, files[4] ?? '']);

  const expected = [
    ['1. without a server: errors found (exit 1)', offline.code === 1 && offline.out.includes('not-null-without-default')],
    ['2. with the server: the duplicate names', online.out.includes("2 rows share name='User 1'") || online.out.includes("3 rows share name='User 1'")],
    ['2. with the server: the name too long', online.out.includes("name='Bartholomew Featherstonehaugh'")],
    ['2. with the server: who still reads referrer_code', /users\.referrer_code is still used: 1 statement shape names it on [\d.:]+, run 25 times/.test(online.out)],
    ['2. with the server: the copy estimate', online.out.includes("oschange's copy would take")],
    ['4. --execute refused, naming the rule (exit 2)', refused.code === 2 && refused.err.includes('--allow drop-column')],
    ['5. the safe migration passes (exit 0)', safe.code === 0],
  ] as const;
  say('what the demo expected:');
  for (const [what, ok] of expected) process.stdout.write(`  ${ok ? 'ok ' : 'NO '} ${what}\n`);
  exitCode = expected.every(([, ok]) => ok) ? 0 : 1;
  process.stdout.write(exitCode === 0 ? '\ndemo-lint: OK\n' : '\ndemo-lint: FAILED: see above\n');
} finally {
  await application?.end();
  await admin?.end();
  await sandbox.stop();
}
process.exit(exitCode);

/** Runs the oschange CLI from the checkout, the password in its environment; prints and returns what it says. */
function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cmd/oschange.ts', ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OSCHANGE_PASSWORD: sandbox.primary.app.password, OSCHANGE_LOG_LEVEL: 'warn' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // Only the final line of a refusal, not the JSON log lines.
      for (const line of d.toString().split('\n')) if (line.startsWith('oschange: ')) process.stdout.write(`${line}\n`);
    });
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}
