import { describe, expect, it } from 'vitest';
import { addUniqueKey } from '../../../src/lint/rules/add-unique-key.js';
import { codes, column, findings, index, table } from './helpers.js';

describe('add-unique-key', () => {
  it('fires on a new UNIQUE key, with the query that finds duplicates', async () => {
    const [f] = await findings(addUniqueKey, 'ALTER TABLE users ADD UNIQUE KEY uk_email (email)', { database: 'app' });
    expect(f).toMatchObject({
      severity: 'warning',
      code: 'UNIQUE_KEY_ADDED',
      message: 'the new UNIQUE KEY uk_email of users on (email): rows that already share a value stop the ALTER, and from then on every write of a duplicate fails',
    });
    expect(f?.steps).toEqual([
      "Look for duplicates (with a server, oschange lint shows one with its rows' keys): SELECT email, COUNT(*) FROM users GROUP BY email HAVING COUNT(*) > 1 LIMIT 10",
      'Deploy code that does not write duplicates (look the value up first, or INSERT … ON DUPLICATE KEY UPDATE once the key exists).',
      'Merge or remove the duplicates.',
      'Add the key (the dry run checks again for duplicates): oschange --database app --table users --alter "ADD UNIQUE KEY uk_email (email)" --execute',
    ]);
  });
  it('says why a key on a column the ALTER adds cannot work', async () => {
    const [f] = await findings(addUniqueKey, 'ALTER TABLE t ADD COLUMN code INT NOT NULL DEFAULT 0, ADD UNIQUE KEY uk_code (code)');
    expect(f).toMatchObject({ code: 'UNIQUE_KEY_ON_NEW_COLUMN', message: 'the new UNIQUE KEY uk_code of t is on code, which this ALTER adds: every existing row gets the same value there, so a table of more than one row cannot hold the key' });
    expect(f?.steps?.[0]).toBe('Add the column without the key: oschange --database DB --table t --alter "ADD COLUMN code INT NOT NULL DEFAULT 0" --execute');
  });
  it.each([
    'ALTER TABLE t ADD UNIQUE (a)',
    'ALTER TABLE t ADD CONSTRAINT uk UNIQUE (a, b)',
    'ALTER TABLE t ADD PRIMARY KEY (a)',
    'ALTER TABLE t MODIFY a INT UNIQUE',
    'CREATE UNIQUE INDEX uk ON t (a(10))',
  ])('fires: %s', async (sql) => {
    expect(await codes(addUniqueKey, sql)).toEqual(['warning UNIQUE_KEY_ADDED']);
  });
  it.each(['ALTER TABLE t ADD INDEX (a)', 'CREATE INDEX i ON t (a)', 'ALTER TABLE t ADD FULLTEXT (body)', 'CREATE TABLE t (a INT, UNIQUE KEY (a))', 'CREATE TABLE t (a INT); ALTER TABLE t ADD UNIQUE (a)'])(
    'stays silent: %s',
    async (sql) => {
      expect(await codes(addUniqueKey, sql)).toEqual([]);
    },
  );
  it('stays silent when an existing unique key already guarantees it', async () => {
    const before = table('t', [column('id', 'int', { nullable: false }), column('x', 'int')], [index('PRIMARY', ['id'])]);
    expect(await codes(addUniqueKey, 'ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (id, x)', { shapes: { before, after: before } })).toEqual([]);
    expect(await codes(addUniqueKey, 'ALTER TABLE t ADD UNIQUE (x)', { shapes: { before, after: before } })).toEqual(['warning UNIQUE_KEY_ADDED']);
  });
});
