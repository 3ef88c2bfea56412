import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swapTogether } from '../../src/cutover/swap-together.js';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';
import { tableNames, type TableNames } from '../../src/inspect/names.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags, runTestMigration } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * Several tables, one cut-over (`--table a --alter … --table b --alter …`, src/cutover/swap-together.ts).
 * Where the server cannot swap them atomically the migration is refused before anything changes. On
 * MySQL with performance_schema (its own sandbox: the shared test servers run without it):
 * - the swap itself, 20 times under a writer of both tables and a reader of both: never mixed;
 * - an application transaction that holds one table and asks for the other while the cut-over locks
 *   them is not made a deadlock victim;
 * - whole migrations under transactions that write both tables, compared row for row with mirror tables.
 */
const ACCOUNTS = 2000;
const ENTRIES = 4000;
const ALTER_A = 'ADD COLUMN note VARCHAR(20) NULL';
const ALTER_B = 'ADD COLUMN memo VARCHAR(20) NULL';

/** The test's stand-in for the applier (its fill of a ghost, and the writer's copies into it) may collide with itself. */
async function againOnDeadlock<T>(f: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await f();
    } catch (e) {
      if ((e as { errno?: number }).errno !== 1213 || n >= 10) throw e;
    }
  }
}

const tablesOf = async (c: Connection): Promise<string[]> => (await queryRows(c, 'SHOW TABLES')).map((r) => String(Object.values(r)[0])).sort();

/** accounts and entries (and their mirrors `_m`, which no migration touches). */
async function createTables(c: Connection, suffixes: readonly string[]): Promise<void> {
  for (const suffix of suffixes) {
    await c.query(`CREATE TABLE accounts${suffix} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, owner INT NOT NULL, balance INT NOT NULL) ENGINE=InnoDB`);
    await c.query(`CREATE TABLE entries${suffix} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL, amount INT NOT NULL, KEY (account_id)) ENGINE=InnoDB`);
    const rows = (n: number, row: (i: number) => string): string => Array.from({ length: n }, (_, i) => row(i + 1)).join(', ');
    await c.query(`INSERT INTO accounts${suffix} (id, owner, balance) VALUES ${rows(ACCOUNTS, (i) => `(${i}, ${i % 97}, 0)`)}`);
    await c.query(`INSERT INTO entries${suffix} (id, account_id, amount) VALUES ${rows(ENTRIES, (i) => `(${i}, ${1 + (i % ACCOUNTS)}, ${i % 50})`)}`);
  }
}

const flagsFor = (app: Endpoint, database: string, extra: readonly string[] = []): ReturnType<typeof configFromFlags> =>
  configFromFlags(app, database, 'accounts', ALTER_A, ['--table', 'entries', '--alter', ALTER_B, '--chunk-size', '500', ...extra]);

describe.each(testServers().map((s) => [label(s), s] as const))('several tables, refused where the server does not show lock waits, on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;

  beforeAll(async () => {
    db = await freshDatabase(server, 'several');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await createTables(admin, ['']);
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('refuses before it changes anything, saying why and what works', async () => {
    const before = await tablesOf(admin);
    const run = await runTestMigration(flagsFor(db.app, db.name));
    expect(run.error?.message).toBe(
      'several tables in one cut-over need to see which table lock a session waits for, and this server does not show it: ' +
        (server.version.flavor === 'mysql'
          ? 'start the server with performance_schema=ON (its wait/lock/metadata/sql/mdl instrument is on by default), '
          : "start the server with performance_schema=ON and performance-schema-instrument='wait/lock/metadata/sql/mdl=ON', ") +
        'and grant SELECT on performance_schema.setup_instruments, performance_schema.metadata_locks and performance_schema.threads',
    );
    expect(await tablesOf(admin)).toEqual(before);
  });
});

// Its own pair per flavor: the shared test servers run without performance_schema's metadata locks.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

describe.each(flavors)('several tables, one cut-over, on %s with performance_schema', (flavor) => {
  let sandbox: LocalSandbox;
  let admin: Connection;
  let app: Endpoint;
  let n = 0;
  /** A database of its own per test: the tables' names stay those of the messages. */
  const database = async (): Promise<string> => {
    const name = `several${++n}`;
    await sandbox.createDatabase(name);
    await admin.query(`USE ${name}`);
    return name;
  };

  /** Tables a and b, empty, and their ghosts, in a database of their own. */
  const emptyPair = async (): Promise<{ name: string; db: Endpoint; names: TableNames[] }> => {
    const name = await database();
    const names = [tableNames('a'), tableNames('b')];
    for (const t of names) {
      await admin.query(`CREATE TABLE ${t.original} (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
      await admin.query(`CREATE TABLE ${t.ghost} LIKE ${t.original}`);
    }
    return { name, db: { ...app, database: name }, names };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({
      flavor,
      extraServerArgs: flavor === 'mysql' ? ['--performance-schema=ON'] : ['--performance-schema=ON', '--performance-schema-instrument=wait/lock/metadata/sql/mdl=ON'],
    });
    admin = await connect(sandbox.primary.admin);
    app = sandbox.primary.app;
    // README, "Privileges oschange needs": several tables in one cut-over read who waits for which lock.
    const c = await connect(app);
    const account = String(await queryValue(c, 'SELECT CURRENT_USER()'));
    await c.end();
    const [user, host] = [account.slice(0, account.lastIndexOf('@')), account.slice(account.lastIndexOf('@') + 1)];
    for (const t of ['setup_instruments', 'metadata_locks', 'threads']) await admin.query(`GRANT SELECT ON performance_schema.${t} TO ?@?`, [user, host]);
    // Creating a trigger (oschange's trial on the ghost) with binary logging on needs SUPER or this.
    await admin.query('SET GLOBAL log_bin_trust_function_creators = 1');
  }, 240_000);
  afterAll(async () => {
    await admin?.end();
    await sandbox?.stop({ graceMs: 3000 });
  });

  it('swaps two tables 20 times under a writer of both and a reader of both: never mixed, no write left behind, no sentry left', async () => {
    const name = await database();
    const db = { ...app, database: name };
    for (const t of ['a', 'b']) {
      await admin.query(`CREATE TABLE ${t} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, tag VARCHAR(10) NOT NULL DEFAULT 'g0') ENGINE=InnoDB`);
      await admin.query(`INSERT INTO ${t} (id, v) VALUES (1, 0)`);
    }
    const names = [tableNames('a'), tableNames('b')];
    let running = true;
    const committed = { a: new Set<number>(), b: new Set<number>() };
    // What a binlog applier would do, here by the writer itself: each committed row copied into the
    // ghost (when there is one) right after its commit. `mirrored` trails `transactions` only between the two.
    let transactions = 0;
    let mirrored = 0;
    const writer = (async () => {
      const c = await connect(db);
      try {
        for (let i = 1; running; i++) {
          await c.query('BEGIN');
          // b first, then a: the order that made a single LOCK TABLES of both a deadlock for the application.
          const [rb] = (await c.query('INSERT INTO b (v) VALUES (?)', [i])) as unknown as [{ insertId: number }];
          const [ra] = (await c.query('INSERT INTO a (v) VALUES (?)', [i])) as unknown as [{ insertId: number }];
          await c.query('COMMIT');
          transactions++;
          committed.a.add(ra.insertId);
          committed.b.add(rb.insertId);
          for (const [t, id] of [['a', ra.insertId], ['b', rb.insertId]] as const) {
            // No ghost between swaps (1146); a collision with the test's own fill of the ghost (1213) is tried again.
            await againOnDeadlock(() => c.query(`INSERT IGNORE INTO _${t}_gho (id, v) VALUES (?, ?)`, [id, i])).catch((e: { errno?: number }) => {
              if (e.errno !== 1146) throw e;
            });
          }
          mirrored++;
          // An application pauses between transactions; a loop without one never lets every table go at once.
          await sleep(3);
        }
      } finally {
        await c.end();
      }
    })();
    const seen = { reads: 0, mixed: [] as string[] };
    const reader = (async () => {
      const c = await connect(db);
      try {
        while (running) {
          const [r] = await queryRows(c, 'SELECT (SELECT tag FROM a WHERE id = 1) AS ta, (SELECT tag FROM b WHERE id = 1) AS tb');
          seen.reads++;
          if (r?.['ta'] !== r?.['tb']) seen.mixed.push(`${String(r?.['ta'])}/${String(r?.['tb'])}`);
          await sleep(1);
        }
      } finally {
        await c.end();
      }
    })();
    try {
      for (let i = 1; i <= 20; i++) {
        for (const t of names) {
          await admin.query(`CREATE TABLE ${t.ghost} LIKE ${t.original}`);
          await admin.query(`ALTER TABLE ${t.ghost} ALTER COLUMN tag SET DEFAULT 'g${i}'`);
          await againOnDeadlock(() => admin.query(`INSERT IGNORE INTO ${t.ghost} (id, v) SELECT id, v FROM ${t.original}`));
        }
        await sleep(20);
        const result = await swapTogether({
          connect: () => connect(db),
          database: name,
          version: sandbox.version,
          tables: names,
          lockTimeoutSeconds: 10,
          // Both tables held: the writer waits in its next transaction once its last one is in the ghosts.
          flush: () => waitUntil(() => mirrored === transactions, 10_000, 'the last committed rows in the ghosts'),
          log: silentLogger(),
          now: Date.now,
        });
        expect(result.lockMs).toBeGreaterThanOrEqual(0);
        for (const t of names) {
          // A write that reached the old table after the flush would be missing from the new one.
          const left = await queryValue(admin, `SELECT COUNT(*) FROM ${t.old} o LEFT JOIN ${t.original} x ON x.id = o.id WHERE x.id IS NULL`);
          expect(Number(left), `swap ${i}, ${t.original}`).toBe(0);
          await admin.query(`DROP TABLE ${t.old}`);
        }
        expect(await tablesOf(admin)).toEqual(['a', 'b']);
      }
    } finally {
      running = false;
      await Promise.all([writer, reader]);
    }
    expect(seen.reads).toBeGreaterThan(20);
    expect(transactions).toBeGreaterThan(20);
    expect(seen.mixed).toEqual([]);
    expect(await queryRows(admin, 'SELECT (SELECT tag FROM a WHERE id = 1) AS ta, (SELECT tag FROM b WHERE id = 1) AS tb')).toEqual([{ ta: 'g20', tb: 'g20' }]);
    for (const t of ['a', 'b'] as const) {
      const ids = new Set((await queryRows(admin, `SELECT id FROM ${t}`)).map((r) => Number(r['id'])));
      expect([...committed[t]].filter((id) => !ids.has(id))).toEqual([]);
    }
  }, 240_000);

  it('does not make a transaction that holds one table and asks for the other a deadlock victim: the cut-over lets go, and swaps once it has finished', async () => {
    const { name, db, names } = await emptyPair();
    const swap = (): Promise<unknown> =>
      swapTogether({ connect: () => connect(db), database: name, version: sandbox.version, tables: names, lockTimeoutSeconds: 2, flush: async () => undefined, log: silentLogger(), now: Date.now });
    const t = await connect(db);
    const watch = await connect(sandbox.primary.admin);
    try {
      await t.query('BEGIN');
      await t.query('INSERT INTO b (id, v) VALUES (1, 1)');
      const cutOver = swap().then(
        () => undefined,
        (e: unknown) => e,
      );
      // The cut-over holds a and waits for b, which the transaction holds.
      const waitingFor = async (table: string): Promise<boolean> =>
        Number(await queryValue(watch, "SELECT COUNT(*) FROM performance_schema.metadata_locks WHERE OBJECT_SCHEMA = ? AND OBJECT_NAME = ? AND LOCK_STATUS = 'PENDING'", [name, table])) > 0;
      await waitUntil(() => waitingFor('b'), 10_000, 'the cut-over to wait for b');
      // The transaction now asks for a. With one LOCK TABLES of both, MySQL would end this INSERT with 1213.
      await t.query('INSERT INTO a (id, v) VALUES (1, 1)');
      await t.query('COMMIT');
      // It went on (no 1213) because the cut-over let go of a; then the cut-over got both and swapped.
      expect(await cutOver).toBeUndefined();
      expect(await tablesOf(admin)).toEqual(['_a_del', '_b_del', 'a', 'b']);
      // The transaction's rows are in the tables it wrote, now the old ones.
      expect(Number(await queryValue(admin, 'SELECT (SELECT COUNT(*) FROM _a_del) + (SELECT COUNT(*) FROM _b_del)'))).toBe(2);
    } finally {
      await t.end();
      await watch.end();
    }
  }, 60_000);

  it('a write queued behind the cut-over reaches the new table, even when the rename is slow to get there', async () => {
    const { name, db, names } = await emptyPair();
    const w = await connect(db);
    const g = await connect(db);
    const watch = await connect(sandbox.primary.admin);
    const pendingOn = async (table: string): Promise<number> =>
      Number(await queryValue(watch, "SELECT COUNT(*) FROM performance_schema.metadata_locks WHERE OBJECT_SCHEMA = ? AND OBJECT_NAME = ? AND LOCK_STATUS = 'PENDING'", [name, table]));
    let write: Promise<unknown> | undefined;
    try {
      await swapTogether({
        connect: () => connect(db),
        database: name,
        version: sandbox.version,
        tables: names,
        lockTimeoutSeconds: 5,
        flush: async () => {
          // Both tables held: a write to b queues up; a read of a ghost holds the rename back before it reaches a.
          write = w.query('INSERT INTO b (id, v) VALUES (999, 1)');
          await waitUntil(async () => (await pendingOn('b')) > 0, 5000, 'the write to queue on b');
          await g.query('BEGIN');
          await g.query('SELECT COUNT(*) FROM _a_gho');
          setTimeout(() => void g.query('COMMIT'), 500);
        },
        log: silentLogger(),
        now: Date.now,
      });
      await write;
      // Let go of b before the rename asked for it, and the write would be in the old table.
      expect(await queryRows(admin, 'SELECT id FROM b')).toEqual([{ id: 999 }]);
      expect(await queryRows(admin, 'SELECT id FROM _b_del')).toEqual([]);
    } finally {
      await Promise.allSettled([w.end(), g.end(), watch.end()]);
    }
  }, 60_000);

  it('dry run: shows both plans and the shared cut-over, and changes nothing', async () => {
    const name = await database();
    await createTables(admin, ['']);
    const before = await tablesOf(admin);
    const run = await runTestMigration({ ...flagsFor(app, name), execute: false });
    expect(run.error).toBeUndefined();
    expect(run.out).toContain('Cut-over: accounts, entries swap together, in one RENAME.');
    expect(run.out.join('\n')).toContain(`${name}.entries`);
    expect(await tablesOf(admin)).toEqual(before);
  });

  it('refuses a table with a trigger before it changes anything, naming the table', async () => {
    const name = await database();
    await createTables(admin, ['']);
    const c = await connect({ ...app, database: name });
    await c.query('CREATE TRIGGER entries_audit AFTER INSERT ON entries FOR EACH ROW SET @n = 1').finally(() => c.end());
    const before = await tablesOf(admin);
    const run = await runTestMigration(flagsFor(app, name, ['--include-triggers']));
    expect(run.error?.message).toBe(
      `${name}.entries has triggers (entries_audit), which a migration of several tables in one cut-over does not carry yet; migrate this table on its own (one --table and --alter)`,
    );
    expect(await tablesOf(admin)).toEqual(before);
  });

  it('migrates both under transactions that write both: swapped at once, never half-visible, row for row equal to the mirrors', async () => {
    const name = await database();
    const db = { ...app, database: name };
    await createTables(admin, ['', '_m']);
    let running = true;
    let transactions = 0;
    const writer = (async () => {
      const c = await connect(db);
      try {
        for (let i = 1; running; i++) {
          const account = 1 + ((i * 7919) % ACCOUNTS);
          const gone = 1 + ((i * 104_729) % ENTRIES);
          await c.query('BEGIN');
          // The same transaction writes the migrated tables and their mirrors, which the migration never touches.
          for (const m of ['', '_m']) {
            await c.query(`INSERT INTO entries${m} (id, account_id, amount) VALUES (?, ?, ?)`, [ENTRIES + i, account, i % 13]);
            await c.query(`UPDATE accounts${m} SET balance = balance + ? WHERE id = ?`, [i % 13, account]);
            await c.query(`DELETE FROM entries${m} WHERE id = ?`, [gone]);
            if (i % 5 === 0) await c.query(`INSERT INTO accounts${m} (id, owner, balance) VALUES (?, ?, 0)`, [ACCOUNTS + i, i % 97]);
          }
          await c.query('COMMIT');
          transactions++;
          await sleep(2);
        }
      } finally {
        await c.end();
      }
    })();
    // One statement opens both tables: its column count says which version of each it saw.
    const widths = new Map<number, number>();
    const reader = (async () => {
      const c = await connect(db);
      try {
        while (running) {
          const [, fields] = (await c.query('SELECT a.*, e.* FROM accounts a, entries e WHERE a.id = 1 AND e.id = (SELECT MAX(id) FROM entries)')) as unknown as [unknown, unknown[]];
          widths.set(fields.length, (widths.get(fields.length) ?? 0) + 1);
          await sleep(1);
        }
      } finally {
        await c.end();
      }
    })();
    // The cut-over waits at the postpone flag until transactions have run against the caught-up ghosts.
    const flag = join(tmpdir(), `oschange-several-${process.pid}-${Date.now()}.flag`);
    writeFileSync(flag, '');
    const out: string[] = [];
    let state: MigrationState | undefined;
    let error: unknown;
    let atCopyEnd = 0;
    try {
      const config = flagsFor(app, name, ['--postpone-cut-over-flag-file', flag]);
      const running$ = runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: new AbortController().signal, observe: (s) => (state = s) }).catch((e: unknown) => (error = e));
      await waitUntil(() => state?.phase === 'postponing cut-over' || error !== undefined, 120_000, 'the cut-over to be postponed');
      atCopyEnd = transactions;
      await waitUntil(() => transactions >= atCopyEnd + 50 || error !== undefined, 60_000, '50 transactions against the caught-up ghosts');
      rmSync(flag);
      await running$;
      // A few more transactions after the swap: they must reach the new tables.
      const after = transactions;
      await waitUntil(() => transactions >= after + 20 || error !== undefined, 60_000, '20 transactions after the swap');
    } finally {
      rmSync(flag, { force: true });
      running = false;
      await Promise.all([writer, reader]);
    }
    expect(error).toBeUndefined();
    // Transactions ran during the copy too: the ghosts got both tables' changes through the one stream.
    expect(atCopyEnd).toBeGreaterThan(0);
    // 3 + 3 columns before, 4 + 4 after; 7 would be one table swapped and the other not.
    expect([...widths.keys()].sort()).toEqual([6, 8]);
    const done = out.find((l) => l.startsWith('Done:')) ?? '';
    expect(done).toContain(`Done: ${name}.accounts, ${name}.entries migrated`);
    // Nothing for the checksum to repair: the applier put every change of both tables in its ghost.
    expect(done).toMatch(/checksum equal \(\d+ chunks, 0 repaired/);
    expect(done).toMatch(/original tables locked for \d+ ms at cut-over, swapped in one RENAME; old tables kept as _accounts_del, _entries_del\./);
    for (const [table, columns] of [['accounts', 'id, owner, balance'], ['entries', 'id, account_id, amount']] as const) {
      const migrated = await queryRows(admin, `SELECT ${columns} FROM ${table} ORDER BY id`);
      const mirror = await queryRows(admin, `SELECT ${columns} FROM ${table}_m ORDER BY id`);
      expect(migrated.length).toBe(mirror.length);
      expect(migrated, table).toEqual(mirror);
    }
    const count = async (sql: string): Promise<number> => Number((await queryRows(admin, sql))[0]?.['n']);
    expect(await count('SELECT COUNT(*) AS n FROM accounts WHERE note IS NOT NULL')).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM entries WHERE memo IS NOT NULL')).toBe(0);
    expect(await tablesOf(admin)).toEqual(['_accounts_del', '_entries_del', 'accounts', 'accounts_m', 'entries', 'entries_m']);
  }, 300_000);
});
