import { describe, expect, it } from 'vitest';
import { narrowerType } from '../../../src/lint/rules/narrower-type.js';
import { codes, column, findings, table } from './helpers.js';

type Col = readonly [name: string, type: string, o?: { readonly nullable?: boolean; readonly charset?: string; readonly collation?: string }];
const shapes = (before: Col, after: Col) => ({
  before: table('t', [column('id', 'int', { nullable: false }), column(before[0], before[1], before[2])]),
  after: table('t', [column('id', 'int', { nullable: false }), column(after[0], after[1], after[2])]),
});

describe('narrower-type', () => {
  it('fires on a shorter VARCHAR, with the check-fix-run steps', async () => {
    const [f] = await findings(narrowerType, 'ALTER TABLE t MODIFY name VARCHAR(2) NOT NULL', { database: 'app', shapes: shapes(['name', 'varchar(20)', { nullable: false }], ['name', 'varchar(2)', { nullable: false }]) });
    expect(f).toMatchObject({ severity: 'warning', code: 'NARROWER_TYPE', message: 't.name: varchar(20) NOT NULL → varchar(2) NOT NULL no longer takes values longer than 2 characters' });
    expect(f?.steps).toEqual([
      'See whether stored values fit (the data checks name the first row that does not): oschange lint --host PRIMARY --database app --table t --alter "MODIFY name VARCHAR(2) NOT NULL"',
      'Deploy code that checks the new limit before it writes to t.',
      'Fix the rows that do not fit (UPDATE …), in batches by primary key.',
      'Then change the type: oschange --database app --table t --alter "MODIFY name VARCHAR(2) NOT NULL" --execute',
    ]);
  });
  it.each([
    ['fewer ENUM members', "ALTER TABLE t MODIFY size ENUM('s','m')", ['size', "enum('s','m','l')"], ['size', "enum('s','m')"], "t.size: enum('s','m','l') → enum('s','m') no longer takes other values than 's', 'm'"],
    ['a smaller integer', 'ALTER TABLE t MODIFY n SMALLINT', ['n', 'int'], ['n', 'smallint'], 't.n: int → smallint no longer takes numbers outside -32768 to 32767'],
    ['fewer decimals', 'ALTER TABLE t MODIFY n DECIMAL(10,2)', ['n', 'decimal(10,4)'], ['n', 'decimal(10,2)'], 't.n: decimal(10,4) → decimal(10,2) no longer takes more than 2 decimal places'],
    ['NOT NULL', 'ALTER TABLE t MODIFY n INT NOT NULL', ['n', 'int'], ['n', 'int', { nullable: false }], 't.n: int → int NOT NULL no longer takes NULL'],
    ['a smaller charset', 'ALTER TABLE t MODIFY s VARCHAR(5) CHARACTER SET latin1', ['s', 'varchar(5)'], ['s', 'varchar(5)', { charset: 'latin1', collation: 'latin1_swedish_ci' }], 't.s: varchar(5) → varchar(5) no longer takes characters latin1 cannot store'],
    ['a renamed column', 'ALTER TABLE t CHANGE a b TINYINT', ['a', 'int'], ['b', 'tinyint'], 't.a: int → tinyint no longer takes numbers outside -128 to 127'],
  ] as const)('fires on %s', async (_n, sql, before, after, message) => {
    expect((await findings(narrowerType, sql, { shapes: shapes(before, after) })).map((f) => f.message)).toEqual([message]);
  });
  it.each([
    ['a wider VARCHAR', 'ALTER TABLE t MODIFY name VARCHAR(200)', ['name', 'varchar(20)'], ['name', 'varchar(200)']],
    ['INT to BIGINT', 'ALTER TABLE t MODIFY n BIGINT', ['n', 'int'], ['n', 'bigint']],
    ['an added ENUM member', "ALTER TABLE t MODIFY size ENUM('s','m','l','xl')", ['size', "enum('s','m','l')"], ['size', "enum('s','m','l','xl')"]],
    ['a type of another family (the data check values-fit judges its values)', 'ALTER TABLE t MODIFY n VARCHAR(30)', ['n', 'int'], ['n', 'varchar(30)']],
    ['a new column', 'ALTER TABLE t ADD COLUMN n TINYINT', ['m', 'int'], ['m', 'int']],
  ] as const)('stays silent on %s', async (_n, sql, before, after) => {
    expect(await codes(narrowerType, sql, { shapes: shapes(before, after) })).toEqual([]);
  });
  it('needs the table’s shape: silent without a server', async () => {
    expect(await codes(narrowerType, 'ALTER TABLE t MODIFY name VARCHAR(2)')).toEqual([]);
  });
});
