import { describe, expect, it } from 'vitest';
import { renameTable } from '../../../src/lint/rules/rename-table.js';
import { codes, findings } from './helpers.js';

describe('rename-table', () => {
  it('fires on RENAME TABLE, with a view under the new name and an atomic swap', async () => {
    const [f] = await findings(renameTable, 'RENAME TABLE accounts TO customers', { database: 'app' });
    expect(f?.message).toBe('table accounts is renamed to customers in one step: the code deployed now names accounts and breaks at once');
    expect(f?.steps).toEqual([
      "Give the table its new name as an updatable view first, so that code can use either name (change no column of accounts meanwhile: a view's columns are fixed when it is made): CREATE VIEW customers AS SELECT * FROM accounts",
      'Deploy code that names customers only.',
      'Check that nothing names accounts any more (statement digests): oschange lint --host PRIMARY --database app --statement "DROP TABLE accounts"',
      'Swap the names in one atomic statement, then drop the view: RENAME TABLE customers TO _customers_view, accounts TO customers; DROP VIEW _customers_view',
    ]);
  });
  it.each([
    ['RENAME TABLE a TO b', 1],
    ['ALTER TABLE a RENAME TO b', 1],
    ['ALTER TABLE a RENAME AS b, ADD COLUMN c INT', 1],
    ['RENAME TABLE a TO b, c TO d', 2],
  ] as const)('fires: %s', async (sql, n) => {
    expect(await codes(renameTable, sql)).toEqual(Array.from({ length: n }, () => 'error RENAME_TABLE'));
  });
  it.each(['CREATE TABLE t_new (a INT); RENAME TABLE t_new TO t2', 'ALTER TABLE t RENAME INDEX a TO b', 'ALTER TABLE t RENAME COLUMN a TO b', 'RENAME TABLE t TO t_old, t_old TO t'])('stays silent: %s', async (sql) => {
    expect(await codes(renameTable, sql)).toEqual([]);
  });
  it('a swap in one statement keeps every name: only the pair that frees a name for good is reported', async () => {
    expect((await findings(renameTable, 'RENAME TABLE t TO t_old, t_new TO t')).map((f) => f.message)).toEqual([
      'table t_new is renamed to t in one step: the code deployed now names t_new and breaks at once',
    ]);
  });
});
