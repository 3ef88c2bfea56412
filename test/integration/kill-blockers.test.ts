import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import { createLogger, silentLogger, type Logger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { ModelLoad, seedRow, type ModelRow } from '../helpers/model-load.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

// Its own pair per flavor: the test servers run with performance_schema off (MySQL's is turned off
// there) and without MariaDB's metadata_lock_info plugin, so they cannot show who holds a lock.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');
const ROWS = 300;

function captureLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ level: 'warn', pretty: false, destination }), lines };
}

/**
 * --force-kill-blockers-after: a transaction left open on the table holds the cut-over's lock off.
 * The first N attempts time out and kill nobody; the next names the blocker in the log and kills it,
 * and the migration finishes with every row. Without the flag the migration gives up with the
 * table untouched, and the blocker's transaction is still there.
 */
describe.each(flavors)('cut-over blocked by a long transaction, on %s', (flavor) => {
  let sandbox: LocalSandbox;
  let admin: Connection;
  const database = 'app';
  const migrate = async (table: string, extra: string[], log: Logger = silentLogger()) => {
    const config = configFromFlags(sandbox.primary.admin, database, table, 'ADD COLUMN c INT', [
      '--cut-over-lock-timeout-seconds', '1', '--serve-socket-file', `/tmp/oschange-blockers-${flavor}-${process.pid}.sock`, ...extra,
    ]);
    const out: string[] = [];
    let state: MigrationState | undefined;
    const outcome = await runMigration({ config, log, out: (l) => out.push(l), signal: new AbortController().signal, observe: (s) => (state = s) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { out, error: outcome instanceof Error ? outcome : undefined, attempts: state?.cutOverAttempts ?? 0 };
  };
  /** A table in the write load's shape, with the rows it expects (test/helpers/model-load.ts). */
  const create = async (table: string): Promise<void> => {
    await admin.query(`CREATE TABLE ${table} (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(64) NOT NULL, n BIGINT NOT NULL) ENGINE=InnoDB`);
    const rows = Array.from({ length: ROWS }, (_, i) => seedRow(i + 1));
    await admin.query(`INSERT INTO ${table} (id, k, v, n) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`, rows.flatMap((r) => [r.id, r.k, r.v, r.n]));
  };
  const rowsOf = async (table: string): Promise<ModelRow[]> =>
    (await queryRows(admin, `SELECT id, k, v, CAST(n AS CHAR) AS n FROM ${table} ORDER BY id`)).map((r) => ({ id: Number(r['id']), k: Number(r['k']), v: String(r['v']), n: String(r['n']) }));
  /** A session of the application's user that read the table in a transaction it keeps open. */
  const blocker = async (table: string): Promise<{ conn: Connection; id: number }> => {
    const conn = await connect({ ...sandbox.primary.app, database });
    await conn.query('BEGIN');
    await conn.query(`SELECT COUNT(*) FROM ${table} WHERE v LIKE 'v1%'`);
    return { conn, id: Number(await queryValue(conn, 'SELECT CONNECTION_ID()')) };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ flavor, extraServerArgs: flavor === 'mysql' ? ['--performance-schema=ON'] : [] });
    admin = await connect({ ...sandbox.primary.admin, database });
    // MariaDB shows metadata locks through its plugin (performance_schema's instrument is off by default there).
    if (flavor === 'mariadb') await admin.query("INSTALL SONAME 'metadata_lock_info'");
  }, 240_000);
  afterAll(async () => {
    await admin?.end();
    await sandbox?.stop({ graceMs: 3000 });
  });

  it('kills the blocker only after 2 timed-out attempts, naming it first, and finishes with every row under writes', async () => {
    await create('orders');
    const b = await blocker('orders');
    const load = new ModelLoad({ endpoint: { ...sandbox.primary.app, database }, database, table: 'orders', writers: 2, seedRows: ROWS, seed: 14, pauseMs: 5 });
    load.start();
    const { log, lines } = captureLog();
    let r: Awaited<ReturnType<typeof migrate>>;
    try {
      r = await migrate('orders', ['--force-kill-blockers-after', '2', '--default-retries', '5'], log);
    } finally {
      await load.stop();
    }
    expect(r.error).toBeUndefined();
    expect(r.out.at(-1)).toMatch(/^Done: app\.orders migrated in /);
    expect(r.out).toContain(
      '  blockers:    after 2 cut-over attempts time out on the lock (1 s each), every later attempt kills the sessions still holding a lock on app.orders once its lock has waited 0.5 s ' +
        '(an open transaction that read or wrote the table, a long query; or an ALTER queued before it): their transactions are rolled back; each is named in the log first (--force-kill-blockers-after 2)',
    );
    // Two attempts failed on the lock and killed nobody; the third killed the blocker, named in full.
    const failed = lines.filter((l) => l['msg'] === 'cut-over attempt failed; the original table is untouched; retrying');
    const killed = lines.filter((l) => String(l['msg']).startsWith('killing session '));
    expect(failed.map((l) => l['attempt'])).toEqual([1, 2]);
    for (const f of failed) expect(String(f['err'])).toMatch(/Lock wait timeout exceeded/);
    expect(killed).toHaveLength(1);
    expect(lines.indexOf(killed[0] as Record<string, unknown>)).toBeGreaterThan(lines.indexOf(failed[1] as Record<string, unknown>));
    expect(killed[0]).toMatchObject({ id: b.id, user: 'oschange', command: 'Sleep', state: '', info: null });
    expect(killed[0]?.['msg']).toMatch(new RegExp(`^killing session ${b.id} \\(oschange@[^,]+, Sleep for \\d+s\\): it holds a lock on app\\.orders that blocks the cut-over$`));
    expect(r.attempts).toBe(3);
    // The blocker's session is gone; every row the application wrote is in the new table, as written.
    await expect(b.conn.query('SELECT 1')).rejects.toThrow();
    b.conn.destroy();
    expect(load.committed).toBeGreaterThan(0);
    expect(await rowsOf('orders')).toEqual([...load.model.values()].sort((x, y) => x.id - y.id));
    expect(Number(await queryValue(admin, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'c'"))).toBe(1);
  });

  it('without the flag, kills nobody and gives up after its retries with the table untouched', async () => {
    await create('invoices');
    const shape = (await queryRows(admin, 'SHOW CREATE TABLE invoices'))[0]?.['Create Table'];
    const b = await blocker('invoices');
    try {
      const r = await migrate('invoices', ['--default-retries', '2']);
      expect(r.error?.message).toBe('cut-over failed after 2 attempt(s), the original table is untouched: Lock wait timeout exceeded; try restarting transaction');
      expect((await queryRows(admin, 'SHOW CREATE TABLE invoices'))[0]?.['Create Table']).toBe(shape);
      // The blocker's transaction is alive and still sees its snapshot.
      expect(Number(await queryValue(b.conn, 'SELECT COUNT(*) FROM invoices'))).toBe(ROWS);
    } finally {
      await b.conn.query('COMMIT');
      await b.conn.end();
    }
  });
});

/** The refusal: a server that cannot show who holds a lock is refused before anything is created. */
describe.each(testServers().map((s) => [label(s), s] as const))('--force-kill-blockers-after on %s without lock information', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  beforeAll(async () => {
    db = await freshDatabase(server, 'noblk');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await admin.query('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, v INT)');
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('refuses, in a dry run too, saying what to turn on, and creates nothing', async () => {
    const how =
      server.version.flavor === 'mysql'
        ? 'start the server with performance_schema=ON (its wait/lock/metadata/sql/mdl instrument is on by default), and grant SELECT on performance_schema.setup_instruments, performance_schema.metadata_locks and performance_schema.threads'
        : "load the metadata_lock_info plugin (INSTALL SONAME 'metadata_lock_info'), or start the server with performance_schema=ON and performance-schema-instrument='wait/lock/metadata/sql/mdl=ON'";
    for (const execute of [[], ['--execute']]) {
      const config = configFromFlags(db.app, db.name, 't', 'ADD COLUMN c INT', ['--force-kill-blockers-after', '1', ...(execute.length === 0 ? ['--no-execute'] : [])]);
      const error = await runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toBe(`--force-kill-blockers-after needs to see who holds a lock on the table, and this server does not show it: ${how}`);
      const tables = (await queryRows(admin, 'SHOW TABLES')).map((r) => String(Object.values(r)[0]));
      expect(tables).toEqual(['t']);
    }
  });
});
