import { describe, expect, it } from 'vitest';
import { keyUsage, pkNearMax } from '../../../src/lint/rules/pk-near-max.js';
import { codes, column } from './helpers.js';

const int = column('id', 'int', { nullable: false });
const unsigned = column('id', 'int unsigned', { nullable: false });

describe('pk-near-max', () => {
  it('fires from half the range, counting the AUTO_INCREMENT counter or the highest value', () => {
    expect(keyUsage({ column: int, after: undefined, autoIncrement: 1_500_000_001n, highest: 12n })).toMatchObject({ permille: 698, used: 1_500_000_000n, max: 2_147_483_647n });
    expect(keyUsage({ column: unsigned, after: undefined, autoIncrement: undefined, highest: 4_000_000_000n })).toMatchObject({ permille: 931 });
    expect(keyUsage({ column: column('id', 'bigint unsigned'), after: undefined, autoIncrement: 18_000_000_000_000_000_000n, highest: undefined })).toMatchObject({ permille: 975 });
  });
  it('stays silent below half, for other types, and when the ALTER widens the key', () => {
    expect(keyUsage({ column: int, after: undefined, autoIncrement: 1_000_000_000n, highest: 5n })).toBeUndefined();
    expect(keyUsage({ column: column('id', 'varchar(36)'), after: undefined, autoIncrement: undefined, highest: undefined })).toBeUndefined();
    expect(keyUsage({ column: int, after: column('id', 'bigint'), autoIncrement: 2_000_000_000n, highest: undefined })).toBeUndefined();
    expect(keyUsage({ column: int, after: column('id', 'int'), autoIncrement: 2_000_000_000n, highest: undefined })).toMatchObject({ permille: 931 });
  });
  it('asks the server nothing without the table’s shape, or for statements that change no table', async () => {
    expect(await codes(pkNearMax, 'ALTER TABLE t ADD c INT')).toEqual([]);
    expect(await codes(pkNearMax, 'DROP TABLE t')).toEqual([]);
  });
});
