import { describe, expect, it } from 'vitest';
import { writeCounts } from '../../src/guard/checked-write.js';
import { duplicateKeyIndex, unacceptable, warningMeaning, warningRow } from '../../src/guard/warnings.js';
import { CHECKS } from '../../src/lint/registry.js';
import { blocking, refuseOnErrors } from '../../src/lint/run.js';
import { chunkRowsMissingFromGhost, deleteGhostRowIfHolds, ghostRowsWithValues, originalRowHolds } from '../../src/sql/guard.js';
import { NumericLiteral } from '../../src/sql/literals.js';

const mysql = { flavor: 'mysql', major: 9, minor: 7, patch: 4, raw: '9.7.4' } as const;
const maria = { flavor: 'mariadb', major: 10, minor: 11, patch: 19, raw: '10.11.19' } as const;
const w = (code: number, message: string, level = 'Warning') => ({ level, code, message });
const g = { ghost: '_t_gho', sharedIndex: 'PRIMARY' };

describe('what a warning of a write into the ghost means', () => {
  it('tells a duplicate of the shared key (expected) from one of another key, on both flavors', () => {
    expect(duplicateKeyIndex("Duplicate entry '7' for key '_t_gho.PRIMARY'", '_t_gho')).toBe('PRIMARY');
    expect(duplicateKeyIndex("Duplicate entry 'a@x' for key 'uk.email'", '_t_gho')).toBe('uk.email');
    expect(warningMeaning(w(1062, "Duplicate entry '7' for key '_t_gho.PRIMARY'"), g)).toBe('shared-key-duplicate');
    expect(warningMeaning(w(1062, "Duplicate entry '7' for key 'PRIMARY'"), g)).toBe('shared-key-duplicate');
    expect(warningMeaning(w(1062, "Duplicate entry 'a@x' for key '_t_gho.uk_email'"), g)).toBe('other-duplicate');
  });
  it('knows changed values, replaced NULLs, rejected rows, harmless notes and everything else', () => {
    expect(warningMeaning(w(1264, "Out of range value for column 'a' at row 3"), g)).toBe('value-changed');
    expect(warningMeaning(w(1265, "Data truncated for column 'a' at row 1", 'Note'), g)).toBe('value-changed');
    expect(warningMeaning(w(1048, "Column 'a' cannot be null"), g)).toBe('null-replaced');
    expect(warningMeaning(w(3819, "Check constraint 'c' is violated."), g)).toBe('row-rejected');
    expect(warningMeaning(w(1681, 'Integer display width is deprecated', 'Note'), g)).toBe('ignorable');
    expect(warningMeaning(w(9999, 'Something new'), g)).toBe('other');
    expect(warningRow(w(1264, "Out of range value for column 'a' at row 3"))).toBe(3);
  });
  it('accepts by name only what --allow-data-loss names', () => {
    const ws = [w(1264, 'x at row 1'), w(1048, 'y'), w(1062, "Duplicate entry '1' for key 'PRIMARY'"), w(1062, "Duplicate entry 'a' for key 'uk'")];
    expect(unacceptable(ws, { ...g, allowed: new Set() }).map((x) => x.code)).toEqual([1264, 1048, 1062]);
    expect(unacceptable(ws, { ...g, allowed: new Set(['truncate'] as const) }).map((x) => x.code)).toEqual([1048, 1062]);
    expect(unacceptable(ws, { ...g, allowed: new Set(['truncate', 'null-to-default'] as const) }).map((x) => x.code)).toEqual([1062]);
  });
  it('reads the full counts from the info line, which SHOW WARNINGS may cut short', () => {
    expect(writeCounts({ info: 'Records: 5000  Duplicates: 4990  Warnings: 4991', warningStatus: 4991 }, 5000)).toEqual({ duplicates: 4990, warnings: 4991 });
    expect(writeCounts({ info: '', warningStatus: 1, affectedRows: 0 }, 1)).toEqual({ duplicates: 1, warnings: 1 });
    expect(writeCounts({ info: '', warningStatus: 0, affectedRows: 1 }, 1)).toEqual({ duplicates: 0, warnings: 0 });
  });
});

describe('the write guard’s statements', () => {
  it('read the original with a lock: the binlog can be ahead of what a plain read sees', () => {
    expect(originalRowHolds({ database: 'app', table: 't', keyColumns: ['id'], key: [7], columns: ['email'], values: ['a@x'], version: mysql })).toEqual({
      sql: 'SELECT (`email` <=> ?) AS `held` FROM `app`.`t` WHERE `id` = ? FOR SHARE',
      params: ['a@x', 7],
    });
    expect(originalRowHolds({ database: 'app', table: 't', keyColumns: ['id'], key: [7], columns: ['email'], values: ['a@x'], version: maria }).sql).toMatch(/ LOCK IN SHARE MODE$/);
  });
  it('find the ghost rows holding a value, and delete one only while it still holds it', () => {
    expect(ghostRowsWithValues({ database: 'app', ghost: '_t_gho', keyColumns: ['id'], columns: ['email'], values: ['a@x'] })).toEqual({
      sql: 'SELECT `id`, `email` FROM `app`.`_t_gho` WHERE `email` = ? LIMIT 10',
      params: ['a@x'],
    });
    expect(deleteGhostRowIfHolds({ database: 'app', ghost: '_t_gho', keyColumns: ['id'], key: [new NumericLiteral('18446744073709551615')], columns: ['email'], values: ['a@x'] })).toEqual({
      sql: 'DELETE FROM `app`.`_t_gho` WHERE `id` = ? AND `email` <=> ?',
      params: [new NumericLiteral('18446744073709551615'), 'a@x'],
    });
  });
  it('find the rows of a chunk the ghost lacks, in key order', () => {
    expect(chunkRowsMissingFromGhost({ database: 'app', table: 't', ghost: '_t_gho', keyColumns: ['a', 'b'], ghostKeyColumns: ['a', 'b 2'], where: { sql: '`a` <= ?', params: [9] } })).toEqual({
      sql: 'SELECT o.`a`, o.`b` FROM `app`.`t` AS o WHERE `a` <= ? AND NOT EXISTS (SELECT 1 FROM `app`.`_t_gho` AS g WHERE g.`a` = o.`a` AND g.`b 2` = o.`b`) ORDER BY o.`a`, o.`b`',
      params: [9],
    });
  });
});

describe('the registry of checks', () => {
  it('has one entry per id, each saying what it makes sure of', () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of CHECKS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(c.describe.length).toBeGreaterThan(10);
    }
    // The checks before every migration; the lint rules (scopes statement, live) follow them (test/unit/lint/registry.test.ts).
    expect(CHECKS.filter((c) => ['server', 'table', 'data'].includes(c.scope)).map((c) => c.id)).toEqual(['binlog-settings', 'privileges', 'innodb-only', 'has-unique-key', 'triggers', 'readable-column-types', 'foreign-keys', 'triggers-movable', 'new-unique-keys', 'values-fit']);
  });
  it('reports every blocking finding at once, with the first one’s code; accepted ones do not block', () => {
    const findings = [
      { check: 'values-fit', severity: 'error', code: 'DATA_WOULD_CHANGE', message: 'one', allowedBy: 'truncate' },
      { check: 'new-unique-keys', severity: 'error', code: 'DUPLICATES_FOR_NEW_KEY', message: 'two' },
      { check: 'privileges', severity: 'warning', code: 'PRIVILEGES_UNSURE', message: 'three' },
    ] as const;
    expect(() => refuseOnErrors(findings)).toThrow('one; two');
    expect(blocking(findings, new Set(['truncate'] as const)).map((f) => f.code)).toEqual(['DUPLICATES_FOR_NEW_KEY']);
    expect(() => refuseOnErrors(findings.slice(2))).not.toThrow();
  });
});
