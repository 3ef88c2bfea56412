import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import { exited, spawnCli } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];

async function tables(conn: Connection, db: string): Promise<string[]> {
  return (await queryRows(conn, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [db])).map((r) => String(r['t']));
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawnCli(args, env);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return exited(child).then((code) => ({ code, out, err }));
}

describe.each(testServers().map((s) => [label(s), s] as const))('oschange CLI on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const base = (): string[] => {
    const a = server.primary.app;
    return ['--host', a.host, '--port', String(a.port), '--user', a.user, '--database', db.name, '--table', 'users'];
  };
  // The password in the environment, as the README advises (--password adds a warning line to stderr).
  const env = (): NodeJS.ProcessEnv => ({ OSCHANGE_PASSWORD: server.primary.app.password });
  beforeAll(async () => {
    db = await freshDatabase(server, 'cli');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await seedUsers(admin, { database: db.name, rows: 5000 });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('without --execute prints the plan and changes nothing', async () => {
    const before = await tables(admin, db.name);
    const r = await cli([...base(), '--alter', 'ADD COLUMN phone VARCHAR(20)'], env());
    expect(r.code, r.err).toBe(0);
    // stderr carries pino's JSON log lines; nothing at warn (40) or above.
    expect(r.err.split('\n').filter((l) => l !== '' && Number(JSON.parse(l).level) >= 40)).toEqual([]);
    expect(r.out).toContain(`Plan for ${db.name}.users on `);
    expect(r.out).toContain('  shared key:  PRIMARY (id)');
    expect(r.out).toContain('  columns:     8 copied; added: phone; dropped: -; renamed: -');
    expect(r.out).toContain('Dry run: nothing was changed. Add --execute to run the migration.');
    expect(await tables(admin, db.name)).toEqual(before);
  });

  it('refuses a bad ALTER with one clear line, exit code 2, and no trace on the server', async () => {
    const before = await tables(admin, db.name);
    const r = await cli([...base(), '--alter', 'ADD COLUMN c INT NOT NULL DEFAULT', '--execute'], env());
    expect(r.code).toBe(2);
    // The reason is one line, the last on stderr (log lines before it are JSON).
    const lines = r.err.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('{'))).toHaveLength(1);
    expect(lines[lines.length - 1]).toMatch(/^oschange: the ALTER failed on the ghost table: You have an error in your SQL syntax/);
    expect(await tables(admin, db.name)).toEqual(before);
  });

  it('names the missing privileges and the GRANT to run, and changes nothing', async () => {
    const user = `weak_${db.name.slice(-8)}`;
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
    await admin.query(`GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%'`);
    try {
      const before = await tables(admin, db.name);
      const a = server.primary.app;
      const r = await cli(['--host', a.host, '--port', String(a.port), '--user', user, '--password', 'pw', '--database', db.name, '--table', 'users', '--alter', 'ADD COLUMN x INT', '--execute']);
      expect(r.code).toBe(3);
      const last = r.err.trim().split('\n').pop() ?? '';
      expect(last).toMatch(new RegExp(`^oschange: user ${user} lacks privileges oschange needs: GRANT REPLICATION SLAVE, .* ON \\*\\.\\* and ALTER, CREATE, DELETE, DROP, INDEX, INSERT, LOCK TABLES, TRIGGER, UPDATE ON \`${db.name}\`\\.\\* \\(see the README, "Privileges"\\)$`));
      expect(await tables(admin, db.name)).toEqual(before);
    } finally {
      await admin.query(`DROP USER '${user}'@'%'`);
    }
  });

  it('stops cleanly on Ctrl-C (exit 130), leaving the original table untouched', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/oschange-int-`);
    const flag = `${dir}/hold`;
    writeFileSync(flag, '');
    const before = (await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0];
    const child = spawnCli([...base(), '--alter', 'ADD COLUMN x INT', '--execute', '--throttle-flag-file', flag, '--serve-socket-file', `${dir}/s.sock`, '--status-interval-millis', '100'], env());
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const { waitUntil } = await import('../helpers/processes.js');
    await waitUntil(() => /State: throttled, flag-file/.test(out), 30_000, 'the held copy');
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(err.trim().split('\n').pop()).toBe(
      'oschange: stopped by signal; the original table is untouched (the ghost, changelog and checkpoint tables are kept: go on later with --resume, or start over with --initially-drop-ghost-table)',
    );
    expect((await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0]).toEqual(before);
    expect((await tables(admin, db.name)).filter((t) => t.startsWith('_users'))).toEqual(['_users_ghc', '_users_ghk', '_users_gho']);
    await admin.query('DROP TABLE _users_gho, _users_ghc, _users_ghk');
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates under concurrent writes, reporting the lock time, when pointed at the replica', async () => {
    const replica = server.replica;
    if (replica === undefined) throw new Error('needs a replica');
    const a = replica.app;
    const args = ['--host', a.host, '--port', String(a.port), '--user', a.user, '--password', a.password, '--database', db.name, '--table', 'users', '--alter', 'ADD COLUMN phone VARCHAR(20)', '--execute', '--chunk-size', '100', '--status-interval-millis', '200'];
    // A reference copy written in the same transactions as users: afterwards both must be equal.
    await admin.query('CREATE TABLE users_ref LIKE users');
    await admin.query('INSERT INTO users_ref SELECT * FROM users');
    const writer = await connect({ ...server.primary.admin, database: db.name });
    let running = true;
    let writes = 0;
    let deadlocks = 0;
    const load = (async () => {
      while (running) {
        const id = 1 + Math.floor(Math.random() * 5000);
        const gone = 1 + Math.floor(Math.random() * 5000);
        try {
          await writer.query('BEGIN');
          for (const t of ['users', 'users_ref']) {
            await writer.query(`UPDATE ${t} SET score = score + 1, updated_at = '2026-01-01 00:00:00.000001' WHERE id = ?`, [id]);
            await writer.query(`INSERT INTO ${t} (id, email, name, created_at) VALUES (?, ?, 'n', '2026-01-01 00:00:00.5')`, [100_000 + writes, `w${writes}@x`]);
            await writer.query(`DELETE FROM ${t} WHERE id = ?`, [gone]);
          }
          await writer.query('COMMIT');
          writes++;
        } catch (err) {
          // A deadlock with the copy's or the checksum's shared locks rolls the whole transaction
          // back; the application runs it again, as applications do. Anything else fails the test.
          if ((err as { errno?: unknown }).errno !== 1213) throw err;
          await writer.query('ROLLBACK');
          deadlocks++;
        }
      }
    })();
    // Reported after the run; until then a failure must not count as an unhandled rejection.
    load.catch(() => undefined);
    const r = await cli(args);
    running = false;
    await load;
    expect(deadlocks).toBeLessThan(writes);
    await writer.end();
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/its primary/);
    expect(r.out).toMatch(/Copy: \d+\/\d+ [\d.]+%; Applied: \d+; Backlog: \d+\/\d+; Time: .*\(total\), .*\(copy\); streamer: \S+:\d+; Lag: (N\/A|[\d.]+s), State: (copying|waiting for cut-over|cutting over); ETA: /);
    const lock = Number(/original table locked for (\d+) ms at cut-over/.exec(r.out)?.[1]);
    expect(lock).toBeLessThan(1000);
    expect(writes).toBeGreaterThan(10);
    const sum = async (t: string) => (await queryRows(admin, tableChecksum(db.name, t, COLUMNS).sql))[0];
    const differences = await queryRows(
      admin,
      `SELECT 'missing' AS kind, r.id FROM users_ref r LEFT JOIN users u ON u.id = r.id WHERE u.id IS NULL
       UNION ALL SELECT 'extra', u.id FROM users u LEFT JOIN users_ref r ON u.id = r.id WHERE r.id IS NULL
       UNION ALL SELECT 'changed', r.id FROM users_ref r JOIN users u ON u.id = r.id
         WHERE NOT (r.score <=> u.score AND r.updated_at <=> u.updated_at AND r.email <=> u.email AND r.created_at <=> u.created_at)`,
    );
    expect(differences, r.err.split('\n').filter((l) => /"level":[45]/.test(l)).join('\n')).toEqual([]);
    expect(await sum('users')).toEqual(await sum('users_ref'));
    const cols = (await queryRows(admin, 'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [db.name, 'users'])).map((x) => x['c']);
    expect(cols).toEqual([...COLUMNS, 'phone']);
    expect((await tables(admin, db.name)).sort()).toEqual(['_users_del', 'users', 'users_ref']);
  });

  it('ends promptly with exit 1 and one line when the copy finds a row it would drop', async () => {
    await admin.query('CREATE TABLE dup_code (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
    await admin.query('INSERT INTO dup_code VALUES (1, 10), (2, 20), (3, 30)');
    const a = server.primary.app;
    const r = await cli(
      ['--host', a.host, '--port', String(a.port), '--user', a.user, '--database', db.name, '--table', 'dup_code', '--alter', 'ADD COLUMN code INT NOT NULL DEFAULT 0, ADD UNIQUE KEY uk_code (code)', '--execute', '--no-attempt-instant-ddl', '--serve-socket-file', `/tmp/oschange-dup-${db.name}.sock`],
      env(),
    );
    expect(r.code, r.err).toBe(1);
    expect(r.err.trim().split('\n').pop()).toMatch(new RegExp(`^oschange: ${db.name}\\.dup_code: row id 2 collides with another on the new UNIQUE KEY uk_code, which includes code, a column the ALTER adds`));
    expect(await queryRows(admin, 'SELECT id, v FROM dup_code ORDER BY id')).toEqual([{ id: 1, v: 10 }, { id: 2, v: 20 }, { id: 3, v: 30 }]);
  });

  describe('a stop signal at the cut-over', () => {
    const args = (table: string): string[] => {
      const a = server.primary.app;
      return ['--host', a.host, '--port', String(a.port), '--user', a.user, '--database', db.name, '--table', table, '--alter', 'ADD COLUMN w INT NULL', '--execute', '--no-attempt-instant-ddl', '--serve-socket-file', `/tmp/oschange-sig-${db.name}-${table}.sock`];
    };
    const columnsOf = async (table: string): Promise<unknown[]> =>
      (await queryRows(admin, 'SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [db.name, table])).map((x) => x['c']);
    const create = async (table: string): Promise<void> => {
      await admin.query(`CREATE TABLE ${table} (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB`);
      await admin.query(`INSERT INTO ${table} VALUES (1, 10), (2, 20), (3, 30)`);
    };

    it('before the point of no return, rolls the cut-over back: exit 130 and the original untouched', async () => {
      await create('sig_before');
      const r = await cli(args('sig_before'), { ...env(), OSCHANGE_TEST_SIGNAL_AT: 'cutover:rename-waiting' });
      expect(r.code, r.err).toBe(130);
      expect(r.err.trim().split('\n').pop()).toBe(
        'oschange: stopped by signal; the original table is untouched (the ghost, changelog and checkpoint tables are kept: go on later with --resume, or start over with --initially-drop-ghost-table)',
      );
      expect(await columnsOf('sig_before')).toEqual(['id', 'v']);
      expect((await tables(admin, db.name)).filter((t) => t.includes('sig_before')).sort()).toEqual(['_sig_before_ghc', '_sig_before_ghk', '_sig_before_gho', 'sig_before']);
    });

    it('after the point of no return, finishes the migration and says so: exit 0, the new schema, nothing left behind', async () => {
      await create('sig_after');
      const r = await cli(args('sig_after'), { ...env(), OSCHANGE_TEST_SIGNAL_AT: 'cutover:sentry-dropped' });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`Done: ${db.name}.sig_after migrated in `);
      expect(r.out).toContain('A stop signal arrived after the tables were swapped: the migration was finished, not stopped.');
      expect(r.err).not.toContain('untouched');
      expect(await columnsOf('sig_after')).toEqual(['id', 'v', 'w']);
      expect(await queryRows(admin, 'SELECT id, v FROM sig_after ORDER BY id')).toEqual([{ id: 1, v: 10 }, { id: 2, v: 20 }, { id: 3, v: 30 }]);
      expect((await tables(admin, db.name)).filter((t) => t.includes('sig_after')).sort()).toEqual(['_sig_after_del', 'sig_after']);
    });
  });
});
