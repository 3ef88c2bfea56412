import { describe, expect, it } from 'vitest';
import { findSharedKey, mapColumns } from '../../src/inspect/shared-key.js';
import type { Column, Index, TableInfo } from '../../src/inspect/table-info.js';
import { parseAlter } from '../../src/inspect/alter-parse.js';
import { comparablePairs, verifyUnavailable } from '../../src/migration/verify-phase.js';

const col = (name: string, o: Partial<Column> = {}): Column => ({ name, dataType: 'int', columnType: 'int', nullable: false, generated: false, charset: null, collation: null, ...o });
const text = (name: string, charset: string, collation: string): Column => col(name, { dataType: 'varchar', columnType: 'varchar(60)', charset, collation });
const pk = (columns: string[]): Index => ({ name: 'PRIMARY', unique: true, columns, partial: false });
const table = (columns: Column[], indexes: Index[]): TableInfo => ({ database: 'app', name: 't', engine: 'InnoDB', rowEstimate: 0, columns, indexes, foreignKeys: [], triggers: [] });

function planOf(original: TableInfo, ghost: TableInfo, alter: string) {
  const mapping = mapColumns(original, ghost, parseAlter(alter).renames);
  const sharedKey = findSharedKey(original, ghost, mapping);
  if (sharedKey === undefined) throw new Error('no shared key');
  return { original, ghost, mapping, sharedKey };
}

describe('what the checksum compares', () => {
  it('compares the key and every column whose type, charset and collation stay; skips converted ones', () => {
    const original = table([col('id'), text('name', 'latin1', 'latin1_swedish_ci'), col('qty')], [pk(['id'])]);
    const ghost = table([col('id'), text('name', 'utf8mb4', 'utf8mb4_0900_ai_ci'), col('qty', { columnType: 'bigint' })], [pk(['id'])]);
    const plan = planOf(original, ghost, 'CONVERT TO CHARACTER SET utf8mb4, MODIFY qty BIGINT');
    expect(comparablePairs(plan).map((p) => p.from)).toEqual(['id', 'qty']);
    expect(verifyUnavailable(plan)).toBeUndefined();
  });

  it('is skipped when the ALTER changes how the key sorts: charset or collation of a key column', () => {
    const original = table([text('name', 'latin1', 'latin1_swedish_ci'), col('qty')], [pk(['name'])]);
    const converted = table([text('name', 'utf8mb4', 'utf8mb4_0900_ai_ci'), col('qty')], [pk(['name'])]);
    expect(verifyUnavailable(planOf(original, converted, 'CONVERT TO CHARACTER SET utf8mb4'))).toBe(
      'the ALTER changes the type or collation of key column name, so the two tables sort their keys differently',
    );
    const recollated = table([text('name', 'latin1', 'latin1_bin'), col('qty')], [pk(['name'])]);
    expect(verifyUnavailable(planOf(original, recollated, 'MODIFY name VARCHAR(60) COLLATE latin1_bin NOT NULL'))).toMatch(/key column name,/);
  });

  it('still compares a widened integer key and a longer string of the same collation', () => {
    const original = table([col('id'), text('name', 'utf8mb4', 'utf8mb4_bin')], [pk(['id', 'name'])]);
    const widened = table([col('id', { columnType: 'bigint unsigned', dataType: 'bigint' }), col('name', { dataType: 'varchar', columnType: 'varchar(200)', charset: 'utf8mb4', collation: 'utf8mb4_bin' })], [pk(['id', 'name'])]);
    const plan = planOf(original, widened, 'MODIFY id BIGINT UNSIGNED, MODIFY name VARCHAR(200) COLLATE utf8mb4_bin');
    expect(verifyUnavailable(plan)).toBeUndefined();
    expect(comparablePairs(plan).map((p) => p.from)).toEqual(['id', 'name']);
  });

  it('is skipped when no column can be compared', () => {
    const original = table([col('id'), col('d', { dataType: 'date', columnType: 'date' })], [pk(['id'])]);
    const ghost = table([col('id', { dataType: 'bigint', columnType: 'bigint' }), col('d', { dataType: 'datetime', columnType: 'datetime' })], [pk(['id'])]);
    expect(comparablePairs(planOf(original, ghost, 'MODIFY d DATETIME, MODIFY id BIGINT')).map((p) => p.from)).toEqual(['id']);
    const noKey = table([col('k', { dataType: 'float', columnType: 'float' })], [pk(['k'])]);
    const doubled = table([col('k', { dataType: 'double', columnType: 'double' })], [pk(['k'])]);
    expect(verifyUnavailable(planOf(noKey, doubled, 'MODIFY k DOUBLE'))).toMatch(/key column k,/);
  });
});
