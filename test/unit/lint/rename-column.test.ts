import { describe, expect, it } from 'vitest';
import { renameColumn } from '../../../src/lint/rules/rename-column.js';
import { codes, column, findings, index, table } from './helpers.js';

describe('rename-column', () => {
  it('fires on RENAME COLUMN, with the steps to add, copy, switch and drop', async () => {
    const before = table('users', [column('id', 'int', { nullable: false }), column('fullname', 'varchar(40)', { nullable: false })], [index('PRIMARY', ['id'])]);
    const after = table('users', [column('id', 'int', { nullable: false }), column('display_name', 'varchar(40)', { nullable: false })], [index('PRIMARY', ['id'])]);
    const [f] = await findings(renameColumn, 'ALTER TABLE users RENAME COLUMN fullname TO display_name', { database: 'app', shapes: { before, after } });
    expect(f?.message).toBe('users.fullname is renamed to display_name in one step: the code deployed now names fullname and breaks the moment the new table is in place');
    expect(f?.steps).toEqual([
      'Add the new column: oschange --database app --table users --alter "ADD COLUMN display_name VARCHAR(40)" --execute',
      'Deploy code that writes both fullname and display_name, and still reads fullname.',
      'Copy the values in batches of a few thousand, by primary key: UPDATE users SET display_name = fullname WHERE <key range>',
      'Deploy code that reads and writes display_name only.',
      'Make display_name NOT NULL: oschange --database app --table users --alter "MODIFY COLUMN display_name VARCHAR(40) NOT NULL" --execute',
      'Check that nothing names fullname any more (statement digests, on the primary and each replica): oschange lint --host PRIMARY --database app --table users --alter "DROP COLUMN fullname"',
      'Drop it: oschange --database app --table users --alter "DROP COLUMN fullname" --allow drop-column --execute',
    ]);
  });
  it('uses CHANGE COLUMN’s own definition, and says where the type is unknown', async () => {
    const [change] = await findings(renameColumn, 'ALTER TABLE t CHANGE COLUMN a b VARCHAR(10) NULL AFTER id');
    expect(change?.steps?.[0]).toBe('Add the new column: oschange --database DB --table t --alter "ADD COLUMN b VARCHAR(10) NULL" --execute');
    const [rename] = await findings(renameColumn, 'ALTER TABLE t RENAME COLUMN a TO b');
    expect(rename?.steps?.[0]).toBe('Add the new column: oschange --database DB --table t --alter "ADD COLUMN b <the type of a>" --execute');
  });
  it.each(['ALTER TABLE t RENAME COLUMN a TO b', 'ALTER TABLE t CHANGE a b INT', 'ALTER TABLE t CHANGE COLUMN IF EXISTS a b INT', 'CREATE INDEX i ON t (x); ALTER TABLE t RENAME COLUMN a TO b'])(
    'fires: %s',
    async (sql) => {
      expect(await codes(renameColumn, sql)).toEqual(['error RENAME_COLUMN']);
    },
  );
  it.each(['ALTER TABLE t CHANGE a a BIGINT', 'ALTER TABLE t CHANGE name Name VARCHAR(10)', 'ALTER TABLE t MODIFY a INT', 'ALTER TABLE t RENAME INDEX a TO b', 'CREATE TABLE t (a INT); ALTER TABLE t RENAME COLUMN a TO b'])(
    'stays silent: %s',
    async (sql) => {
      expect(await codes(renameColumn, sql)).toEqual([]);
    },
  );
});

describe('rename-column, with the table’s shape', () => {
  it('stays silent on MariaDB’s CHANGE COLUMN IF EXISTS of a column the table does not have', async () => {
    const shape = table('t', [column('id', 'int', { nullable: false }), column('name', 'varchar(20)')]);
    expect(await codes(renameColumn, 'ALTER TABLE t CHANGE COLUMN IF EXISTS nope full_name VARCHAR(20)', { shapes: { before: shape, after: shape } })).toEqual([]);
    expect(await codes(renameColumn, 'ALTER TABLE t CHANGE COLUMN IF EXISTS name full_name VARCHAR(20)', { shapes: { before: shape, after: shape } })).toEqual(['error RENAME_COLUMN']);
  });
});
