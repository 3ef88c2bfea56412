import { describe, expect, it } from 'vitest';
import { columnChanges, type ColumnChanges } from '../../src/alter/columns.js';
import { parseAlterStatement } from '../../src/alter/parse.js';
import { candidateKeys, findSharedKey, mapColumns } from '../../src/inspect/shared-key.js';
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
    expect(findSharedKey(original, ghost, m)).toEqual({ originalIndex: original.indexes[0], ghostColumns: ['id'], ghostIndexName: 'id' });
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
