import { describe, expect, it } from 'vitest';
import { notNullWithoutDefault } from '../../../src/lint/rules/not-null-without-default.js';
import { codes, findings } from './helpers.js';

describe('not-null-without-default', () => {
  it('fires on ADD COLUMN … NOT NULL without a DEFAULT, with the expand-migrate-contract steps', async () => {
    const [f] = await findings(notNullWithoutDefault, "ALTER TABLE users ADD COLUMN status VARCHAR(16) NOT NULL AFTER name, ADD INDEX (email)", { database: 'app' });
    expect(f).toEqual({
      check: 'not-null-without-default',
      severity: 'error',
      code: 'NOT_NULL_WITHOUT_DEFAULT',
      message: 'users.status is added NOT NULL without a DEFAULT: every INSERT that does not name status fails from the moment the new table is in place',
      why: `The code deployed today does not write status: in strict mode each of its INSERTs fails with "Field 'status' doesn't have a default value" (without strict mode it silently stores 0 or ''), and code that writes it cannot be deployed before the column exists.`,
      steps: [
        'Add the column so that today\'s INSERTs still work — nullable (or NOT NULL with a DEFAULT they can live with): oschange --database app --table users --alter "ADD COLUMN status VARCHAR(16) AFTER name, ADD INDEX (email)" --execute',
        'Deploy code that writes status in every INSERT.',
        'Fill the existing rows in throttled primary-key chunks (without --execute it first checks --set and --where, counts the rows and prints each chunk\'s statement): oschange backfill --database app --table users --set "status = …" --where "status IS NULL" --execute',
        'Make it NOT NULL once no NULL is left (the dry run checks, and refuses while one is): oschange --database app --table users --alter "MODIFY COLUMN status VARCHAR(16) NOT NULL" --execute',
      ],
    });
  });
  it.each([
    'ALTER TABLE t ADD COLUMN c INT NOT NULL',
    'ALTER TABLE t ADD c INT NOT NULL COMMENT \'x\'',
    'ALTER TABLE t ADD COLUMN (a INT NULL, b INT NOT NULL)',
    'ALTER TABLE t ADD COLUMN c INT PRIMARY KEY',
    'CREATE TABLE other (a INT); ALTER TABLE t ADD COLUMN c INT NOT NULL',
  ])('fires: %s', async (sql) => {
    expect(await codes(notNullWithoutDefault, sql)).toEqual(['error NOT_NULL_WITHOUT_DEFAULT']);
  });
  it.each([
    'ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0',
    "ALTER TABLE t ADD COLUMN c VARCHAR(5) NOT NULL DEFAULT ''",
    'ALTER TABLE t ADD COLUMN c DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP',
    'ALTER TABLE t ADD COLUMN c INT NULL',
    'ALTER TABLE t ADD COLUMN c INT',
    'ALTER TABLE t ADD COLUMN id2 BIGINT NOT NULL AUTO_INCREMENT UNIQUE',
    'ALTER TABLE t ADD COLUMN total INT NOT NULL AS (a + b) STORED',
    'ALTER TABLE t MODIFY COLUMN c INT NOT NULL',
    'CREATE TABLE t (id INT NOT NULL, c INT NOT NULL)',
    'CREATE TABLE t (id INT); ALTER TABLE t ADD COLUMN c INT NOT NULL',
  ])('stays silent: %s', async (sql) => {
    expect(await codes(notNullWithoutDefault, sql)).toEqual([]);
  });
});
