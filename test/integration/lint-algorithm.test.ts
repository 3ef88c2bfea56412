import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitStatements } from '../../src/alter/split.js';
import { parseMigrationStatement } from '../../src/alter/statement.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { errno } from '../../src/db/retry.js';
import { lint } from '../../src/lint/lint.js';
import { trialForms } from '../../src/lint/live/trial.js';
import { NO_SETTINGS } from '../../src/lint/settings.js';
import { quoteTable } from '../../src/sql/quote.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * lint says what the server does with an ALTER by trying it on an empty copy of the table. Here
 * each prediction is checked against what the server then really does on the table, with rows:
 * every faster form is refused (1845/1846/1221) and the predicted one is accepted.
 */
const CASES: readonly (readonly [name: string, alter: string])[] = [
  ['add a nullable column at the end', 'ADD COLUMN extra INT NULL'],
  ['add a column first', 'ADD COLUMN extra INT NULL FIRST'],
  ['drop a column', 'DROP COLUMN note'],
  ['rename a column', 'RENAME COLUMN note TO remark'],
  ['widen a VARCHAR within 255 bytes', 'MODIFY note VARCHAR(60) NULL'],
  ['widen a VARCHAR past 255 bytes', 'MODIFY note VARCHAR(100) NULL'],
  ['INT to BIGINT', 'MODIFY n BIGINT NULL'],
  ['a new default', 'ALTER COLUMN n SET DEFAULT 5'],
  ['add an index', 'ADD INDEX k_code (code)'],
  ['drop an index', 'DROP INDEX k_n'],
  ['rename an index', 'RENAME INDEX k_n TO k_n2'],
  ['add a unique key', 'ADD UNIQUE KEY uk_code (code)'],
  ['NULL to NOT NULL', 'MODIFY note VARCHAR(20) NOT NULL'],
  ['an ENUM member added at the end', "MODIFY size ENUM('s','m','l','xl') NOT NULL DEFAULT 's'"],
  ['ENUM members reordered', "MODIFY size ENUM('m','s','l') NOT NULL DEFAULT 's'"],
  ['another charset', 'CONVERT TO CHARACTER SET latin1'],
  ['a rebuild', 'ENGINE=InnoDB'],
  ['the first FULLTEXT index', 'ADD FULLTEXT INDEX ft_note (note)'],
  ['a virtual generated column', 'ADD COLUMN n1 INT AS (n + 1) VIRTUAL'],
  ['a stored generated column', 'ADD COLUMN n2 INT AS (n + 1) STORED'],
  ['a table comment', "COMMENT = 'people'"],
  ['the primary key widened', 'DROP PRIMARY KEY, ADD PRIMARY KEY (id, code)'],
];

describe.each(testServers().map((s) => [label(s), s] as const))('the algorithm lint predicts, against what %s does', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let app: Connection;
  const predicted: string[] = [];

  beforeAll(async () => {
    db = await freshDatabase(server, 'lintalg');
    admin = await connect({ ...server.primary.admin, database: db.name });
    app = await connect(server.primary.app);
  });
  afterAll(async () => {
    await app?.end();
    await admin?.end();
    await db?.drop();
  });

  it.each(CASES.map(([name, alter], i) => [name, alter, `k${i}`] as const))('%s: %s', async (_n, alter, table) => {
    await admin.query(
      `CREATE TABLE ${table} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NULL, code VARCHAR(10) NOT NULL, note VARCHAR(20) NULL, size ENUM('s','m','l') NOT NULL DEFAULT 's', KEY k_n (n)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
    );
    await admin.query(`INSERT INTO ${table} (n, code, note) SELECT a.v * 10 + b.v, CONCAT('c', a.v * 10 + b.v), 'plain text' FROM (SELECT 0 v UNION SELECT 1 UNION SELECT 2) a, (SELECT 0 v UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6 UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) b`);
    const batch = splitStatements(`ALTER TABLE ${table} ${alter}`).map((p) => ({ statement: parseMigrationStatement(p.text), text: p.text, file: undefined, line: p.line }));
    const report = await lint({
      batch,
      database: db.name,
      settings: NO_SETTINGS,
      server: { conn: app, version: server.version, endpoint: server.primary.app, where: 'primary' },
    });
    const finding = report.statements[0]?.findings.find((f) => f.check === 'alter-algorithm');
    const m = /\(ALGORITHM=(\w+)(?:, LOCK=(\w+))?/.exec(finding?.message ?? '');
    expect(m, finding?.message).not.toBeNull();
    const [algorithm, lock] = [(m as RegExpExecArray)[1] as string, (m as RegExpExecArray)[2]];
    predicted.push(algorithm === 'INPLACE' || algorithm === 'NOCOPY' ? 'in place' : algorithm);
    // lint's copy is gone; the table is as it was.
    const tables = await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE ?', [db.name, `%${table}%`]);
    expect(tables.map((r) => String(r['t']))).toEqual([table]);

    // What the server does on the table itself: each faster form refused, the predicted one done.
    const forms = trialForms(server.version);
    const at = forms.findIndex((f) => f.algorithm === algorithm && f.lock === lock);
    expect(at).toBeGreaterThanOrEqual(0);
    const run = (f: (typeof forms)[number]): Promise<unknown> => admin.query(`ALTER TABLE ${quoteTable(db.name, table)} ALGORITHM=${f.algorithm}${f.lock === undefined ? '' : `, LOCK=${f.lock}`}, ${alter}`);
    for (const faster of forms.slice(0, at)) {
      const refused = await run(faster).then(
        () => 'accepted',
        (err: unknown) => errno(err),
      );
      expect(refused, `${faster.algorithm}/${faster.lock ?? '-'} on the table`).toSatisfy((n: unknown) => n === 1845 || n === 1846 || n === 1221);
    }
    await run(forms[at] as (typeof forms)[number]);
  });

  it('saw instant, in-place and copying ALTERs among them', () => {
    expect(new Set(predicted)).toEqual(new Set(['INSTANT', 'in place', 'COPY']));
  });
});
