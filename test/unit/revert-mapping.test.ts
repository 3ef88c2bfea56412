import { describe, expect, it } from 'vitest';
import { columnChanges } from '../../src/alter/columns.js';
import { parseAlterStatement } from '../../src/alter/parse.js';
import yargs from 'yargs';
import { parseKeepReverseSync } from '../../src/cli/keep-reverse-sync.js';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import { mapColumns } from '../../src/inspect/shared-key.js';
import type { Column, TableInfo } from '../../src/inspect/table-info.js';
import { isLiftable, parseDefault, writtenTest } from '../../src/revert/exactness.js';
import { reverseChanges } from '../../src/revert/mapping.js';
import { revertNames } from '../../src/revert/names.js';
import { guardAdviceForRevert } from '../../src/revert/report.js';

const col = (name: string, columnType = 'int'): Column => ({ name, dataType: columnType.replace(/\(.*$/, ''), columnType, nullable: false, generated: false, charset: null, collation: null });
const table = (name: string, columns: readonly Column[]): TableInfo => ({ database: 'app', name, engine: 'InnoDB', rowEstimate: 0, columns, indexes: [], foreignKeys: [], triggers: [] });

/** The forward mapping of an ALTER, then the reverse one from the new table back to the old. */
function both(alter: string, oldColumns: readonly Column[], newColumns: readonly Column[]) {
  const forward = columnChanges(parseAlterStatement(alter), oldColumns.map((c) => c.name));
  const reverse = mapColumns(table('t', newColumns), table('_t_del', oldColumns), reverseChanges(forward, newColumns.map((c) => c.name)));
  return reverse;
}

describe('the reverse column mapping', () => {
  it('maps kept columns back, drops the columns the ALTER added, and leaves the dropped ones to their definition', () => {
    const r = both('ADD COLUMN note VARCHAR(20), DROP COLUMN legacy', [col('id'), col('legacy'), col('v')], [col('id'), col('v'), col('note', 'varchar(20)')]);
    expect(r.pairs).toEqual([
      { from: 'id', to: 'id' },
      { from: 'v', to: 'v' },
    ]);
    expect(r.dropped).toEqual(['note']);
    expect(r.added).toEqual(['legacy']);
    expect(r.renamed).toEqual([]);
    expect(r.missing).toEqual([]);
  });

  it('renames back: CHANGE and RENAME COLUMN, and two RENAMEs that swapped names', () => {
    const r = both('CHANGE COLUMN k key_no INT NOT NULL, RENAME COLUMN a TO b, RENAME COLUMN b TO a', [col('id'), col('k'), col('a'), col('b')], [col('id'), col('key_no'), col('b'), col('a')]);
    expect(r.pairs).toEqual([
      { from: 'id', to: 'id' },
      { from: 'key_no', to: 'k' },
      { from: 'b', to: 'a' },
      { from: 'a', to: 'b' },
    ]);
    expect(r.renamed).toEqual([
      { from: 'key_no', to: 'k' },
      { from: 'b', to: 'a' },
      { from: 'a', to: 'b' },
    ]);
  });

  it('treats DROP c, ADD c as a new column both ways: its values do not go back', () => {
    const r = both('DROP COLUMN c, ADD COLUMN c BIGINT', [col('id'), col('c')], [col('id'), col('c', 'bigint')]);
    expect(r.pairs).toEqual([{ from: 'id', to: 'id' }]);
    expect(r.dropped).toEqual(['c']);
    expect(r.added).toEqual(['c']);
  });

  it('keeps a widened column paired, for the value checks to judge', () => {
    const r = both('MODIFY v VARCHAR(100) NOT NULL', [col('id'), col('v', 'varchar(20)')], [col('id'), col('v', 'varchar(100)')]);
    expect(r.pairs).toEqual([
      { from: 'id', to: 'id' },
      { from: 'v', to: 'v' },
    ]);
  });
});

describe('what counts as a written value in a column the old table lacks', () => {
  it('reads information_schema as both servers write it (MariaDB: a NULL default is the text NULL)', () => {
    expect(parseDefault({ name: 'a', column_default: null, is_nullable: 'YES', extra: '' })).toEqual({ name: 'a', hasDefault: false, nullable: true, expression: false });
    expect(parseDefault({ name: 'a', column_default: 'NULL', is_nullable: 'YES', extra: '' })).toEqual({ name: 'a', hasDefault: false, nullable: true, expression: false });
    expect(parseDefault({ name: 'a', column_default: "''", is_nullable: 'NO', extra: '' })).toEqual({ name: 'a', hasDefault: true, nullable: false, expression: false });
    expect(parseDefault({ name: 'a', column_default: '(now())', is_nullable: 'NO', extra: 'DEFAULT_GENERATED' })).toEqual({ name: 'a', hasDefault: true, nullable: false, expression: true });
  });
  it('is anything but NULL, anything but the default, or every value', () => {
    expect(writtenTest({ name: 'a', hasDefault: false, nullable: true, expression: false })).toBe('not-null');
    expect(writtenTest({ name: 'a', hasDefault: true, nullable: false, expression: false })).toBe('not-default');
    expect(writtenTest({ name: 'a', hasDefault: true, nullable: true, expression: false })).toBe('not-default');
    expect(writtenTest({ name: 'a', hasDefault: false, nullable: false, expression: false })).toBe('any');
    expect(writtenTest({ name: 'a', hasDefault: true, nullable: false, expression: true })).toBe('any');
  });
  it('lets --allow-inexact-revert accept lost or changed values, never a replay the server refuses', () => {
    expect(isLiftable({ code: 'ADDED_COLUMN_WRITTEN', message: '' })).toBe(true);
    expect(isLiftable({ code: 'VALUE_DOES_NOT_FIT', message: '' })).toBe(true);
    expect(isLiftable({ code: 'NO_VALUE_FOR_NOT_NULL', message: '' })).toBe(false);
  });
});

describe('revert names and --keep-reverse-sync', () => {
  it('plays the table as the original and the old table as the ghost; the new-schema table goes to _T_rev', () => {
    expect(revertNames('users')).toEqual({
      original: 'users',
      ghost: '_users_del',
      changelog: '_users_ghc',
      checkpoint: '_users_ghr',
      old: '_users_rev',
      check: '_users_ghv',
      sentry: 'users_osc_sentry',
    });
    expect(revertNames('users', '_users_20261201034400_del').ghost).toBe('_users_20261201034400_del');
  });
  it('takes a duration or 0 (record only), and refuses a bad one or --ok-to-drop-table beside it', () => {
    const parse = (raw: { 'keep-reverse-sync'?: string; 'ok-to-drop-table': boolean }) => {
      const errors: string[] = [];
      return { ms: parseKeepReverseSync(raw, errors), errors };
    };
    expect(parse({ 'keep-reverse-sync': '30m', 'ok-to-drop-table': false })).toEqual({ ms: 1_800_000, errors: [] });
    expect(parse({ 'ok-to-drop-table': true })).toEqual({ ms: undefined, errors: [] });
    expect(parse({ 'keep-reverse-sync': '0', 'ok-to-drop-table': false })).toEqual({ ms: 0, errors: [] });
    expect(parse({ 'keep-reverse-sync': '30', 'ok-to-drop-table': false }).errors).toEqual(['--keep-reverse-sync must be a duration like 30m or 2h, or 0 (got 30: "30" is not a duration like 4h, 90m, 1h30m or 45s)']);
    expect(parse({ 'keep-reverse-sync': '1h', 'ok-to-drop-table': true }).errors).toEqual(['--keep-reverse-sync keeps the old table for a revert; --ok-to-drop-table drops it: give one of them']);
  });
});

describe('the write guard\'s refusal during a revert', () => {
  it('names the revert\'s flag', () => {
    expect(guardAdviceForRevert("replaying binlog events into app._t_del would change data of app.t: Warning 1265: Data truncated for column 'v' at row 1 (id 3); the original table is untouched. Fix the data, or accept the change with --allow-data-loss=truncate")).toBe(
      "replaying binlog events into app._t_del would change data of app.t: Warning 1265: Data truncated for column 'v' at row 1 (id 3); the original table is untouched. Fix the data, or accept the change with --allow-inexact-revert",
    );
    expect(guardAdviceForRevert('… accept NULLs becoming the default with --allow-data-loss=null-to-default')).toBe('… accept NULLs becoming the default with --allow-inexact-revert');
  });
});

describe('a migration with --keep-reverse-sync', () => {
  const parse = (extra: readonly string[]) => {
    const raw = migrationFlags(yargs(['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN c INT', ...extra])).strict().parseSync();
    const r = parseMigrationOptions(raw, { env: {}, readFile: () => '' });
    if ('errors' in r) throw new Error(r.errors.join('; '));
    return r.config;
  };
  it('copies instead of trying an instant ALTER, which would leave no old table to revert to', () => {
    expect(parse([]).attemptInstantDdl).toBe(true);
    expect(parse([]).keepReverseSyncMs).toBeUndefined();
    const c = parse(['--keep-reverse-sync', '30m']);
    expect(c.attemptInstantDdl).toBe(false);
    expect(c.keepReverseSyncMs).toBe(1_800_000);
  });
});
