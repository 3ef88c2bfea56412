import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import { configFromFlags } from '../helpers/migration.js';
import { testServers } from '../helpers/servers.js';

// Its own pair per flavor: a global sql_mode would change every other test's sessions.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

/**
 * A server whose global sql_mode has NO_BACKSLASH_ESCAPES (and, on MariaDB, EMPTY_STRING_IS_NULL):
 * sessions inherit it, while mysql2 escapes `?` values with backslashes. Every value — backslashes,
 * quotes, text that looks like SQL, empty strings, bytes — must arrive exactly as stored, through the
 * copy and through the binlog replay. The application here writes with server-side prepared
 * statements, as an application on such a server must.
 */
describe.each(flavors)('a server whose sql_mode has NO_BACKSLASH_ESCAPES (%s)', (flavor) => {
  let sandbox: LocalSandbox;
  let app: mysql.Connection;
  const modes = ['NO_BACKSLASH_ESCAPES', 'STRICT_TRANS_TABLES', ...(flavor === 'mariadb' ? ['EMPTY_STRING_IS_NULL'] : [])];
  const values: readonly (readonly [number, string, Buffer])[] = [
    [1, 'a\\b', Buffer.from('5c00', 'hex')],
    [2, "O'Brien", Buffer.from("'", 'utf8')],
    [3, "\\'; DROP TABLE t; -- ", Buffer.from("\\'", 'utf8')],
    [4, '\\\\', Buffer.from('00275c22', 'hex')],
    [5, '', Buffer.alloc(0)],
    [6, 'tab\there "quoted" \\n not a newline', Buffer.from('ff', 'hex')],
  ];

  beforeAll(async () => {
    sandbox = await startSandbox({ flavor, extraServerArgs: [`--sql-mode=${modes.join(',')}`] });
    app = await mysql.createConnection({ host: sandbox.primary.admin.host, port: sandbox.primary.port, user: sandbox.primary.admin.user, password: sandbox.primary.admin.password, database: 'app' });
    // The application's own session can store '' (its writes predate the global EMPTY_STRING_IS_NULL,
    // say); oschange's sessions, had they inherited the global mode, would turn it into NULL.
    if (flavor === 'mariadb') await app.query("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES,STRICT_TRANS_TABLES'");
  }, 120_000);
  afterAll(async () => {
    await app?.end();
    await sandbox?.stop({ graceMs: 3000 });
  });

  it('copies and replays every value exactly, through the copy and the binlog', async () => {
    const [[mode]] = (await app.query('SELECT @@SESSION.sql_mode AS m')) as unknown as [[{ m: string }]];
    expect(mode.m).toContain('NO_BACKSLASH_ESCAPES');
    const [[global]] = (await app.query('SELECT @@GLOBAL.sql_mode AS m')) as unknown as [[{ m: string }]];
    for (const m of modes) expect(global.m).toContain(m);
    await app.query('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, s VARCHAR(100) NOT NULL, b VARBINARY(100) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    for (const [id, s, b] of values) await app.execute('INSERT INTO t VALUES (?, ?, ?)', [id, s, b]);
    const config = configFromFlags(sandbox.primary.app, 'app', 't', 'ADD COLUMN note VARCHAR(10) NULL', ['--chunk-size', '10', '--serve-socket-file', `/tmp/oschange-sqlmode-${flavor}-${process.pid}.sock`]);
    const result = await runMigration({
      config,
      log: silentLogger(),
      out: () => undefined,
      signal: new AbortController().signal,
      // After the copy: the same values written again reach the ghost only through the binlog.
      beforeCutOver: async (gate) => {
        for (const [id, s, b] of values) {
          await app.execute('INSERT INTO t (id, s, b) VALUES (?, ?, ?)', [id + 100, s, b]);
          await app.execute('UPDATE t SET s = ?, b = ? WHERE id = ?', [`${s}!`, Buffer.concat([b, Buffer.from('5c', 'hex')]), id]);
        }
        await gate.waitCaughtUp();
      },
    });
    expect(result.executed).toBe(true);
    const [rows] = (await app.execute('SELECT id, s, b, note FROM t ORDER BY id')) as unknown as [{ id: number; s: string; b: Buffer; note: null }[]];
    const expected = [
      ...values.map(([id, s, b]) => ({ id, s: `${s}!`, b: Buffer.concat([b, Buffer.from('5c', 'hex')]), note: null })),
      ...values.map(([id, s, b]) => ({ id: id + 100, s, b, note: null })),
    ];
    expect(rows.map((r) => ({ ...r, b: r.b.toString('hex') }))).toEqual(expected.map((r) => ({ ...r, b: r.b.toString('hex') })));
  });
});
