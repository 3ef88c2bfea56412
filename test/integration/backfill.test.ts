import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import type { BackfillResult } from '../../src/backfill/run.js';
import type { BackfillState } from '../../src/backfill/state.js';
import { backfillCommand } from '../../src/cli/backfill-command.js';
import { backfillFlags } from '../../src/cli/backfill-options.js';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';
import { silentLogger } from '../../src/log.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { waitForReplication } from '../../src/sandbox/replication-wait.js';
import { startReplica, stopReplica } from '../../src/sql/replication.js';
import { ModelLoad, type ModelRow } from '../helpers/model-load.js';
import { exited, spawnCli, waitForLine, waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers, type TestServer } from '../helpers/servers.js';
import { socketPaths } from '../helpers/sockets.js';

/**
 * `oschange backfill` against real servers: refusals that change nothing, the dry run, a backfill
 * under a modelled write load compared row for row with every committed write, SIGKILL and
 * --resume with a SET that is not idempotent (a chunk done twice would show), and the throttler
 * holding the walk while a replica lags.
 */
const run = promisify(execFile);
/** Rows of the backfill under load (the million): OSCHANGE_BACKFILL_ROWS. */
const LOAD_ROWS = Number(process.env['OSCHANGE_BACKFILL_ROWS'] ?? 1_000_000);
/**
 * The million rows are work, not a speed check: 40–90 s on 2 cores when other test files share them,
 * so the test gets a timeout far above that, which only a hang reaches.
 */
const LOAD_TIMEOUT_MS = 600_000;
const sockets = socketPaths('bf');
const socketFile = sockets.next;
afterAll(() => sockets.removeAll());

interface Outcome {
  readonly out: string[];
  readonly error: Error | undefined;
  readonly result: BackfillResult | undefined;
}

/** `oschange backfill …` in this process, as the CLI runs it (flags through yargs). */
async function backfill(app: Endpoint, database: string, table: string, args: readonly string[], o: { observe?: (s: BackfillState) => void; signal?: AbortSignal } = {}): Promise<Outcome> {
  const argv = ['--host', app.host, '--port', String(app.port), '--user', app.user, '--database', database, '--table', table, ...args];
  const raw = backfillFlags(yargs(argv)).strict().parseSync();
  const out: string[] = [];
  try {
    const result = await backfillCommand({ raw, out: (l) => out.push(l), signal: o.signal ?? new AbortController().signal, log: silentLogger(), env: { OSCHANGE_PASSWORD: app.password }, ...(o.observe === undefined ? {} : { observe: o.observe }) });
    return { out, error: undefined, result };
  } catch (err) {
    return { out, error: err as Error, result: undefined };
  }
}

/** INSERT … SELECT over a generated sequence: `rows` rows numbered from 1, `values` the select list over `n`. */
async function seed(conn: Connection, table: string, rows: number, values: string): Promise<void> {
  const digits = '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
  for (let from = 0; from < rows; from += 100_000) {
    await conn.query(
      `INSERT INTO ${table} SELECT ${values} FROM (SELECT ? + 1 + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n ` +
        `FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f) s WHERE n <= ?`,
      [from, Math.min(rows, from + 100_000)],
    );
  }
}

async function tablesOf(conn: Connection, database: string): Promise<string[]> {
  return (await queryRows(conn, 'SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database])).map((r) => String(r['TABLE_NAME']));
}

async function checksum(conn: Connection, table: string): Promise<string> {
  const [row] = await queryRows(conn, `CHECKSUM TABLE ${table}`);
  return String(row?.['Checksum']);
}

describe.each(testServers().map((s) => [label(s), s] as const))('oschange backfill on %s', (_name, server: TestServer) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const mysql = server.version.flavor === 'mysql';

  beforeAll(async () => {
    db = await freshDatabase(server, 'backfill');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('refuses what is not a backfill of the table with one line each, and changes nothing', async () => {
    await admin.query('CREATE TABLE people (id INT NOT NULL PRIMARY KEY, phone VARCHAR(20) NULL, name VARCHAR(20) NOT NULL, name_len INT AS (CHAR_LENGTH(name)) VIRTUAL)');
    await admin.query("INSERT INTO people (id, phone, name) VALUES (1, NULL, 'a'), (2, '555', 'b'), (3, NULL, 'c')");
    await admin.query('CREATE TABLE no_key (a INT NULL, b INT NULL, UNIQUE KEY a (a))');
    await admin.query('INSERT INTO no_key VALUES (1, 1), (NULL, 2)');
    const before = { people: await checksum(admin, 'people'), noKey: await checksum(admin, 'no_key'), tables: await tablesOf(admin, db.name) };
    const refusal = async (set: string, where: string, table = 'people'): Promise<string | undefined> =>
      (await backfill(db.app, db.name, table, ['--set', set, '--where', where, '--execute', '--serve-socket-file', socketFile('refuse')])).error?.message;
    const t = `${db.name}.people`;
    expect(await refusal('phone = nope', 'phone IS NULL')).toBe(`--set is not valid for ${t}: Unknown column 'nope' in '${mysql ? 'field list' : 'SET'}'; nothing was changed`);
    expect(await refusal("phone = ''", 'nope IS NULL')).toBe(`--where is not valid for ${t}: Unknown column 'nope' in '${mysql ? 'where clause' : 'WHERE'}'; nothing was changed`);
    expect(await refusal("phone = ''", 'phone IS NULL ORDER BY id')).toMatch(new RegExp(`^--where is not valid for ${db.name}\\.people: You have an error in your SQL syntax; .* near 'ORDER BY id\\) AND FALSE' at line 1; nothing was changed$`));
    expect(await refusal('phone = CONCAT(', 'TRUE')).toBe('--set has a "(" at character 15 that is never closed');
    expect(await refusal("nope = ''", 'TRUE')).toBe(`--set assigns nope, but ${t} has no such column; nothing was changed`);
    expect(await refusal('name_len = 3', 'TRUE')).toBe(`--set assigns name_len, a generated column of ${t}: the server computes it; assign the columns it is computed from`);
    expect(await refusal('id = id + 1000', 'TRUE')).toBe(`--set assigns id, a column of the key the backfill walks (PRIMARY): a row would move along the walk and be updated twice or missed; change key columns with a migration instead`);
    expect(await refusal("phone = ''", 'phone IS NULL; DELETE FROM people')).toBe('--where holds a ";" at character 14: give a single expression, not statements');
    expect(await refusal("phone = ''", 'phone IS NULL -- AND id > 2')).toBe('--where holds a comment at character 15: comments are refused (one could hide the rest of the statement); write the expression without it');
    expect(await refusal("phone = ''", 'phone IS NULL) OR (TRUE')).toBe('--where has a ")" at character 14 that closes no "("');
    // A unique key on a nullable column cannot tell rows apart.
    expect(await refusal('b = 0', 'TRUE', 'no_key')).toBe(
      `table ${db.name}.no_key has no PRIMARY KEY or UNIQUE key on NOT NULL columns to walk in chunks; add a primary key first (oschange --alter "ADD PRIMARY KEY (…)" or an AUTO_INCREMENT id column)`,
    );
    expect(await refusal("phone = ''", 'TRUE', 'nowhere')).toBe(`table ${db.name}.nowhere does not exist (or ${db.app.user} cannot see it)`);
    expect({ people: await checksum(admin, 'people'), noKey: await checksum(admin, 'no_key'), tables: await tablesOf(admin, db.name) }).toEqual(before);
  });

  it('stops at a value the column cannot hold, the chunk rolled back, and says how to go on', async () => {
    const before = await checksum(admin, 'people');
    const { error } = await backfill(db.app, db.name, 'people', ['--set', "phone = REPEAT('9', 30)", '--where', 'phone IS NULL', '--execute', '--serve-socket-file', socketFile('toolong')]);
    expect(error?.message).toBe(
      `the chunk from the start to the end failed: Data too long for column 'phone' at row 1; it was rolled back (the chunks before it stay done): ` +
        `fix --set or --where and start over after DROP TABLE \`${db.name}\`.\`_people_bfk\`, or fix the rows of that range and go on with --resume`,
    );
    expect(await checksum(admin, 'people')).toBe(before);
    expect(await queryValue(admin, 'SELECT chunks FROM _people_bfk')).toBe('0');
    await admin.query('DROP TABLE _people_bfk');
  });

  it('dry run: counts the rows, prints each chunk\'s statement with the first chunk\'s bounds, changes nothing', async () => {
    // No primary key: the walk follows the NOT NULL unique key.
    await admin.query('CREATE TABLE accounts (code VARCHAR(16) NOT NULL, phone VARCHAR(20) NULL, UNIQUE KEY code (code))');
    await seed(admin, 'accounts', 2500, "CONCAT('c', LPAD(n, 5, '0')), IF(n % 5 = 0, '555', NULL)");
    const before = await checksum(admin, 'accounts');
    const { out, error } = await backfill(db.app, db.name, 'accounts', ['--set', "phone = ''", '--where', 'phone IS NULL', '--serve-socket-file', socketFile('dry')]);
    expect(error).toBeUndefined();
    expect(out.map((l) => l.replace(/ on \S+ [\d.]+ at [\d.:]+,/, ' on SERVER,'))).toEqual([
      `Backfill: ${db.name}.accounts on SERVER, walking code (code) in chunks starting at 1000 rows and adapting toward 25 ms per chunk, each chunk its own transaction.`,
      'Rows: 2500 in the table, 2000 matching --where now (counted by one SELECT COUNT(*) over the table, a read without locks).',
      "Chunk statements (? are the chunk's key bounds, read just before it runs; the last chunk has no upper bound, so it reaches rows inserted meanwhile):",
      `  first: UPDATE \`${db.name}\`.\`accounts\` FORCE INDEX (\`code\`) SET \`phone\` = ('') WHERE \`code\` <= ? AND (phone IS NULL)`,
      `  then:  UPDATE \`${db.name}\`.\`accounts\` FORCE INDEX (\`code\`) SET \`phone\` = ('') WHERE \`code\` > ? AND \`code\` <= ? AND (phone IS NULL)`,
      `  last:  UPDATE \`${db.name}\`.\`accounts\` FORCE INDEX (\`code\`) SET \`phone\` = ('') WHERE \`code\` > ? AND (phone IS NULL)`,
      "  e.g. the first chunk's bounds: 'c01000'",
      `Checkpoint: ${db.name}._accounts_bfk, written in each chunk's transaction; a stopped backfill goes on after its last committed chunk with --resume.`,
      'Dry run: nothing was changed. Add --execute to run the backfill.',
    ]);
    expect(await checksum(admin, 'accounts')).toBe(before);
    expect(await tablesOf(admin, db.name)).not.toContain('_accounts_bfk');
    // And then for real: by the unique key, to the end (a "?" in quotes is a character, not a placeholder).
    const done = await backfill(db.app, db.name, 'accounts', ['--set', "phone = '?'", '--where', 'phone IS NULL', '--execute', '--chunk-size', '300', '--serve-socket-file', socketFile('dry')]);
    expect(done.error).toBeUndefined();
    expect(done.out.at(-1)).toMatch(new RegExp(`^Done: ${db.name}\\.accounts backfilled in [\\d.ms]+; rows matched: 2000, rows changed: 2000; chunks: 9; time throttled: [\\d.ms]+\\.$`));
    expect(await queryRows(admin, 'SELECT phone, COUNT(*) AS n FROM accounts GROUP BY phone ORDER BY n')).toEqual([{ phone: '555', n: '500' }, { phone: '?', n: '2000' }]);
    expect(await tablesOf(admin, db.name)).not.toContain('_accounts_bfk');
  });

  it(`changes every matching row of ${LOAD_ROWS} under a modelled write load, and no application write is lost or overwritten`, async () => {
    await admin.query('CREATE TABLE model (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, n BIGINT NOT NULL, KEY k (k))');
    // The rows ModelLoad expects (test/helpers/model-load.ts seedRow): v = 'v<id>'.
    let t = Date.now();
    await seed(admin, 'model', LOAD_ROWS, "n, (n * 7) % 1000, CONCAT('v', n), n * 1000003");
    const seeded = (Date.now() - t) / 1000;
    const load = new ModelLoad({ endpoint: { ...server.primary.admin, database: db.name }, database: db.name, table: 'model', writers: 3, seedRows: LOAD_ROWS, seed: 7, pauseMs: 2 });
    load.start();
    let outcome: Outcome;
    let during: number;
    // The replica's lag as the backfill's own heartbeat shows it, for the log (not asserted: it depends on the machine).
    const replica = server.replica === undefined ? undefined : await connect(server.replica.admin);
    let maxLagMs = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling && replica !== undefined) {
        const [hb] = await queryRows(replica, `SELECT value FROM \`${db.name}\`.\`_model_bfc\` WHERE hint = 'heartbeat'`).catch(() => []);
        if (hb !== undefined) maxLagMs = Math.max(maxLagMs, Date.now() - Number(hb['value']));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      await waitUntil(() => load.committed > 200, 60_000, 'the load to get going');
      const before = load.committed;
      t = Date.now();
      // Only rows the application never wrote match: it writes 'u…' and 'i…'.
      outcome = await backfill(db.app, db.name, 'model', ['--set', "v = CONCAT('b:', v)", '--where', "v LIKE 'v%'", '--execute', '--serve-socket-file', socketFile('load')]);
      during = load.committed - before;
      await waitUntil(() => load.committed > before + during + 200, 60_000, 'more writes after the backfill');
    } finally {
      sampling = false;
      await sampler;
      await replica?.end();
      await load.stop();
    }
    const took = (Date.now() - t) / 1000;
    console.log(
      `backfill of ${LOAD_ROWS} rows under load on ${server.name}: ${took.toFixed(1)}s (seeded in ${seeded.toFixed(1)}s); ${during} application writes committed during it; ` +
        `replica lag seen up to ${(maxLagMs / 1000).toFixed(2)}s (--max-lag-millis 1500); ${outcome.out.at(-1) ?? ''}`,
    );
    expect(outcome.error).toBeUndefined();
    expect(during).toBeGreaterThan(0);
    expect(load.uncertain).toBe(0);
    // Row for row: the model's value, with 'b:' in front where the application never wrote the row.
    const rows = await queryRows(admin, 'SELECT id, k, v, CAST(n AS CHAR) AS n FROM model ORDER BY id');
    const actual = new Map(rows.map((r) => [Number(r['id']), { id: Number(r['id']), k: Number(r['k']), v: String(r['v']), n: String(r['n']) }]));
    const expected = new Map<number, ModelRow>([...load.model].map(([id, m]) => [id, /^v/.test(m.v) ? { ...m, v: `b:${m.v}` } : m]));
    expect(actual.size).toBe(expected.size);
    const wrong = [...expected].filter(([id, m]) => JSON.stringify(actual.get(id)) !== JSON.stringify(m)).slice(0, 5);
    expect(wrong.map(([id, m]) => ({ expected: m, actual: actual.get(id) }))).toEqual([]);
    const backfilled = [...actual.values()].filter((r) => r.v.startsWith('b:')).length;
    expect(backfilled).toBeGreaterThan(LOAD_ROWS * 0.9);
    // Rows it changed that the application wrote again afterwards are counted, but hold the application's value now.
    expect(outcome.result?.rowsChanged).toBeGreaterThanOrEqual(backfilled);
    expect(outcome.result?.rowsMatched).toBe(outcome.result?.rowsChanged);
    expect(await tablesOf(admin, db.name)).not.toContain('_model_bfk');
  }, LOAD_TIMEOUT_MS);

  it('after a SIGKILL, --resume goes on after the last committed chunk: no chunk is done twice, none skipped', async () => {
    const rows = 20_000;
    await admin.query('CREATE TABLE counter (id INT NOT NULL PRIMARY KEY, c INT NOT NULL DEFAULT 0)');
    await seed(admin, 'counter', rows, 'n, 0');
    // c = c + 1 is not idempotent: a chunk run twice leaves 2s, one skipped leaves 0s.
    const args = ['backfill', '--host', db.app.host, '--port', String(db.app.port), '--user', db.app.user, '--database', db.name, '--table', 'counter', '--set', 'c = c + 1', '--where', 'TRUE'];
    const child = spawnCli([...args, '--execute', '--chunk-size', '100', '--nice-ratio', '3', '--status-interval-millis', '200', '--serve-socket-file', socketFile('kill')], { OSCHANGE_PASSWORD: db.app.password });
    await waitForLine(child, (l) => Number(/; Chunks: (\d+)/.exec(l)?.[1] ?? 0) >= 20, 60_000);
    child.kill('SIGKILL');
    await exited(child);
    const [cp] = await queryRows(admin, 'SELECT done_up_to, chunks, rows_matched, done FROM _counter_bfk');
    const chunks = Number(cp?.['chunks']);
    const [saved] = JSON.parse(String(cp?.['done_up_to'])) as [{ n?: number; x?: string }];
    const upTo = Number(saved.n ?? saved.x);
    expect(chunks).toBeGreaterThanOrEqual(20);
    expect(Number(cp?.['done'])).toBe(0);
    // The checkpoint names exactly the committed chunks: every row up to its key once, none after it.
    expect(await queryRows(admin, 'SELECT c, MIN(id) AS lo, MAX(id) AS hi, COUNT(*) AS n FROM counter GROUP BY c ORDER BY c')).toEqual([
      { c: 0, lo: upTo + 1, hi: rows, n: String(rows - upTo) },
      { c: 1, lo: 1, hi: upTo, n: String(upTo) },
    ]);
    expect(upTo).toBe(chunks * 100);
    expect(Number(cp?.['rows_matched'])).toBe(upTo);

    // A resume with another --set is refused; the checkpoint is left as it is.
    const other = await backfill(db.app, db.name, 'counter', ['--set', 'c = c + 2', '--where', 'TRUE', '--resume', '--execute', '--serve-socket-file', socketFile('kill')]);
    expect(other.error?.message).toBe(`--resume: --set differs from the interrupted backfill's ("c = c + 1"): resume with the same --set and --where, or start over after DROP TABLE \`${db.name}\`.\`_counter_bfk\``);
    const fresh = await backfill(db.app, db.name, 'counter', ['--set', 'c = c + 1', '--where', 'TRUE', '--execute', '--serve-socket-file', socketFile('kill')]);
    expect(fresh.error?.message).toBe(
      `table ${db.name}._counter_bfk exists: an interrupted backfill of ${db.name}.counter left its checkpoint; go on with it with --resume (same --set and --where), or start over after DROP TABLE \`${db.name}\`.\`_counter_bfk\``,
    );

    const resumed = await backfill(db.app, db.name, 'counter', ['--set', 'c = c + 1', '--where', 'TRUE', '--resume', '--execute', '--chunk-size', '1000', '--serve-socket-file', socketFile('kill')]);
    expect(resumed.error).toBeUndefined();
    expect(resumed.out.find((l) => l.startsWith('Resume: '))).toMatch(new RegExp(`^Resume: going on after id ${upTo} from the checkpoint saved \\d+s ago: ${chunks} chunks done, ${upTo} rows matched, ${upTo} changed\\.$`));
    expect(resumed.out.at(-1)).toMatch(new RegExp(`^Done: ${db.name}\\.counter backfilled in [\\d.ms]+; rows matched: ${rows}, rows changed: ${rows}; chunks: \\d+ \\(${chunks} of them before the resume\\); time throttled: [\\d.ms]+\\.$`));
    expect(await queryRows(admin, 'SELECT MIN(c) AS lo, MAX(c) AS hi, COUNT(*) AS n FROM counter')).toEqual([{ lo: 1, hi: 1, n: String(rows) }]);
    expect(await tablesOf(admin, db.name)).not.toContain('_counter_bfk');
    expect(await tablesOf(admin, db.name)).not.toContain('_counter_bfc');
  });

  it('stops between chunks on a signal and keeps its checkpoint', async () => {
    await admin.query('CREATE TABLE stopping (id INT NOT NULL PRIMARY KEY, c INT NOT NULL DEFAULT 0)');
    await seed(admin, 'stopping', 5000, 'n, 0');
    const stop = new AbortController();
    let state: BackfillState | undefined;
    const running = backfill(db.app, db.name, 'stopping', ['--set', 'c = c + 1', '--where', 'TRUE', '--execute', '--chunk-size', '100', '--nice-ratio', '3', '--serve-socket-file', socketFile('stop')], { signal: stop.signal, observe: (s) => (state = s) });
    await waitUntil(() => (state?.chunks ?? 0) >= 5, 60_000, 'a few chunks');
    stop.abort();
    const { error } = await running;
    const chunks = state?.chunks ?? 0;
    expect(error?.message).toBe(`stopped by signal: the ${chunks} chunks done stay done (rows matched: ${chunks * 100}, changed: ${chunks * 100}); the checkpoint ${db.name}._stopping_bfk is kept: go on with --resume (same --set and --where)`);
    expect(await queryValue(admin, 'SELECT chunks FROM _stopping_bfk')).toBe(String(chunks));
    expect(await queryValue(admin, 'SELECT SUM(c) FROM stopping')).toBe(String(chunks * 100));
    // A panic flag file stops the resumed run before its first chunk; the checkpoint stays where it was.
    const flag = `/tmp/oschange-bf-panic-${process.pid}`;
    writeFileSync(flag, '');
    try {
      const panicked = await backfill(db.app, db.name, 'stopping', ['--set', 'c = c + 1', '--where', 'TRUE', '--execute', '--resume', '--panic-flag-file', flag, '--throttle-flag-file', flag, '--serve-socket-file', socketFile('stop')]);
      expect(panicked.error?.message).toBe(`stopped: panic flag file ${flag} exists; the ${chunks} chunks done stay done (rows matched: ${chunks * 100}, changed: ${chunks * 100}); the checkpoint ${db.name}._stopping_bfk is kept: go on with --resume (same --set and --where)`);
    } finally {
      rmSync(flag, { force: true });
    }
    expect(await queryValue(admin, 'SELECT SUM(c) FROM stopping')).toBe(String(chunks * 100));
  });
});

// Its own pair per flavor: stopping a replica must not disturb the other tests.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

describe.each(flavors)('backfill throttled by replica lag on a %s pair', (flavor) => {
  it('holds the walk while the replica lags past --max-lag-millis, says so, and finishes once it caught up', async () => {
    const sandbox = await startSandbox({ flavor });
    const socket = socketFile(`lag-${flavor}`);
    try {
      const admin = await connect({ ...sandbox.primary.admin, database: 'app' });
      const replica = await connect(sandbox.replica.admin);
      await admin.query('CREATE TABLE items (id INT NOT NULL PRIMARY KEY, note VARCHAR(20) NULL)');
      await seed(admin, 'items', 30_000, 'n, NULL');
      await waitForReplication(sandbox.version, admin, replica, 60_000);
      let state: BackfillState | undefined;
      const running = backfill(sandbox.primary.app, 'app', 'items', ['--set', "note = 'filled'", '--where', 'note IS NULL', '--execute', '--chunk-size', '100', '--nice-ratio', '2', '--max-lag-millis', '1000', '--serve-socket-file', socket], { observe: (s) => (state = s) });
      await waitUntil(() => (state?.chunks ?? 0) >= 5, 60_000, 'the walk to get going');
      const st = state as BackfillState;
      await replica.query(stopReplica(sandbox.version, 'sql').sql);
      await waitUntil(() => /lag=/.test(st.throttleReason ?? ''), 60_000, 'the throttle to name the lag');
      expect(st.throttleReason).toMatch(new RegExp(`^lag=[\\d.]+s on replica 127\\.0\\.0\\.1:${sandbox.replica.port}: replication stopped \\(IO thread Yes, SQL thread No\\)$`));
      const held = st.chunks;
      await new Promise((r) => setTimeout(r, 1500));
      // At most the chunk in flight when the throttle began.
      expect(st.chunks - held).toBeLessThanOrEqual(1);
      const { stdout } = await run('sh', ['-c', 'printf "sup\\n" | nc -U -N "$1"', 'nc', socket]);
      expect(stdout).toMatch(/; State: throttled, lag=[\d.]+s on replica 127\.0\.0\.1:\d+: replication stopped \(IO thread Yes, SQL thread No\); /);
      await replica.query(startReplica(sandbox.version).sql);
      const { error, out } = await running;
      expect(error).toBeUndefined();
      expect(st.throttledMs).toBeGreaterThan(0);
      expect(out.at(-1)).toMatch(/^Done: app\.items backfilled in [\d.ms]+; rows matched: 30000, rows changed: 30000; chunks: \d+; time throttled: [\d.ms]+\.$/);
      await waitForReplication(sandbox.version, admin, replica, 60_000);
      expect(await queryValue(replica, "SELECT COUNT(*) FROM app.items WHERE note = 'filled'")).toBe('30000');
      await admin.end();
      await replica.end();
    } finally {
      await sandbox.stop({ graceMs: 3000 });
    }
  });
});
