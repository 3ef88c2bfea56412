import { describe, expect, it } from 'vitest';
import { keyColumnCharset } from '../../../src/lint/rules/key-column-charset.js';
import { codes, column, findings, index, table } from './helpers.js';

const id = column('id', 'int', { nullable: false });
const before = table('t', [id, column('code', 'varchar(20)', { collation: 'utf8mb4_0900_ai_ci' }), column('note', 'varchar(20)', { collation: 'utf8mb4_0900_ai_ci' })], [index('PRIMARY', ['id']), index('uk_code', ['code'], true)]);
const binary = table('t', [id, column('code', 'varchar(20)', { collation: 'utf8mb4_bin' }), column('note', 'varchar(20)', { collation: 'utf8mb4_bin' })], [index('PRIMARY', ['id']), index('uk_code', ['code'], true)]);
const noteOnly = table('t', [id, column('code', 'varchar(20)', { collation: 'utf8mb4_0900_ai_ci' }), column('note', 'varchar(20)', { collation: 'utf8mb4_bin' })], [index('PRIMARY', ['id']), index('uk_code', ['code'], true)]);

describe('key-column-charset', () => {
  it('names the key columns a CONVERT TO changes, with the shapes', async () => {
    const [f] = await findings(keyColumnCharset, 'ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin', { database: 'app', shapes: { before, after: binary } });
    expect(f).toMatchObject({ severity: 'warning', code: 'KEY_COLUMN_CHARSET', message: 'the ALTER changes how key columns of t compare: code (uk_code: utf8mb4_0900_ai_ci → utf8mb4_bin)' });
    expect(f?.steps?.[2]).toBe(
      "Run it with oschange (its checksum compares the tables whole when a key's order changes): oschange --database app --table t --alter \"CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin\" --execute",
    );
  });
  it('fires on MODIFY of a key column’s collation', async () => {
    expect(await codes(keyColumnCharset, 'ALTER TABLE t MODIFY code VARCHAR(20) COLLATE utf8mb4_bin', { shapes: { before, after: { ...binary, columns: [id, binary.columns[1] as (typeof binary.columns)[number], before.columns[2] as (typeof before.columns)[number]] } } })).toEqual(['warning KEY_COLUMN_CHARSET']);
  });
  it('without the shapes, says what to check', async () => {
    expect((await findings(keyColumnCharset, 'ALTER TABLE t MODIFY email VARCHAR(255) COLLATE utf8mb4_bin')).map((f) => f.message)).toEqual([
      'the ALTER changes the charset or collation of columns of t: if any is part of a key, its values compare differently afterwards',
    ]);
    expect(await codes(keyColumnCharset, 'ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4')).toEqual(['warning KEY_COLUMN_CHARSET']);
  });
  it.each([
    ['a column in no key', 'ALTER TABLE t MODIFY note VARCHAR(20) COLLATE utf8mb4_bin', noteOnly],
    ['a default charset only (existing columns keep theirs)', 'ALTER TABLE t DEFAULT CHARSET = latin1', before],
    ['a type change without charset or collation', 'ALTER TABLE t MODIFY code VARCHAR(40)', before],
  ] as const)('stays silent on %s', async (_n, sql, after) => {
    expect(await codes(keyColumnCharset, sql, { shapes: { before, after } })).toEqual([]);
  });
  it('stays silent on a new table', async () => {
    expect(await codes(keyColumnCharset, 'CREATE TABLE t (code VARCHAR(5) COLLATE utf8mb4_bin PRIMARY KEY)')).toEqual([]);
  });
});
