import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/alter/split.js';
import { parseMigrationStatement } from '../../src/alter/statement.js';
import { lintCommand } from '../../src/cli/lint-command.js';
import type { RawLintOptions } from '../../src/cli/lint-options.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { lint } from '../../src/lint/lint.js';
import { NO_SETTINGS } from '../../src/lint/settings.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

interface JsonFinding {
  readonly rule: string;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

/**
 * oschange lint with a server: the data checks find planted duplicates and values too long for
 * their new type, each with an example row's key; lint's empty copies of the table are gone
 * afterwards, also when the server refuses an ALTER or the run is stopped half-way.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('oschange lint against %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const where = `${server.primary.app.host}:${server.primary.app.port}`;
  const tables = async (): Promise<string[]> =>
    (await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [db.name])).map((r) => String(r['t']));
  const run = async (raw: Partial<RawLintOptions>): Promise<{ code: number; findings: JsonFinding[] }> => {
    const out: string[] = [];
    const a = server.primary.app;
    const code = await lintCommand({
      raw: { format: 'json', host: a.host, port: a.port, user: a.user, database: db.name, ...raw },
      out: (l) => out.push(l),
      env: { OSCHANGE_PASSWORD: a.password },
      exists: () => false,
    });
    const report = JSON.parse(out.join('')) as { statements: { findings: JsonFinding[] }[] };
    return { code, findings: report.statements.flatMap((s) => s.findings) };
  };

  beforeAll(async () => {
    db = await freshDatabase(server, 'lintdata');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await admin.query('CREATE TABLE people (id INT NOT NULL PRIMARY KEY, email VARCHAR(40) NULL, name VARCHAR(20) NOT NULL, legacy_code VARCHAR(8) NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    await admin.query("INSERT INTO people VALUES (1, 'a@x', 'Al', 'x'), (2, 'b@x', 'Bo', NULL), (3, 'a@x', 'Cyrus', NULL), (4, 'a@x', 'Di', 'y'), (5, 'e@x', 'Eve', NULL)");
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('finds the duplicates a new unique key would meet, and the values too long for a new type, with example keys', async () => {
    const r = await run({ table: 'people', alter: 'ADD UNIQUE KEY uk_email (email), MODIFY name VARCHAR(3) NOT NULL' });
    expect(r.code).toBe(1);
    const data = r.findings.filter((f) => f.rule === 'new-unique-keys' || f.rule === 'values-fit');
    expect(data).toEqual([
      {
        rule: 'new-unique-keys',
        severity: 'error',
        code: 'DUPLICATES_FOR_NEW_KEY',
        message: `${db.name}.people: 3 rows share email='a@x' (id 1, id 3, id 4; checked on ${where}); the new UNIQUE KEY uk_email would drop 2 of them. Remove the duplicates first`,
      },
      {
        rule: 'values-fit',
        severity: 'error',
        code: 'DATA_WOULD_CHANGE',
        message: `${db.name}.people: column name holds values longer than 3 characters, e.g. id 3: name='Cyrus' (checked on ${where}); the ALTER to varchar(3) NOT NULL would change them. Fix the data first, or accept the change with --allow-data-loss=truncate`,
      },
    ].map((f) => expect.objectContaining(f)));
    expect(r.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['add-unique-key', 'narrower-type', 'alter-algorithm', 'copy-estimate']));
    expect(await tables()).toEqual(['people']);
  });

  it('checks the data against what a file’s ALTERs of a table do together', async () => {
    const r = await run({ statement: 'ALTER TABLE people ADD COLUMN nick VARCHAR(10) NULL; ALTER TABLE people ADD UNIQUE KEY uk_email (email)' });
    expect(r.findings.filter((f) => f.rule === 'new-unique-keys').map((f) => f.code)).toEqual(['DUPLICATES_FOR_NEW_KEY']);
    expect(await tables()).toEqual(['people']);
  });

  it('says plainly that performance_schema is off (as on the test servers), and that the server refuses an ALTER', async () => {
    const r = await run({ table: 'people', alter: 'DROP COLUMN legacy_code, DROP COLUMN no_such' });
    const stillUsed = r.findings.find((f) => f.rule === 'column-still-used');
    const refused = r.findings.find((f) => f.rule === 'alter-algorithm');
    expect(stillUsed?.code).toBe('PERFORMANCE_SCHEMA_OFF');
    expect(stillUsed?.message).toBe(`performance_schema is OFF on ${where}, so oschange cannot tell who still uses people.legacy_code, people.no_such: nothing was checked`);
    expect(refused).toMatchObject({ severity: 'error', code: 'ALTER_REFUSED' });
    expect(refused?.message).toMatch(/refuses this ALTER of people: .*no_such/);
    expect(refused?.message).not.toContain('_ghl');
    expect(await tables()).toEqual(['people']);
  });

  it('goes on with what it can when it may not make its empty copy (a read-only user)', async () => {
    const user = `ro_${db.name.slice(-8)}`;
    await admin.query(`CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
    await admin.query(`GRANT SELECT ON \`${db.name}\`.* TO '${user}'@'%'`);
    try {
      const out: string[] = [];
      const a = server.primary.app;
      const code = await lintCommand({ raw: { format: 'text', host: a.host, port: a.port, user, database: db.name, table: 'people', alter: 'ADD COLUMN x INT' }, out: (l) => out.push(l), env: { OSCHANGE_PASSWORD: 'pw' }, exists: () => false, colour: false });
      expect(code).toBe(0);
      expect(out[1]).toMatch(/^  note     alter-algorithm: lint could not make an empty copy of people to try its ALTERs on \(CREATE command denied to user .*\): what the server does with them, the copy's cost and the data checks were skipped$/);
      expect(await tables()).toEqual(['people']);
    } finally {
      await admin.query(`DROP USER '${user}'@'%'`);
    }
  });

  it('drops its empty copies when it is stopped half-way', async () => {
    const stop = new AbortController();
    const app = await connect(server.primary.app);
    try {
      const batch = splitStatements('ALTER TABLE people MODIFY name VARCHAR(30) NOT NULL; ALTER TABLE people ADD COLUMN x INT').map((p) => ({
        statement: parseMigrationStatement(p.text),
        text: p.text,
        file: undefined,
        line: p.line,
      }));
      // The clock is read while the first ALTER's sample is timed: stop there.
      const run = lint({ batch, database: db.name, settings: NO_SETTINGS, server: { conn: app, version: server.version, endpoint: server.primary.app, where }, signal: stop.signal, now: () => (stop.abort(new Error('stopped')), 0) });
      await expect(run).rejects.toThrow('stopped');
      expect(await tables()).toEqual(['people']);
    } finally {
      await app.end();
    }
  });
});
