import { describe, expect, it } from 'vitest';
import { dropColumn } from '../../../src/lint/rules/drop-column.js';
import { codes, column, findings, table } from './helpers.js';

describe('drop-column', () => {
  it('fires on DROP COLUMN: stop using it, check, then drop', async () => {
    const [f] = await findings(dropColumn, 'ALTER TABLE users DROP COLUMN legacy_code, DROP obsolete_flag, ADD INDEX (x)', { database: 'app' });
    expect(f).toMatchObject({
      severity: 'error',
      code: 'DROP_COLUMN',
      message: 'column legacy_code, obsolete_flag of users are dropped: code that still reads or writes them fails once the new table is in place, and the values are gone',
      steps: [
        "Deploy code that no longer reads or writes legacy_code, obsolete_flag (an ORM that lists every column needs it removed from the model first, e.g. Rails' ignored_columns).",
        'Check that nothing names them any more (statement digests, on the primary and each replica): oschange lint --host PRIMARY --database app --table users --alter "DROP COLUMN legacy_code, DROP obsolete_flag"',
        'Drop them, keeping the old table for a while (without --ok-to-drop-table it stays as _users_del): oschange --database app --table users --alter "DROP COLUMN legacy_code, DROP obsolete_flag" --allow drop-column --execute',
      ],
    });
  });
  it('with the table’s shape, makes a NOT NULL column nullable first', async () => {
    const before = table('users', [column('id', 'int', { nullable: false }), column('code', 'varchar(10)', { nullable: false })]);
    const [f] = await findings(dropColumn, 'ALTER TABLE users DROP COLUMN code', { database: 'app', shapes: { before, after: before } });
    expect(f?.steps?.[0]).toBe(
      'code is NOT NULL: unless it has a DEFAULT, code that stops writing it fails on INSERT — first make it nullable: oschange --database app --table users --alter "MODIFY COLUMN code VARCHAR(10) NULL" --execute',
    );
  });
  it('a column dropped and added again keeps its name but loses its values: a warning', async () => {
    const [f] = await findings(dropColumn, 'ALTER TABLE t DROP COLUMN note, ADD COLUMN note INT NOT NULL DEFAULT 47');
    expect(f).toMatchObject({ severity: 'warning', code: 'COLUMN_REPLACED', message: "column note of t is dropped and added again: it keeps its name, but every row gets the new definition's value instead of its own" });
    expect(f?.steps?.[0]).toBe('To keep the values while changing the definition, use MODIFY instead: oschange --database DB --table t --alter "MODIFY COLUMN note INT NOT NULL DEFAULT 47" --execute');
  });
  it.each(['ALTER TABLE t DROP COLUMN c', 'ALTER TABLE t DROP c', 'ALTER TABLE t DROP COLUMN IF EXISTS c'])('fires: %s', async (sql) => {
    expect(await codes(dropColumn, sql)).toEqual(['error DROP_COLUMN']);
  });
  it.each(['ALTER TABLE t DROP INDEX c', 'ALTER TABLE t DROP PRIMARY KEY', 'ALTER TABLE t DROP FOREIGN KEY fk', 'CREATE TABLE t (c INT); ALTER TABLE t DROP COLUMN c', 'DROP INDEX c ON t'])('stays silent: %s', async (sql) => {
    expect(await codes(dropColumn, sql)).toEqual([]);
  });
});

describe('drop-column, with the table’s shape', () => {
  it('stays silent on MariaDB’s DROP COLUMN IF EXISTS of a column the table does not have', async () => {
    const shape = table('t', [column('id', 'int', { nullable: false }), column('note', 'varchar(20)')]);
    expect(await codes(dropColumn, 'ALTER TABLE t DROP COLUMN IF EXISTS nothing_here, ADD COLUMN extra INT NULL', { shapes: { before: shape, after: shape } })).toEqual([]);
    expect(await codes(dropColumn, 'ALTER TABLE t DROP COLUMN IF EXISTS note', { shapes: { before: shape, after: shape } })).toEqual(['error DROP_COLUMN']);
  });
});
