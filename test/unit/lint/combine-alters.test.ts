import { describe, expect, it } from 'vitest';
import { combineAlters } from '../../../src/lint/rules/combine-alters.js';
import { codes, findings } from './helpers.js';

describe('combine-alters', () => {
  it('fires on a second ALTER of a table, with the combined one', async () => {
    const [f] = await findings(combineAlters, 'ALTER TABLE users ADD COLUMN a INT;\nCREATE INDEX i_a ON users (a) ALGORITHM=INPLACE;', { database: 'app' });
    expect(f).toMatchObject({ severity: 'warning', code: 'COMBINE_ALTERS', message: 'users is altered again (first at m.sql:1): an ALTER that is not instant copies the whole table, so do both in one' });
    expect(f?.steps).toEqual([
      'Write them as one ALTER (in one ALTER every name refers to the table as it was before it): ALTER TABLE users ADD COLUMN a INT, ADD INDEX i_a (a)',
      'Run it once: oschange --database app --table users --alter "ADD COLUMN a INT, ADD INDEX i_a (a)" --execute',
    ]);
  });
  it.each([
    'ALTER TABLE t ADD a INT; ALTER TABLE t ADD b INT',
    'ALTER TABLE t ADD a INT; ALTER TABLE other ADD c INT; DROP INDEX i ON t',
    'ALTER TABLE t ADD a INT; SELECT 1; ALTER TABLE t ADD b INT',
  ])('fires: %s', async (sql) => {
    expect(await codes(combineAlters, sql)).toEqual(['warning COMBINE_ALTERS']);
  });
  it.each([
    'ALTER TABLE t ADD a INT; ALTER TABLE u ADD b INT',
    'ALTER TABLE t ADD a INT NULL; UPDATE t SET a = 1; ALTER TABLE t MODIFY a INT NOT NULL',
    'CREATE TABLE t (id INT); ALTER TABLE t ADD a INT; ALTER TABLE t ADD b INT',
    'ALTER TABLE t ADD a INT; RENAME TABLE t TO t2, t3 TO t; ALTER TABLE t ADD b INT',
    'ALTER TABLE t ADD a INT',
  ])('stays silent: %s', async (sql) => {
    expect(await codes(combineAlters, sql)).toEqual([]);
  });
});
