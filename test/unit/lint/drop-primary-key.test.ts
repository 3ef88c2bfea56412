import { describe, expect, it } from 'vitest';
import { dropPrimaryKey } from '../../../src/lint/rules/drop-primary-key.js';
import { codes, column, findings, index, table } from './helpers.js';

const id = column('id', 'int', { nullable: false });
const code = column('code', 'varchar(10)', { nullable: false });

describe('drop-primary-key', () => {
  it('fires as an error when nothing replaces the key', async () => {
    const [f] = await findings(dropPrimaryKey, 'ALTER TABLE t DROP PRIMARY KEY');
    expect(f).toMatchObject({
      severity: 'error',
      code: 'PRIMARY_KEY_DROPPED',
      message: 'the PRIMARY KEY of t is dropped and nothing replaces it: replicas then scan the table for every row they change, and oschange cannot migrate it any more',
    });
    expect(f?.steps?.[0]).toBe('Replace it in the same ALTER instead: oschange --database DB --table t --alter "DROP PRIMARY KEY, ADD PRIMARY KEY (<columns>)" --execute');
  });
  it('is a warning when a non-null UNIQUE key takes over the clustering', async () => {
    const before = table('t', [id, code], [index('PRIMARY', ['id']), index('uk_code', ['code'], true)]);
    const after = table('t', [id, code], [index('uk_code', ['code'], true)]);
    expect(await findings(dropPrimaryKey, 'ALTER TABLE t DROP PRIMARY KEY', { shapes: { before, after } })).toMatchObject([
      { severity: 'warning', message: 'the PRIMARY KEY of t is dropped: InnoDB clusters the rows on UNIQUE KEY uk_code (code) instead' },
    ]);
  });
  it('is a warning when replaced, and keeps the old key unique if asked', async () => {
    const before = table('t', [id, code], [index('PRIMARY', ['id'])]);
    const [f] = await findings(dropPrimaryKey, 'ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (code)', { database: 'app', shapes: { before, after: before } });
    expect(f).toMatchObject({ severity: 'warning', code: 'PRIMARY_KEY_REPLACED', message: "the PRIMARY KEY of t is replaced by (code): the table is rebuilt in the new key's order, and (id) is no longer unique unless another key says so" });
    expect(f?.steps?.[0]).toBe('If the old key must stay unique, keep it as a UNIQUE KEY in the same ALTER: oschange --database app --table t --alter "DROP PRIMARY KEY, ADD PRIMARY KEY (code), ADD UNIQUE KEY (id)" --execute');
  });
  it.each(['ALTER TABLE t DROP INDEX i', 'ALTER TABLE t ADD PRIMARY KEY (id)', 'CREATE TABLE t (id INT PRIMARY KEY); ALTER TABLE t DROP PRIMARY KEY', 'ALTER TABLE t DROP KEY `PRIMARY_x`'])('stays silent: %s', async (sql) => {
    expect(await codes(dropPrimaryKey, sql)).toEqual([]);
  });
});
