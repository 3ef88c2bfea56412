import { describe, expect, it } from 'vitest';
import { parseAlter } from '../../src/inspect/alter-parse.js';
import { candidateKeys, findSharedKey, mapColumns } from '../../src/inspect/shared-key.js';
import type { Column, Index, TableInfo } from '../../src/inspect/table-info.js';
import { grantedPrivileges, requiredGlobalPrivileges } from '../../src/inspect/checks/privileges.js';
import { tableNames } from '../../src/inspect/names.js';

const col = (name: string, o: Partial<Column> = {}): Column => ({ name, dataType: 'int', columnType: 'int', nullable: false, generated: false, charset: null, collation: null, ...o });
const idx = (name: string, columns: string[], unique = true): Index => ({ name, unique, columns, partial: false });
const table = (columns: Column[], indexes: Index[]): TableInfo => ({ database: 'app', name: 't', engine: 'InnoDB', rowEstimate: 0, columns, indexes, foreignKeys: [], triggers: [] });

describe('parseAlter', () => {
  it('finds renames and drops, ignoring case-only changes and index drops', () => {
    const p = parseAlter('CHANGE COLUMN a b INT, change `c` `C` INT, RENAME COLUMN `x y` TO `z`, DROP COLUMN d, DROP e, DROP INDEX i, DROP PRIMARY KEY, ADD COLUMN f INT');
    expect([...p.renames]).toEqual([['a', 'b'], ['x y', 'z']]);
    expect(p.dropped).toEqual(['d', 'e']);
    expect(p.renamesTable).toBe(false);
  });
  it('keeps commas inside parentheses and strings in one clause', () => {
    const p = parseAlter("ADD COLUMN s SET('a,b', 'c') DEFAULT 'a,b', CHANGE d e DECIMAL(10, 2)");
    expect([...p.renames]).toEqual([['d', 'e']]);
  });
  it('reads backticked names with doubled backticks', () => {
    expect([...parseAlter('CHANGE `we``ird` `plain` INT').renames]).toEqual([['we`ird', 'plain']]);
  });
  it('strips a leading ALTER TABLE name and notices table renames', () => {
    const p = parseAlter('ALTER TABLE `app`.`users` ADD COLUMN x INT;');
    expect(p.clause).toBe('ADD COLUMN x INT');
    expect(p.namedTable).toBe('users');
    expect(parseAlter('RENAME TO users2').renamesTable).toBe(true);
    expect(parseAlter('RENAME INDEX a TO b').renamesTable).toBe(false);
  });
});

describe('column mapping and shared key', () => {
  const original = table([col('id'), col('email', { dataType: 'varchar' }), col('old'), col('g', { generated: true }), col('n', { nullable: true })], [idx('PRIMARY', ['id']), idx('email', ['email']), idx('n', ['n'])]);
  it('maps surviving columns, follows renames and leaves generated columns out', () => {
    const ghost = table([col('id'), col('EMAIL'), col('new'), col('g', { generated: true }), col('n', { nullable: true }), col('added')], [idx('PRIMARY', ['id'])]);
    const m = mapColumns(original, ghost, new Map([['old', 'new']]));
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
    const m = mapColumns(original, ghost, new Map());
    expect(findSharedKey(original, ghost, m)).toEqual({ originalIndex: original.indexes[0], ghostColumns: ['id'], ghostIndexName: 'id' });
  });
  it('finds nothing when no key survives', () => {
    const ghost = table([col('id'), col('email')], [idx('k', ['id'], false)]);
    expect(findSharedKey(original, ghost, mapColumns(original, ghost, new Map()))).toBeUndefined();
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
