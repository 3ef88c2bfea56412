import { describe, expect, it } from 'vitest';
import { algorithmLockClause } from '../../../src/lint/rules/algorithm-lock-clause.js';
import { codes, findings } from './helpers.js';

describe('algorithm-lock-clause', () => {
  it('fires on ALGORITHM= and LOCK=, and shows the ALTER without them', async () => {
    const found = await findings(algorithmLockClause, 'ALTER TABLE t ADD INDEX (a), ALGORITHM=COPY, LOCK=SHARED', { database: 'app' });
    expect(found.map((f) => f.message)).toEqual([
      'ALGORITHM=COPY in the ALTER of t: oschange then never changes the table instantly (it always copies), and run as a plain ALTER it blocks writes to t until the ALTER ends',
      'LOCK=SHARED in the ALTER of t: oschange then never changes the table instantly (it always copies), and run as a plain ALTER it blocks writes to t until the ALTER ends',
    ]);
    expect(found[0]?.steps?.[0]).toBe('Leave it out and let oschange choose (instant when the server can, else an online copy): oschange --database app --table t --alter "ADD INDEX (a)" --execute');
  });
  it('says what ALGORITHM=INSTANT does under oschange', async () => {
    expect((await findings(algorithmLockClause, 'ALTER TABLE t ALGORITHM=INSTANT, ADD COLUMN c INT')).map((f) => f.message)).toEqual([
      'ALGORITHM=INSTANT in the ALTER of t: oschange then never changes the table instantly (it copies), and stops where the server cannot do the change instantly',
    ]);
  });
  it.each(['ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INPLACE', 'ALTER TABLE t LOCK=NONE, ADD INDEX (c)', 'CREATE INDEX i ON t (c) ALGORITHM INPLACE', 'DROP INDEX i ON t LOCK=EXCLUSIVE'])('fires: %s', async (sql) => {
    expect(await codes(algorithmLockClause, sql)).toEqual(['warning ALGORITHM_CLAUSE']);
  });
  it.each(['ALTER TABLE t ADD COLUMN c INT', "ALTER TABLE t ADD COLUMN c INT COMMENT 'ALGORITHM=COPY'", 'CREATE TABLE t (id INT); ALTER TABLE t ADD INDEX (id), ALGORITHM=INPLACE'])('stays silent: %s', async (sql) => {
    expect(await codes(algorithmLockClause, sql)).toEqual([]);
  });
});
