import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintCommand } from '../../src/cli/lint-command.js';
import type { RawLintOptions } from '../../src/cli/lint-options.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { startSandbox, type LocalSandbox } from '../../src/sandbox/sandbox.js';
import { testServers } from '../helpers/servers.js';

// Its own pair per flavor: the test servers run with performance_schema off (MySQL's is turned off
// there, MariaDB's is off by default), and the digest rule needs it on.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

interface JsonFinding {
  readonly rule: string;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

/**
 * column-still-used: the application reads a column a migration drops; lint finds the statement in
 * performance_schema's digests, with its count and when it last ran — and says so plainly when the
 * user may not read them.
 */
describe.each(flavors)('who still uses a column, on %s with performance_schema on', (flavor) => {
  let sandbox: LocalSandbox;
  let application: mysql.Connection;
  const run = async (raw: Partial<RawLintOptions>): Promise<{ code: number; findings: JsonFinding[] }> => {
    const a = sandbox.primary.app;
    const out: string[] = [];
    const code = await lintCommand({
      raw: { format: 'json', host: a.host, port: a.port, user: a.user, database: 'app', table: 'accounts', ...raw },
      out: (l) => out.push(l),
      env: { OSCHANGE_PASSWORD: a.password },
      exists: () => false,
    });
    const report = JSON.parse(out.join('')) as { statements: { findings: JsonFinding[] }[] };
    return { code, findings: report.statements.flatMap((s) => s.findings).filter((f) => f.rule === 'column-still-used') };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ flavor, extraServerArgs: ['--performance-schema=ON'] });
    const root = sandbox.primary.admin;
    application = await mysql.createConnection({ host: root.host, port: root.port, user: root.user, password: root.password, database: 'app' });
    await application.query('CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, legacy_code VARCHAR(10) NULL, unused_flag TINYINT NULL) ENGINE=InnoDB');
    await application.query("INSERT INTO accounts VALUES (1, 'a', 0), (2, 'b', 1)");
  }, 180_000);
  afterAll(async () => {
    await application?.end();
    await sandbox?.stop({ graceMs: 3000 });
  });

  it('says plainly that it cannot tell when the user may not read the digests', async () => {
    const r = await run({ alter: 'DROP COLUMN legacy_code' });
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'info', code: 'DIGESTS_NOT_READABLE' })]);
    expect(r.findings[0]?.message).toMatch(/^user oschange cannot read performance_schema on 127\.0\.0\.1:\d+ \(.*\), so oschange cannot tell who still uses accounts\.legacy_code: nothing was checked$/);
  });

  it('finds the application’s query of a column a migration drops, with its count and last run', async () => {
    for (const id of [1, 2, 1]) await application.query('SELECT legacy_code FROM accounts WHERE id = ?', [id]);
    await application.query("UPDATE accounts SET legacy_code = 'z' WHERE id = 2");
    await application.query('GRANT SELECT ON performance_schema.events_statements_summary_by_digest TO oschange');
    await application.query('GRANT SELECT ON performance_schema.setup_consumers TO oschange');
    const r = await run({ alter: 'DROP COLUMN legacy_code' });
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0] as JsonFinding;
    expect(f).toMatchObject({ severity: 'error', code: 'COLUMN_STILL_USED' });
    const id = flavor === 'mariadb' ? 'ID' : '`id`';
    const ts = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC';
    // Most recent first (MariaDB's last-seen times have whole seconds only, so the two may tie).
    expect(f.message).toMatch(new RegExp(`^accounts\\.legacy_code is still used: 2 statement shapes name it on 127\\.0\\.0\\.1:\\d+, run 4 times since ${ts}, the last at ${ts}: "`));
    expect(f.message).toMatch(new RegExp(`"SELECT \`legacy_code\` FROM \`accounts\` WHERE ${id} = \\?" \\(3×, last ${ts}\\)`));
    expect(f.message).toMatch(new RegExp(`"UPDATE \`accounts\` SET \`legacy_code\` = \\? WHERE ${id} = \\?" \\(1×, last ${ts}\\)`));
  });

  it('says when nothing names a column, and over what span of time it looked', async () => {
    const r = await run({ alter: 'DROP COLUMN unused_flag' });
    expect(r.findings).toEqual([expect.objectContaining({ severity: 'info', code: 'NOT_SEEN' })]);
    expect(r.findings[0]?.message).toMatch(/^no statement the server ran since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC names accounts\.unused_flag \(statement digests on 127\.0\.0\.1:\d+; queries sent to replicas are not seen here\)$/);
  });
});
