import { createConnection } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { revertCommand } from '../../src/cli/revert-command.js';
import { revertFlags } from '../../src/cli/revert-options.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import type { CutOverGate } from '../../src/migration/attempt.js';
import type { RevertResult } from '../../src/revert/run.js';
import { configFromFlags } from '../helpers/migration.js';
import { ModelLoad, seedRow, type ModelRow } from '../helpers/model-load.js';
import { exited, spawnCli, waitForLine } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';
import { socketPaths } from '../helpers/sockets.js';

/**
 * `oschange revert` against real servers: a migration under a modelled write load keeps its old
 * table in sync (--keep-reverse-sync), more writes land, and the revert swaps the old table back —
 * holding exactly the committed writes before and after the swap; the same after a SIGKILL of the
 * reverse sync; and each inexact revert refused with both tables as they were.
 */
const ROWS = 2000;
const sockets = socketPaths('rv');
const socketFile = sockets.next;
afterAll(() => sockets.removeAll());

interface Outcome {
  readonly out: string[];
  readonly error: Error | undefined;
  readonly result: RevertResult | undefined;
}

/** `oschange revert …` in this process, as the CLI runs it (flags through yargs). */
async function revert(app: Endpoint, database: string, table: string, args: readonly string[], beforeCutOver?: (gate: CutOverGate) => Promise<void>): Promise<Outcome> {
  const argv = ['--host', app.host, '--port', String(app.port), '--user', app.user, '--database', database, '--table', table, '--serve-socket-file', socketFile(table), '--replica-server-id', String(10_000 + Math.floor(Math.random() * 50_000)), ...args];
  const raw = revertFlags(yargs(argv)).strict().parseSync();
  const out: string[] = [];
  try {
    const result = await revertCommand({ raw, out: (l) => out.push(l), signal: new AbortController().signal, log: silentLogger(), env: { OSCHANGE_PASSWORD: app.password }, ...(beforeCutOver === undefined ? {} : { beforeCutOver }) });
    return { out, error: undefined, result };
  } catch (err) {
    return { out, error: err as Error, result: undefined };
  }
}

/** One command over the control socket, its reply. */
function ask(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = createConnection(socketPath);
    let reply = '';
    c.on('data', (d: Buffer) => (reply += d.toString()));
    c.on('end', () => resolve(reply));
    c.on('error', reject);
    c.write(`${command}\n`);
    setTimeout(() => c.end(), 1000);
  });
}

describe.each(testServers().map((s) => [label(s), s] as const))('revert on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const endpoint = (): Endpoint => ({ ...server.primary.admin, database: db.name });
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [db.name])).map((r) => String(r['t'])).sort();
  const content = async (table: string): Promise<ModelRow[]> =>
    (await queryRows(admin, `SELECT id, k, v, CAST(n AS CHAR) AS n FROM \`${db.name}\`.\`${table}\` ORDER BY id`)).map((r) => ({ id: Number(r['id']), k: Number(r['k']), v: String(r['v']), n: String(r['n']) }));
  const expected = (load: ModelLoad): ModelRow[] => [...load.model.values()].sort((a, b) => a.id - b.id);
  const seedItems = async (table: string): Promise<void> => {
    await admin.query(`CREATE TABLE \`${table}\` (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, n BIGINT NOT NULL, KEY k (k))`);
    const rows = Array.from({ length: ROWS }, (_, i) => seedRow(i + 1));
    await admin.query(`INSERT INTO \`${table}\` (id, k, v, n) VALUES ?`, [rows.map((r) => [r.id, r.k, r.v, r.n])]);
  };
  const ALTER = 'ADD COLUMN note VARCHAR(20) NULL, MODIFY v VARCHAR(100) NOT NULL';

  beforeAll(async () => {
    db = await freshDatabase(server, 'revert');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('migrates under load with a reverse sync, then reverts: the old table holds exactly the committed writes before and after the swap back', async () => {
    await seedItems('items');
    const load = new ModelLoad({ endpoint: endpoint(), database: db.name, table: 'items', writers: 2, seedRows: ROWS, seed: 15, pauseMs: 5 });
    load.start();
    try {
      const config = configFromFlags(db.app, db.name, 'items', ALTER, ['--chunk-size', '200', '--keep-reverse-sync', '2s', '--serve-socket-file', socketFile('m')]);
      const out: string[] = [];
      await runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: new AbortController().signal });
      expect(out.find((l) => l.startsWith('Revert: '))).toMatch(/^Revert: the cut-over's binlog position \S+:\d+ is recorded in _items_ghr; `oschange revert --database \S+ --table items` swaps _items_del back while the binlog from there is kept\.$/);
      expect(out).toContain(`Reverse sync: replaying ${db.name}.items's writes into _items_del for 2s (stop it any time: SIGTERM, or panic on the socket).`);
      expect(out.find((l) => l.startsWith('Reverse sync: ended'))).toMatch(new RegExp(`^Reverse sync: ended after 2s; _items_del holds ${db.name}\\.items's writes up to \\S+:\\d+ \\(saved in _items_ghr\\)\\.$`));
      expect(out.at(-1)).toMatch(/^Done: /);
      expect(await tables()).toEqual(['_items_del', '_items_ghr', 'items']);
      // More writes on the new schema, with no reverse sync running.
      await new Promise((r) => setTimeout(r, 1000));

      const dry = await revert(db.app, db.name, 'items', []);
      expect(dry.error).toBeUndefined();
      expect(dry.out).toContain('Exact: yes: every row of the table fits the old schema unchanged (checked now; the write guard checks every row replayed later).');
      expect(dry.out).toContain('Columns: id, k, v, n, note (added by the migration: not in the old table); rows found by PRIMARY (id).');
      expect(dry.out.at(-1)).toBe('Dry run: nothing was changed. Add --execute to revert.');

      let before: ModelRow[] | undefined;
      let modelBefore: ModelRow[] | undefined;
      const done = await revert(db.app, db.name, 'items', ['--execute'], async (gate) => {
        await load.stop();
        await gate.waitCaughtUp();
        before = await content('_items_del');
        modelBefore = expected(load);
        load.start();
      });
      expect(done.error).toBeUndefined();
      expect(done.out.at(-1)).toMatch(new RegExp(`^Done: ${db.name}\\.items reverted; binlog events replayed: [1-9]\\d*; checksum equal \\(\\d+ chunks, 0 repaired\\); table locked for \\d+ ms at the swap back; the new-schema table is kept as _items_rev\\.$`));
      expect(before).toEqual(modelBefore);
      expect(load.committed).toBeGreaterThan(0);
    } finally {
      await load.stop();
    }
    expect(load.uncertain).toBe(0);
    expect(await content('items')).toEqual(expected(load));
    const columns = await queryRows(admin, "SELECT COLUMN_NAME AS c, DATA_TYPE AS t, CHARACTER_MAXIMUM_LENGTH AS len FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'items' ORDER BY ORDINAL_POSITION", [db.name]);
    expect(columns.map((c) => `${String(c['c'])} ${String(c['t'])}${c['len'] === null ? '' : `(${String(c['len'])})`}`)).toEqual(['id int', 'k int', 'v varchar(64)', 'n bigint']);
    expect(await tables()).toEqual(['_items_rev', 'items']);
  });

  it('reverts after a SIGKILL of the reverse sync: goes on from its checkpoint, every committed write in the old table', async () => {
    await seedItems('killed');
    const load = new ModelLoad({ endpoint: endpoint(), database: db.name, table: 'killed', writers: 2, seedRows: ROWS, seed: 16, pauseMs: 5 });
    load.start();
    try {
      const socket = socketFile('k');
      const child = spawnCli(
        ['--host', db.app.host, '--port', String(db.app.port), '--user', db.app.user, '--database', db.name, '--table', 'killed', '--alter', ALTER, '--execute', '--chunk-size', '200', '--keep-reverse-sync', '10m', '--serve-socket-file', socket, '--replica-server-id', String(10_000 + Math.floor(Math.random() * 50_000))],
        { OSCHANGE_PASSWORD: db.app.password },
      );
      const exit = exited(child);
      await waitForLine(child, (l) => l.startsWith('Reverse sync: replaying'), 120_000);
      await new Promise((r) => setTimeout(r, 2500));
      expect(await ask(socket, 'status')).toMatch(/reverse sync/);
      // While it runs, a revert is refused (two processes would replay into the old table).
      const busy = await revert(db.app, db.name, 'killed', []);
      expect(busy.error?.message).toMatch(new RegExp(`^revert: a reverse sync or another revert of ${db.name}\\.killed is running \\(its heartbeat in ${db.name}\\._killed_ghc is \\d+ ms old\\): stop it first \\(SIGTERM; it saves where it got to\\)$`));
      child.kill('SIGKILL');
      await exit;
      // More writes, and its heartbeat goes stale.
      await new Promise((r) => setTimeout(r, 3500));
      const done = await revert(db.app, db.name, 'killed', ['--execute']);
      expect(done.error).toBeUndefined();
      expect(done.out.at(-1)).toMatch(/^Done: .* reverted; /);
    } finally {
      await load.stop();
    }
    expect(load.uncertain).toBe(0);
    expect(await content('killed')).toEqual(expected(load));
    expect((await tables()).filter((t) => t.includes('killed'))).toEqual(['_killed_rev', 'killed']);
  });

  it('stops the reverse sync cleanly on SIGTERM (the migration done), and the revert goes on from where it stopped', async () => {
    await seedItems('termed');
    const load = new ModelLoad({ endpoint: endpoint(), database: db.name, table: 'termed', writers: 2, seedRows: ROWS, seed: 17, pauseMs: 5 });
    load.start();
    try {
      const child = spawnCli(
        ['--host', db.app.host, '--port', String(db.app.port), '--user', db.app.user, '--database', db.name, '--table', 'termed', '--alter', ALTER, '--execute', '--chunk-size', '200', '--keep-reverse-sync', '10m', '--serve-socket-file', socketFile('t'), '--replica-server-id', String(10_000 + Math.floor(Math.random() * 50_000))],
        { OSCHANGE_PASSWORD: db.app.password },
      );
      const lines: string[] = [];
      child.stdout?.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter((l) => l !== '')));
      const exit = exited(child);
      await waitForLine(child, (l) => l.startsWith('Reverse sync: replaying'), 120_000);
      await new Promise((r) => setTimeout(r, 1500));
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(lines.find((l) => l.startsWith('Reverse sync: stopped'))).toMatch(new RegExp(`^Reverse sync: stopped \\(stopped by SIGTERM\\); _termed_del holds ${db.name}\\.termed's writes up to \\S+:\\d+ \\(saved in _termed_ghr\\); \`oschange revert\` goes on from there\\.$`));
      expect(lines.some((l) => l.startsWith(`Done: ${db.name}.termed migrated`))).toBe(true);
      expect((await tables()).filter((t) => t.includes('termed'))).toEqual(['_termed_del', '_termed_ghr', 'termed']);
      const done = await revert(db.app, db.name, 'termed', ['--execute']);
      expect(done.error).toBeUndefined();
    } finally {
      await load.stop();
    }
    expect(load.uncertain).toBe(0);
    expect(await content('termed')).toEqual(expected(load));
  });

  it('refuses an inexact revert with the row that shows it, both tables unchanged; reverts with --allow-inexact-revert', async () => {
    await admin.query('CREATE TABLE r (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL, legacy INT NOT NULL DEFAULT 0)');
    await admin.query("INSERT INTO r (id, v, legacy) VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)");
    const alter = "ADD COLUMN note VARCHAR(20) NOT NULL DEFAULT '', MODIFY v VARCHAR(100) NULL, DROP COLUMN legacy";
    const config = configFromFlags(db.app, db.name, 'r', alter, ['--keep-reverse-sync', '1s', '--allow', 'drop-column', '--serve-socket-file', socketFile('r')]);
    await runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal });
    const snapshot = async () => ({
      r: await queryRows(admin, 'SELECT * FROM r ORDER BY id'),
      del: await queryRows(admin, 'SELECT * FROM _r_del ORDER BY id'),
      tables: (await tables()).filter((t) => t === 'r' || t.startsWith('_r_')),
    });
    const refused = async (expectedMessage: string): Promise<void> => {
      const before = await snapshot();
      const dry = await revert(db.app, db.name, 'r', []);
      expect(dry.error).toBeUndefined();
      expect(dry.out).toContain('Exact: no: refused without --allow-inexact-revert:');
      const run = await revert(db.app, db.name, 'r', ['--execute']);
      expect(run.error?.message).toBe(expectedMessage);
      expect(await snapshot()).toEqual(before);
    };
    const head = `revert of ${db.name}.r would not be exact: ${db.name}.r: `;
    const tail = '. Nothing was changed. Fix those rows, or accept the loss with --allow-inexact-revert';

    await admin.query("UPDATE r SET note = 'hello' WHERE id = 2");
    await refused(`${head}column note (added by the migration, not in _r_del) holds values the revert would lose, e.g. id 2: note='hello'${tail}`);
    await admin.query("UPDATE r SET note = '' WHERE id = 2");

    await admin.query("UPDATE r SET v = REPEAT('x', 50) WHERE id = 3");
    await refused(`${head}column v holds values longer than 20 characters, e.g. id 3: v='${'x'.repeat(40)}…'; the old column v varchar(20) NOT NULL cannot hold it unchanged${tail}`);
    await admin.query("UPDATE r SET v = 'c' WHERE id = 3");

    await admin.query('UPDATE r SET v = NULL WHERE id = 1');
    await refused(`${head}column v holds NULLs, which the NOT NULL column would turn into its type's default, e.g. id 1: v=NULL; the old column v varchar(20) NOT NULL cannot hold it unchanged${tail}`);
    await admin.query("UPDATE r SET v = 'a' WHERE id = 1");

    // The binlog the revert needs is gone (a name the server does not have stands in for a purged file).
    const [saved] = await queryRows(admin, 'SELECT binlog_file FROM _r_ghr');
    await admin.query("UPDATE _r_ghr SET binlog_file = 'binlog.000000'");
    const purged = await revert(db.app, db.name, 'r', []);
    expect(purged.error?.message).toMatch(
      new RegExp(`^revert: the binlog file binlog\\.000000 that ${db.name}\\.r's writes since binlog\\.000000:\\d+ must be replayed from has been purged from the server \\(it has \\S+ … \\S+\\): _r_del cannot be brought up to date; keep binlogs longer than --keep-reverse-sync \\(binlog_expire_logs_seconds\\)$`),
    );
    await admin.query('UPDATE _r_ghr SET binlog_file = ?', [String(saved?.['binlog_file'])]);

    // A row written since the swap, and an inexact one accepted: the revert goes through; the dropped column
    // comes back (its default for the new row), the added one's value is lost, the long value cut to the old length.
    await admin.query("INSERT INTO r (id, v) VALUES (4, 'd')");
    await admin.query("UPDATE r SET v = REPEAT('y', 25), note = 'bye' WHERE id = 1");
    const done = await revert(db.app, db.name, 'r', ['--execute', '--allow-inexact-revert']);
    expect(done.error).toBeUndefined();
    expect(done.out).toContain('Exact: no (accepted with --allow-inexact-revert):');
    expect(await queryRows(admin, 'SELECT id, v, legacy FROM r ORDER BY id')).toEqual([
      { id: 1, v: 'y'.repeat(20), legacy: 1 },
      { id: 2, v: 'b', legacy: 2 },
      { id: 3, v: 'c', legacy: 3 },
      { id: 4, v: 'd', legacy: 0 },
    ]);

    const none = await revert(db.app, db.name, 'r', []);
    expect(none.error?.message).toBe(
      `revert: there is no record of a cut-over of ${db.name}.r (${db.name}._r_ghr): oschange records one when a migration runs with --keep-reverse-sync; without it, or once a revert has finished, there is nothing to revert from`,
    );
  });

  it('renames a column back, with no reverse sync having run: the values written under the new name land under the old one', async () => {
    await admin.query('CREATE TABLE rn (id INT NOT NULL PRIMARY KEY, a INT NOT NULL, c VARCHAR(10) NULL)');
    await admin.query("INSERT INTO rn (id, a, c) VALUES (1, 10, 'x'), (2, 20, 'y'), (3, 30, 'z')");
    // 0: the cut-over is recorded, and no reverse sync runs: the revert replays everything since.
    const config = configFromFlags(db.app, db.name, 'rn', 'RENAME COLUMN a TO b', ['--approve-renamed-columns', '--keep-reverse-sync', '0', '--serve-socket-file', socketFile('rn')]);
    const out: string[] = [];
    await runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: new AbortController().signal });
    expect(out.filter((l) => l.startsWith('Revert: ') || l.startsWith('Reverse sync: '))).toHaveLength(1);
    expect((await tables()).filter((t) => t.startsWith('_rn_') || t === 'rn')).toEqual(['_rn_del', '_rn_ghr', 'rn']);
    await admin.query('UPDATE rn SET b = 21 WHERE id = 2');
    await admin.query('DELETE FROM rn WHERE id = 3');
    await admin.query("INSERT INTO rn (id, b, c) VALUES (4, 40, NULL)");
    const dry = await revert(db.app, db.name, 'rn', []);
    expect(dry.out).toContain('Columns: id, b → a (renamed back), c; rows found by PRIMARY (id).');
    const done = await revert(db.app, db.name, 'rn', ['--execute']);
    expect(done.error).toBeUndefined();
    expect(await queryRows(admin, 'SELECT * FROM rn ORDER BY id')).toEqual([
      { id: 1, a: 10, c: 'x' },
      { id: 2, a: 21, c: 'y' },
      { id: 4, a: 40, c: null },
    ]);
  });

  it('refuses a revert no replay can make: an old NOT NULL column without a default that the migration dropped', async () => {
    await admin.query('CREATE TABLE z (id INT NOT NULL PRIMARY KEY, legacy INT NOT NULL, w INT NULL)');
    await admin.query('INSERT INTO z (id, legacy, w) VALUES (1, 10, 100), (2, 20, 200)');
    const config = configFromFlags(db.app, db.name, 'z', 'DROP COLUMN legacy', ['--keep-reverse-sync', '1s', '--allow', 'drop-column', '--serve-socket-file', socketFile('z')]);
    const out: string[] = [];
    await runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: new AbortController().signal });
    expect(out).toContain(
      `Reverse sync: not started: the old table's column legacy is NOT NULL without a default and z has no values for it, so no write can be replayed into _z_del; ${db.name}.z cannot be reverted by oschange.`,
    );
    const before = { z: await queryRows(admin, 'SELECT * FROM z ORDER BY id'), del: await queryRows(admin, 'SELECT * FROM _z_del ORDER BY id') };
    const reason = `${db.name}.z: the old table's column legacy is NOT NULL without a default and z has no values for it: no write since the swap can be replayed into _z_del (the server refuses a row without it)`;
    const dry = await revert(db.app, db.name, 'z', []);
    expect(dry.out).toContain('Exact: no: refused (no flag lifts it):');
    expect(dry.out).toContain(`  ${reason}`);
    const run = await revert(db.app, db.name, 'z', ['--execute', '--allow-inexact-revert']);
    expect(run.error?.message).toBe(`revert of ${db.name}.z is not possible: ${reason}. Nothing was changed`);
    expect({ z: await queryRows(admin, 'SELECT * FROM z ORDER BY id'), del: await queryRows(admin, 'SELECT * FROM _z_del ORDER BY id') }).toEqual(before);
  });
});
