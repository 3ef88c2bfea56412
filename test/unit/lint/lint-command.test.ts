import { describe, expect, it } from 'vitest';
import { lintCommand } from '../../../src/cli/lint-command.js';
import type { RawLintOptions } from '../../../src/cli/lint-options.js';

const FILES: Record<string, string> = {
  'migrations/0001_users.sql': '-- users: status\nALTER TABLE users ADD COLUMN status VARCHAR(16) NOT NULL;\n\nALTER TABLE users ADD COLUMN note VARCHAR(20) NULL;\n',
  'migrations/0002_clean.sql': 'CREATE INDEX i_note ON users (note);\n',
  '.oschange-lint.json': '{"disable": ["combine-alters"]}',
};

async function run(raw: Partial<RawLintOptions>, o: { files?: Record<string, string>; colour?: boolean } = {}): Promise<{ code: number; out: string[] }> {
  const files = o.files ?? FILES;
  const out: string[] = [];
  const code = await lintCommand({
    raw: { format: 'text', ...raw },
    out: (l) => out.push(l),
    env: {},
    readFile: (p) => {
      const text = files[p];
      if (text === undefined) throw new Error(`ENOENT: ${p}`);
      return text;
    },
    exists: (p) => files[p] !== undefined,
    colour: o.colour ?? false,
  });
  return { code, out };
}

describe('oschange lint, without a server', () => {
  it('prints the findings grouped by statement, and exits 1 on an error', async () => {
    const r = await run({ files: ['migrations/0001_users.sql', 'migrations/0002_clean.sql'], database: 'app' }, { files: { ...FILES, '.oschange-lint.json': '{}' } });
    expect(r.code).toBe(1);
    expect(r.out.filter((l) => !l.startsWith(' '.repeat(11)))).toEqual([
      'migrations/0001_users.sql:2: ALTER TABLE users ADD COLUMN status VARCHAR(16) NOT NULL',
      '  error    not-null-without-default: users.status is added NOT NULL without a DEFAULT: every INSERT that does not name status fails from the moment the new table is in place',
      '',
      'migrations/0001_users.sql:4: ALTER TABLE users ADD COLUMN note VARCHAR(20) NULL',
      '  warning  combine-alters: users is altered again (first at migrations/0001_users.sql:2): an ALTER that is not instant copies the whole table, so do both in one',
      '',
      'oschange lint: 3 statements checked (static rules only): 1 error, 1 warning, no notes.',
      'Without a server these did not run: innodb-only, has-unique-key, triggers, readable-column-types, foreign-keys, triggers-movable, new-unique-keys, values-fit, narrower-type, alter-algorithm, copy-estimate, column-still-used, pk-near-max (connect with --host … to run them).',
    ]);
    expect(r.out).toContain('           why: Every ALTER that is not instant rebuilds the table: two ALTERs cost twice the time, the I/O and the replica lag of one.');
    expect(r.out).toContain('             2. Deploy code that writes status in every INSERT.');
  });
  it('reads .oschange-lint.json from the current directory, and --disable on top', async () => {
    const r = await run({ files: ['migrations/0001_users.sql'], disable: 'not-null-without-default' });
    expect(r).toEqual({ code: 0, out: ['oschange lint: 2 statements checked (static rules only): no findings.', expect.stringMatching(/^Without a server these did not run: /)] });
  });
  it('colours the severities only when asked (a terminal)', async () => {
    const r = await run({ table: 'users', alter: 'DROP COLUMN c' }, { colour: true });
    expect(r.out[0]).toBe('\x1b[1mstatement: ALTER TABLE users DROP COLUMN c\x1b[0m');
    expect(r.out[1]?.startsWith('  \x1b[1;31merror  \x1b[0m  drop-column: ')).toBe(true);
  });
  it('--format json: every statement, its findings, the summary', async () => {
    const r = await run({ statement: 'ALTER TABLE t ADD COLUMN amount FLOAT; SELECT 1', format: 'json' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.join(''))).toEqual({
      server: null,
      statements: [
        {
          file: null,
          line: 1,
          sql: 'ALTER TABLE t ADD COLUMN amount FLOAT',
          findings: [
            {
              rule: 'float-for-money',
              severity: 'warning',
              code: 'FLOAT_FOR_MONEY',
              message: 't.amount is FLOAT: money needs an exact type',
              why: 'FLOAT and DOUBLE hold binary fractions: 0.10 is stored as 0.100000001…, so sums drift by cents and tests of equality fail.',
              steps: ['Use DECIMAL (exact; 19,4 holds up to 10^15 with 4 decimals): oschange --database DB --table t --alter "ADD COLUMN amount DECIMAL(19,4)" --execute', 'Or store whole cents in a BIGINT.'],
            },
          ],
        },
        { file: null, line: 1, sql: 'SELECT 1', findings: [] },
      ],
      summary: { statements: 2, errors: 0, warnings: 1, notes: 0 },
      notRun: expect.arrayContaining(['alter-algorithm', 'column-still-used']),
    });
  });
  it('--format github: a workflow annotation per finding, on its file and line', async () => {
    const r = await run({ files: ['migrations/0001_users.sql'], format: 'github', disable: 'combine-alters' }, { files: { ...FILES, '.oschange-lint.json': '{}' } });
    expect(r.code).toBe(1);
    expect(r.out[0]?.startsWith('::error file=migrations/0001_users.sql,line=2,title=oschange lint%3A not-null-without-default::users.status is added NOT NULL without a DEFAULT: every INSERT')).toBe(true);
    expect(r.out[0]).toContain('%0AWhy: The code deployed today does not write status');
    expect(r.out[0]).toContain('%0A2. Deploy code that writes status in every INSERT.%0A');
    expect(r.out.slice(1)).toEqual(['oschange lint: 2 statements checked (static rules only): 1 error, no warnings, no notes.']);
  });
  it('exits 2 on bad usage, naming every problem at once', async () => {
    await expect(run({ alter: 'DROP COLUMN c', statement: 'SELECT 1', disable: 'nope' })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/^give one of files, --statement or --alter \(got --statement and --alter\); --disable: "nope" is not a rule/),
    });
    await expect(run({})).rejects.toMatchObject({ exitCode: 2, message: 'give what to lint: migration files, --statement "SQL", or --table T --alter "…"' });
    await expect(run({ alter: 'DROP COLUMN c' })).rejects.toMatchObject({ exitCode: 2, message: '--alter needs --table, the table it changes' });
    await expect(run({ files: ['nope.sql'] })).rejects.toMatchObject({ exitCode: 2, message: 'nope.sql: cannot read it (ENOENT: nope.sql)' });
    await expect(run({ files: ['migrations/0001_users.sql'] }, { files: { ...FILES, '.oschange-lint.json': '{"disable": "x"}' } })).rejects.toMatchObject({
      exitCode: 2,
      message: '.oschange-lint.json: "disable" must be a list of rule ids',
    });
  });
  it('with a server, wants --database for tables named without one, and exits 3 when the server cannot be reached', async () => {
    await expect(run({ table: 'users', alter: 'DROP COLUMN c', host: '127.0.0.1', port: 1 })).rejects.toMatchObject({ exitCode: 2, message: 'with a server, give --database: the statements name tables without their database' });
    await expect(run({ table: 'users', alter: 'DROP COLUMN c', host: '127.0.0.1', port: 1, user: 'ci', database: 'app' })).rejects.toMatchObject({
      exitCode: 3,
      code: 'SERVER_UNREACHABLE',
      message: expect.stringMatching(/^cannot connect to 127\.0\.0\.1:1 as ci: /),
    });
  });
});

describe('oschange lint on the command line', () => {
  it('is a command of the CLI, with exit code 1 for errors and 2 for bad usage', async () => {
    const { main } = await import('../../../src/cli/main.js');
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), signal: new AbortController().signal };
    expect(await main(['lint', '--statement', 'DROP TABLE sessions', '--config', '/dev/null/none.json'], io)).toBe(2);
    expect(err).toEqual(['oschange: --config /dev/null/none.json: cannot read it (ENOTDIR: not a directory, open \'/dev/null/none.json\')']);
    expect(await main(['lint', '--statement', 'DROP TABLE sessions', '--disable', 'timestamp-2038'], io)).toBe(1);
    expect(out[0]).toBe('statement: DROP TABLE sessions');
  });
});
