import { describe, expect, it } from 'vitest';
import { columnChanges, type ColumnChanges } from '../../src/alter/columns.js';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { candidateKeys, findSharedKey, ghostKeyIsWider, mapColumns } from '../../src/inspect/shared-key.js';
import type { Column, Index, TableInfo } from '../../src/inspect/table-info.js';
import { grantedPrivileges, requiredGlobalPrivileges } from '../../src/lint/checks/privileges.js';
import { tableNames } from '../../src/inspect/names.js';

const col = (name: string, o: Partial<Column> = {}): Column => ({ name, dataType: 'int', columnType: 'int', nullable: false, generated: false, charset: null, collation: null, ...o });
const idx = (name: string, columns: string[], unique = true): Index => ({ name, unique, columns, lengths: columns.map(() => undefined), partial: false });
const table = (columns: Column[], indexes: Index[]): TableInfo => ({ database: 'app', name: 't', engine: 'InnoDB', rowEstimate: 0, columns, indexes, foreignKeys: [], triggers: [] });

const changes = (alter: string, t: TableInfo): ColumnChanges => columnChanges(parseAlterStatement(alter), t.columns.map((c) => c.name));

describe('what the ALTER does to each column', () => {
  const t = table([col('a'), col('b'), col('c'), col('IF')], []);
  const fates = (alter: string): Record<string, string> => Object.fromEntries([...changes(alter, t).fates].map(([k, f]) => [k, f.kind === 'dropped' ? 'dropped' : f.as]));
  it('follows renames, drops and case-only changes', () => {
    expect(fates('CHANGE COLUMN a x INT, change `b` `B` INT, DROP COLUMN c')).toEqual({ a: 'x', b: 'B', c: 'dropped', if: 'IF' });
  });
  it('reads names against the original, so a swap swaps', () => {
    expect(fates('RENAME COLUMN a TO b, RENAME COLUMN b TO a')).toEqual({ a: 'b', b: 'a', c: 'c', if: 'IF' });
  });
  it("reads MariaDB's IF EXISTS as a condition, not as a column called IF", () => {
    expect(fates('CHANGE COLUMN IF EXISTS a b INT')).toEqual({ a: 'b', b: 'b', c: 'c', if: 'IF' });
    expect(fates('CHANGE COLUMN IF EXISTS nope x INT, DROP COLUMN IF EXISTS gone')).toEqual({ a: 'a', b: 'b', c: 'c', if: 'IF' });
  });
  it('counts a column dropped and added again under its name as a new column', () => {
    const ch = changes('DROP COLUMN c, ADD COLUMN c INT NOT NULL DEFAULT 47', t);
    expect(ch.fates.get('c')).toEqual({ kind: 'dropped' });
    expect([...ch.added]).toEqual(['c']);
    expect([...changes('ADD COLUMN IF NOT EXISTS c INT', t).added]).toEqual([]);
    expect([...changes('ADD COLUMN IF NOT EXISTS d INT', t).added]).toEqual(['d']);
  });
});

describe('column mapping and shared key', () => {
  const original = table([col('id'), col('email', { dataType: 'varchar' }), col('old'), col('g', { generated: true }), col('n', { nullable: true })], [idx('PRIMARY', ['id']), idx('email', ['email']), idx('n', ['n'])]);
  it('maps surviving columns, follows renames and leaves generated columns out', () => {
    const ghost = table([col('id'), col('EMAIL'), col('new'), col('g', { generated: true }), col('n', { nullable: true }), col('added')], [idx('PRIMARY', ['id'])]);
    const m = mapColumns(original, ghost, changes('RENAME COLUMN old TO new, ADD COLUMN added INT', original));
    expect(m.pairs).toEqual([{ from: 'id', to: 'id' }, { from: 'email', to: 'EMAIL' }, { from: 'old', to: 'new' }, { from: 'n', to: 'n' }]);
    expect(m.renamed).toEqual([{ from: 'old', to: 'new' }]);
    expect(m.added).toEqual(['added']);
    expect(m.dropped).toEqual([]);
  });
  it('only counts unique keys on non-null, non-generated whole columns', () => {
    expect(candidateKeys(original).map((k) => k.name)).toEqual(['PRIMARY', 'email']);
  });
  it('falls back to another unique key when the ALTER replaces the primary key', () => {
    const ghost = table([col('id'), col('email')], [idx('PRIMARY', ['email']), idx('id', ['id'])]);
    const m = mapColumns(original, ghost, changes('DROP COLUMN old, DROP COLUMN g, DROP COLUMN n', original));
    expect(findSharedKey(original, ghost, m)).toEqual({ originalIndex: original.indexes[0], ghostColumns: ['id'], ghostIndexName: 'id', ghostIndexColumns: ['id'] });
  });
  it('finds nothing when no key survives', () => {
    const ghost = table([col('id'), col('email')], [idx('k', ['id'], false)]);
    expect(findSharedKey(original, ghost, mapColumns(original, ghost, changes('DROP COLUMN old, DROP COLUMN g, DROP COLUMN n', original)))).toBeUndefined();
  });
  it('names a column the ghost lacks although the ALTER keeps it, and one dropped and added again', () => {
    const ghost = table([col('id'), col('email'), col('old'), col('n')], [idx('PRIMARY', ['id'])]);
    expect(mapColumns(original, ghost, changes('ADD COLUMN x INT', original)).missing).toEqual([{ column: 'g', expectedAs: 'g' }]);
    const replaced = mapColumns(original, ghost, changes('DROP COLUMN old, ADD COLUMN old INT, DROP COLUMN g', original));
    expect(replaced.missing).toEqual([]);
    expect(replaced.replaced).toEqual(['old']);
    expect(replaced.pairs.map((p) => p.from)).toEqual(['id', 'email', 'n']);
  });
});

describe('a shared key with a STORED generated column', () => {
  // As MySQL prints them in information_schema.COLUMNS.GENERATION_EXPRESSION.
  const stored = (name: string, expression: string, o: Partial<Column> = {}): Column => col(name, { generated: true, generation: { storage: 'stored', expression }, ...o });
  const virtual = (name: string, expression: string): Column => col(name, { generated: true, generation: { storage: 'virtual', expression } });
  const region = (o: Partial<Column> = {}): Column => col('region', { dataType: 'varchar', columnType: 'varchar(10)', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci', ...o });
  const code = "concat(upper(`region`),_utf8mb4\\'-\\',(`id` % 7))";
  const original = table([col('id'), region(), col('amount'), stored('code', code, { dataType: 'varchar', columnType: 'varchar(20)' })], [idx('PRIMARY', ['code', 'id'])]);

  it('counts a STORED generated column in a candidate key, never a VIRTUAL or a nullable one, nor one whose storage is unknown', () => {
    expect(candidateKeys(original).map((k) => k.name)).toEqual(['PRIMARY']);
    const others = table(
      [col('id'), virtual('v', '(`id` + 1)'), stored('n', '(`id` + 2)', { nullable: true }), col('g', { generated: true }), stored('s', '(`id` * 2)')],
      [idx('v', ['v']), idx('n', ['n']), idx('g', ['g']), idx('s', ['s'])],
    );
    expect(candidateKeys(others).map((k) => k.name)).toEqual(['s']);
  });

  it('shares the key when the ghost computes the column the same way, and maps it apart from the copied columns', () => {
    const ghost = table([col('id'), region(), col('amount'), stored('code', code, { dataType: 'varchar', columnType: 'varchar(20)' }), col('extra')], [idx('PRIMARY', ['code', 'id'])]);
    const m = mapColumns(original, ghost, changes('ADD COLUMN extra INT', original));
    expect(m.pairs.map((p) => p.from)).toEqual(['id', 'region', 'amount']);
    expect(m.sameGenerated).toEqual([{ from: 'code', to: 'code' }]);
    const key = findSharedKey(original, ghost, m);
    expect(key).toEqual({ originalIndex: original.indexes[0], ghostColumns: ['code', 'id'], ghostIndexName: 'PRIMARY', ghostIndexColumns: ['code', 'id'] });
    expect(key === undefined ? undefined : ghostKeyIsWider(key)).toBe(false);
    // A column the expression does not read may change its type.
    const amount = table([col('id'), region(), col('amount', { columnType: 'bigint', dataType: 'bigint' }), stored('code', code, { dataType: 'varchar', columnType: 'varchar(20)' })], [idx('PRIMARY', ['code', 'id'])]);
    expect(findSharedKey(original, amount, mapColumns(original, amount, changes('MODIFY amount BIGINT NOT NULL', original)))?.ghostIndexName).toBe('PRIMARY');
  });

  it('refuses it when the values may differ: another expression, storage or type, or a column the expression reads changes', () => {
    const ghostWith = (columns: Column[]): TableInfo => table(columns, [idx('PRIMARY', ['code', 'id'])]);
    const shared = (ghost: TableInfo, alter: string): boolean => findSharedKey(original, ghost, mapColumns(original, ghost, changes(alter, original))) !== undefined;
    const varchar20 = { dataType: 'varchar', columnType: 'varchar(20)' };
    expect(shared(ghostWith([col('id'), region(), col('amount'), stored('code', code.replace('% 7', '% 8'), varchar20)]), 'MODIFY code VARCHAR(20) AS (1) STORED NOT NULL')).toBe(false);
    expect(shared(ghostWith([col('id'), region(), col('amount'), stored('code', code, { dataType: 'varchar', columnType: 'varchar(30)' })]), 'MODIFY code VARCHAR(30) AS (1) STORED NOT NULL')).toBe(false);
    // The expression reads `region`, whose collation changes: UPPER() may give other bytes.
    expect(shared(ghostWith([col('id'), region({ collation: 'utf8mb4_bin' }), col('amount'), stored('code', code, varchar20)]), 'MODIFY region VARCHAR(10) COLLATE utf8mb4_bin NOT NULL')).toBe(false);
    // And through another generated column that reads a changed column.
    const chained = table([col('id'), col('a'), stored('h', '(`a` * 2)'), stored('k', '(`h` + 1)')], [idx('PRIMARY', ['k'])]);
    const chainedGhost = table([col('id'), col('a', { columnType: 'bigint', dataType: 'bigint' }), stored('h', '(`a` * 2)'), stored('k', '(`h` + 1)')], [idx('PRIMARY', ['k'])]);
    const chainedMapping = mapColumns(chained, chainedGhost, changes('MODIFY a BIGINT NOT NULL', chained));
    expect(chainedMapping.sameGenerated).toEqual([]);
    expect(findSharedKey(chained, chainedGhost, chainedMapping)).toBeUndefined();
    const same = mapColumns(chained, chained, changes('ADD INDEX (a)', chained));
    expect(same.sameGenerated).toEqual([{ from: 'h', to: 'h' }, { from: 'k', to: 'k' }]);
    expect(findSharedKey(chained, chained, same)?.ghostColumns).toEqual(['k']);
  });
});

describe('a key the ALTER widens', () => {
  const name = (o: Partial<Column> = {}): Column => col('name', { dataType: 'varchar', columnType: 'varchar(40)', charset: 'utf8mb4', collation: 'utf8mb4_bin', ...o });
  const original = table([col('id'), col('i'), name()], [idx('PRIMARY', ['id']), idx('i', ['i'], false)]);
  const key = (ghost: TableInfo, alter: string, from: TableInfo = original) => findSharedKey(from, ghost, mapColumns(from, ghost, changes(alter, from)));

  it('identifies rows by the original key when it leads a wider key of the ghost', () => {
    const ghost = table([col('id'), col('i'), name()], [idx('PRIMARY', ['id', 'i'])]);
    const k = key(ghost, 'DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)');
    expect(k).toEqual({ originalIndex: original.indexes[0], ghostColumns: ['id'], ghostIndexName: 'PRIMARY', ghostIndexColumns: ['id', 'i'] });
    expect(k === undefined ? undefined : ghostKeyIsWider(k)).toBe(true);
    // Through a rename of the key column, and onto a UNIQUE key with a new column.
    const renamed = table([col('ident'), col('i'), name(), col('v')], [idx('u', ['ident', 'v'])]);
    expect(key(renamed, 'CHANGE id ident INT NOT NULL, ADD COLUMN v INT NOT NULL DEFAULT 0, DROP PRIMARY KEY, ADD UNIQUE KEY u (ident, v)')).toMatchObject({ ghostColumns: ['ident'], ghostIndexName: 'u', ghostIndexColumns: ['ident', 'v'] });
  });

  it('prefers a key the ghost has as it is', () => {
    const withEmail = table([col('id'), col('i'), name()], [idx('PRIMARY', ['id']), idx('name', ['name'])]);
    const ghost = table([col('id'), col('i'), name()], [idx('PRIMARY', ['id', 'i']), idx('name', ['name'])]);
    expect(key(ghost, 'DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)', withEmail)).toMatchObject({ ghostColumns: ['name'], ghostIndexName: 'name', ghostIndexColumns: ['name'] });
  });

  it('refuses a wider key that does not start with the original key, or compares it differently', () => {
    expect(key(table([col('id'), col('i'), name()], [idx('PRIMARY', ['i', 'id'])]), 'DROP PRIMARY KEY, ADD PRIMARY KEY (i, id)')).toBeUndefined();
    const byName = table([col('id'), name()], [idx('PRIMARY', ['name'])]);
    const ci = table([col('id'), name({ collation: 'utf8mb4_0900_ai_ci' })], [idx('PRIMARY', ['name', 'id'])]);
    expect(key(ci, 'MODIFY name VARCHAR(40) NOT NULL COLLATE utf8mb4_0900_ai_ci, DROP PRIMARY KEY, ADD PRIMARY KEY (name, id)', byName)).toBeUndefined();
    const bigger = table([col('id', { columnType: 'bigint', dataType: 'bigint' }), col('i'), name()], [idx('PRIMARY', ['id', 'i'])]);
    expect(key(bigger, 'MODIFY id BIGINT NOT NULL, DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)')?.ghostIndexColumns).toEqual(['id', 'i']);
  });
});

describe('privileges from SHOW GRANTS', () => {
  it('collects global and database grants, honouring wildcards and escapes', () => {
    const g = grantedPrivileges(
      ['GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `u`@`%`', 'GRANT SELECT, INSERT ON `app\\_1`.* TO `u`@`%`', 'GRANT DROP ON `ap%`.* TO `u`@`%`', 'GRANT ALTER ON `other`.* TO `u`@`%`'],
      'app_1',
    );
    expect([...g.global]).toEqual(['REPLICATION SLAVE', 'REPLICATION CLIENT']);
    expect([...g.database].sort()).toEqual(['DROP', 'INSERT', 'SELECT']);
    expect([...grantedPrivileges(['GRANT SELECT ON `app\\_1`.* TO `u`@`%`'], 'appx1').database]).toEqual([]);
  });
});

describe('required global privileges', () => {
  it('ask MariaDB for REPLICATION MASTER ADMIN only when replicas must be discovered', () => {
    expect(requiredGlobalPrivileges('mariadb', false)).toContain('REPLICATION MASTER ADMIN');
    expect(requiredGlobalPrivileges('mariadb', true)).toEqual(['REPLICATION SLAVE', 'BINLOG MONITOR', 'SLAVE MONITOR']);
    expect(requiredGlobalPrivileges('mysql', true)).toEqual(['REPLICATION SLAVE', 'REPLICATION CLIENT']);
  });
});

describe('table names', () => {
  it('follows gh-ost and refuses names that would overflow 64 characters', () => {
    expect(tableNames('users')).toEqual({ original: 'users', ghost: '_users_gho', changelog: '_users_ghc', checkpoint: '_users_ghk', old: '_users_del', check: '_users_ghv', sentry: 'users_osc_sentry' });
    expect(() => tableNames('x'.repeat(60))).toThrow("exceed MySQL's 64-character limit");
  });
});
