import { describe, expect, it } from 'vitest';
import { findSharedKey, mapColumns } from '../../src/inspect/shared-key.js';
import type { Column, Index, TableInfo } from '../../src/inspect/table-info.js';
import { columnChanges } from '../../src/alter/columns.js';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { describeComparison, planComparison } from '../../src/verify/comparison.js';
import { guardTables } from '../../src/guard/tables.js';
import { tableNames } from '../../src/inspect/names.js';

const col = (name: string, o: Partial<Column> = {}): Column => ({ name, dataType: 'int', columnType: 'int', nullable: false, generated: false, charset: null, collation: null, ...o });
const text = (name: string, charset: string, collation: string): Column => col(name, { dataType: 'varchar', columnType: 'varchar(60)', charset, collation });
const pk = (columns: string[]): Index => ({ name: 'PRIMARY', unique: true, columns, lengths: columns.map(() => undefined), partial: false });
const table = (columns: Column[], indexes: Index[]): TableInfo => ({ database: 'app', name: 't', engine: 'InnoDB', rowEstimate: 0, columns, indexes, foreignKeys: [], triggers: [] });

function planOf(original: TableInfo, ghost: TableInfo, alter: string) {
  const mapping = mapColumns(original, ghost, columnChanges(parseAlterStatement(alter), original.columns.map((c) => c.name)));
  const sharedKey = findSharedKey(original, ghost, mapping);
  if (sharedKey === undefined) throw new Error('no shared key');
  return { original, ghost, mapping, sharedKey };
}

const none = new Set<never>();

describe('what the checksum compares', () => {
  it('compares every column: as it is when its values read back the same, else converted to the new type', () => {
    const original = table([col('id'), text('name', 'latin1', 'latin1_swedish_ci'), col('qty'), col('amount', { dataType: 'decimal', columnType: 'decimal(12,2)' })], [pk(['id'])]);
    const ghost = table(
      [col('id'), text('name', 'utf8mb4', 'utf8mb4_0900_ai_ci'), col('qty', { columnType: 'bigint' }), col('amount', { dataType: 'decimal', columnType: 'decimal(14,4)' })],
      [pk(['id'])],
    );
    const c = planComparison(planOf(original, ghost, 'CONVERT TO CHARACTER SET utf8mb4, MODIFY qty BIGINT, MODIFY amount DECIMAL(14,4)'), none);
    expect(c.pairs).toEqual([
      { from: 'id', to: 'id' },
      { from: 'name', to: 'name', as: { kind: 'charset', charset: 'utf8mb4' } },
      { from: 'qty', to: 'qty' },
      { from: 'amount', to: 'amount', as: { kind: 'decimal', precision: 14, scale: 4 } },
    ]);
    expect(c.notCompared).toEqual([]);
    expect(c.keyOrderChanged).toBeUndefined();
    expect(describeComparison(c)).toBe('compares 4 columns (name, amount converted to the new type)');
  });

  it('compares over the whole table when the ALTER changes how the key sorts: charset or collation of a key column', () => {
    const original = table([text('name', 'latin1', 'latin1_swedish_ci'), col('qty')], [pk(['name'])]);
    const converted = table([text('name', 'utf8mb4', 'utf8mb4_0900_ai_ci'), col('qty')], [pk(['name'])]);
    const c = planComparison(planOf(original, converted, 'CONVERT TO CHARACTER SET utf8mb4'), none);
    expect(c.keyOrderChanged).toBe('the ALTER changes the type or collation of key column name, so the two tables sort their keys differently');
    expect(describeComparison(c)).toBe('compares 2 columns (name converted to the new type); over the whole table (the key sorts differently after the ALTER)');
    const recollated = table([text('name', 'latin1', 'latin1_bin'), col('qty')], [pk(['name'])]);
    expect(planComparison(planOf(original, recollated, 'MODIFY name VARCHAR(60) COLLATE latin1_bin NOT NULL'), none).keyOrderChanged).toMatch(/key column name,/);
  });

  it('still walks the key in ranges for a widened integer key and a longer string of the same collation', () => {
    const original = table([col('id'), text('name', 'utf8mb4', 'utf8mb4_bin')], [pk(['id', 'name'])]);
    const widened = table([col('id', { columnType: 'bigint unsigned', dataType: 'bigint' }), col('name', { dataType: 'varchar', columnType: 'varchar(200)', charset: 'utf8mb4', collation: 'utf8mb4_bin' })], [pk(['id', 'name'])]);
    const c = planComparison(planOf(original, widened, 'MODIFY id BIGINT UNSIGNED, MODIFY name VARCHAR(200) COLLATE utf8mb4_bin'), none);
    expect(c.keyOrderChanged).toBeUndefined();
    expect(c.pairs).toEqual([{ from: 'id', to: 'id' }, { from: 'name', to: 'name' }]);
  });

  it('names what it cannot compare before the run: no exact conversion, or values the operator let change', () => {
    const original = table([col('id'), col('y'), text('name', 'utf8mb4', 'utf8mb4_bin')], [pk(['id'])]);
    const ghost = table([col('id'), col('y', { dataType: 'year', columnType: 'year' }), col('name', { dataType: 'varchar', columnType: 'varchar(5)', charset: 'utf8mb4', collation: 'utf8mb4_bin' })], [pk(['id'])]);
    const c = planComparison(planOf(original, ghost, 'MODIFY y YEAR, MODIFY name VARCHAR(5)'), new Set(['truncate'] as const));
    expect(c.pairs).toEqual([{ from: 'id', to: 'id' }]);
    expect(c.notCompared).toEqual([
      { column: 'y', why: 'no exact conversion from int to year to compare by' },
      { column: 'name', why: 'its values may change: --allow-data-loss=truncate' },
    ]);
    expect(describeComparison(c)).toBe('compares 1 column; not compared: y (no exact conversion from int to year to compare by), name (its values may change: --allow-data-loss=truncate)');
  });

  it('compares the generated columns of the shared key too (never copied), and no other generated column', () => {
    const gen = (name: string, expression: string, storage: 'stored' | 'virtual'): Column => col(name, { generated: true, generation: { storage, expression } });
    const t = table([col('id'), col('a'), gen('k', '(`a` * 2)', 'stored'), gen('v', '(`a` + 1)', 'virtual')], [pk(['id', 'k'])]);
    const p = planOf(t, t, 'ADD INDEX (a)');
    expect(p.mapping.pairs).toEqual([{ from: 'id', to: 'id' }, { from: 'a', to: 'a' }]);
    expect(planComparison(p, none).pairs).toEqual([{ from: 'id', to: 'id' }, { from: 'a', to: 'a' }, { from: 'k', to: 'k' }]);
  });
});

describe('what the write guard knows of a widened key', () => {
  it('marks a ghost key wider than the shared one, so the applier deletes by the shared key before every write', () => {
    const original = table([col('id'), col('i')], [pk(['id'])]);
    const plan = (ghost: TableInfo, alter: string) => ({ ...planOf(original, ghost, alter), version: { flavor: 'mysql', major: 9, minor: 7, patch: 4, raw: '9.7.4' } as const, names: tableNames('t'), keyTypes: ['int'] });
    const widened = guardTables(plan(table([col('id'), col('i')], [pk(['id', 'i'])]), 'DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)'), 'app', none);
    expect({ keyColumns: widened.keyColumns, ghostKeyColumns: widened.ghostKeyColumns, sharedIndex: widened.sharedIndex, ghostKeyWider: widened.ghostKeyWider, uniqueIndexes: widened.uniqueIndexes }).toEqual({
      keyColumns: ['id'],
      ghostKeyColumns: ['id'],
      sharedIndex: 'PRIMARY',
      ghostKeyWider: true,
      uniqueIndexes: [],
    });
    expect(guardTables(plan(table([col('id'), col('i')], [pk(['id'])]), 'ADD INDEX (i)'), 'app', none).ghostKeyWider).toBe(false);
  });
});
