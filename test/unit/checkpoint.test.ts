import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey } from '../../src/checkpoint/key-codec.js';
import { fingerprintOf } from '../../src/checkpoint/store.js';
import { isTransientError } from '../../src/db/transient.js';
import { OschangeError } from '../../src/errors.js';
import { tableNames, timestampedOldTable } from '../../src/inspect/names.js';
import { readCheckpoint, writeCheckpoint } from '../../src/sql/checkpoint.js';
import { NumericLiteral } from '../../src/sql/literals.js';
import { MigrationState } from '../../src/state.js';
import { statusLine } from '../../src/status/format.js';

describe('checkpoint keys', () => {
  it('round-trip exactly: exact numbers keep every digit, binary stays bytes', () => {
    const key = [new NumericLiteral('18446744073709551615'), 'ä😀 x', Buffer.from([0, 255, 16]), 42, null, new NumericLiteral('-12.50')];
    const text = encodeKey(key);
    expect(text).toBe('[{"x":"18446744073709551615"},{"s":"ä😀 x"},{"b":"00ff10"},{"n":42},null,{"x":"-12.50"}]');
    const back = decodeKey(text);
    expect(back[0]).toBeInstanceOf(NumericLiteral);
    expect((back[0] as NumericLiteral).text).toBe('18446744073709551615');
    expect(back.slice(1)).toEqual(['ä😀 x', Buffer.from([0, 255, 16]), 42, null, new NumericLiteral('-12.50')]);
  });
  it('refuses what it did not write', () => {
    expect(() => decodeKey('{"a":1}')).toThrow('a saved key is not a list: {"a":1}');
    expect(() => decodeKey('[{"q":1}]')).toThrow('a saved key has a value oschange cannot read: [{"q":1}]');
    expect(() => decodeKey('[{"x":"1; DROP"}]')).toThrow('not a decimal number');
  });
});

describe('checkpoint SQL', () => {
  it('writes one row, id 1, every value a placeholder', () => {
    const s = writeCheckpoint('a`b', '_t_ghk', {
      alterStatement: 'ADD COLUMN c INT',
      originalSchema: 'o'.repeat(64),
      ghostSchema: 'g'.repeat(64),
      copyRange: null,
      copiedUpTo: '[{"n":5}]',
      copyDone: false,
      rowsCopied: 10,
      binlogFile: 'binlog.000003',
      binlogPos: 4711,
      oldTable: '_t_20261201034335_del',
    });
    expect(s.sql).toBe(
      'REPLACE INTO `a``b`.`_t_ghk` (`id`, `alter_statement`, `original_schema`, `ghost_schema`, `copy_range`, `copied_up_to`, `copy_done`, `rows_copied`, `binlog_file`, `binlog_pos`, `old_table`) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    expect(s.params).toEqual(['ADD COLUMN c INT', 'o'.repeat(64), 'g'.repeat(64), null, '[{"n":5}]', 0, 10, 'binlog.000003', 4711, '_t_20261201034335_del']);
  });
  it('reads it back with its age', () => {
    expect(readCheckpoint('db', '_t_ghk').sql).toBe(
      'SELECT `alter_statement`, `original_schema`, `ghost_schema`, `copy_range`, `copied_up_to`, `copy_done`, `rows_copied`, `binlog_file`, `binlog_pos`, `old_table`, ' +
        'TIMESTAMPDIFF(SECOND, `updated_at`, CURRENT_TIMESTAMP(6)) AS `age_seconds` FROM `db`.`_t_ghk` WHERE `id` = 1',
    );
  });
  it('is named _T_ghk', () => {
    expect(tableNames('users').checkpoint).toBe('_users_ghk');
  });
  it('keeps the old table as _T_del, or stamped with the start in UTC (--timestamp-old-table)', () => {
    expect(tableNames('users').old).toBe('_users_del');
    const old = timestampedOldTable('users', Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(old).toBe('_users_20260102030405_del');
    expect(tableNames('users', { old }).old).toBe('_users_20260102030405_del');
  });
  it('refuses a table whose stamped old table would pass 64 characters, naming both names', () => {
    const t = 'x'.repeat(45);
    expect(tableNames(t).old).toBe(`_${t}_del`);
    expect(() => tableNames(t, { old: timestampedOldTable(t, Date.UTC(2026, 0, 2, 3, 4, 5)) })).toThrow(
      `table name ${t} is too long: its helper table _${t}_20260102030405_del would exceed MySQL's 64-character limit (with --timestamp-old-table; without it the old table is _${t}_del, 50 characters)`,
    );
  });
});

describe('schema fingerprints', () => {
  const create = (name: string, ai: string, col = 'int'): string => `CREATE TABLE \`${name}\` (\n  \`id\` ${col} NOT NULL AUTO_INCREMENT,\n  PRIMARY KEY (\`id\`)\n) ENGINE=InnoDB${ai} DEFAULT CHARSET=utf8mb4`;
  it('ignore the table name and the AUTO_INCREMENT counter', () => {
    expect(fingerprintOf(create('_t_gho', ' AUTO_INCREMENT=5'))).toBe(fingerprintOf(create('t', '')));
    expect(fingerprintOf(create('a``b', ' AUTO_INCREMENT=99'))).toBe(fingerprintOf(create('t', ' AUTO_INCREMENT=1')));
  });
  it('see any change of a column', () => {
    expect(fingerprintOf(create('t', ''))).not.toBe(fingerprintOf(create('t', '', 'bigint')));
  });
});

describe('transient errors', () => {
  const err = (props: Record<string, unknown>, message = 'x'): Error => Object.assign(new Error(message), props);
  it('are lost connections, server shutdowns and kills — also when wrapped', () => {
    expect(isTransientError(err({ errno: 2013 }))).toBe(true);
    expect(isTransientError(err({ code: 'PROTOCOL_CONNECTION_LOST', fatal: true }))).toBe(true);
    expect(isTransientError(err({ errno: 1927 }))).toBe(true);
    expect(isTransientError(err({ errno: 4031 }))).toBe(true);
    expect(isTransientError(err({ code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientError(new Error("Can't add new command when connection is in closed state"))).toBe(true);
    expect(isTransientError(new OschangeError('APPLY_FAILED', 'applying failed', { cause: err({ errno: 1053 }) }))).toBe(true);
    expect(isTransientError(new OschangeError('APPLY_FAILED', 'applying failed', { cause: new OschangeError('BINLOG_CONNECTION_LOST', 'lost') }))).toBe(true);
  });
  it('are not deadlocks, lock waits, bad SQL or refusals', () => {
    expect(isTransientError(err({ errno: 1213 }))).toBe(false);
    expect(isTransientError(err({ errno: 1205 }))).toBe(false);
    expect(isTransientError(err({ errno: 1064, code: 'ER_PARSE_ERROR' }))).toBe(false);
    expect(isTransientError(new OschangeError('VERIFY_MISMATCH', 'differs'))).toBe(false);
    expect(isTransientError('text')).toBe(false);
  });
});

describe('status line after a resume and during the checksum', () => {
  it('says where the copy resumed, the checksum progress and reconnects', () => {
    const s = new MigrationState({ nowMs: 0, chunkSize: 1000, dmlBatchSize: 100 });
    s.rowsEstimate = 1000;
    s.rowsCopied = 800;
    s.rowsCopiedBefore = 600;
    s.copyStartedAtMs = 1000;
    s.copyEndedAtMs = 3000;
    s.verifyStartedAtMs = 3000;
    s.verifyChunks = 7;
    s.verifyRepairs = 1;
    s.recoveries = 2;
    s.backlogCapacity = 20000;
    s.phase = 'verifying';
    s.applyRate = 350;
    expect(statusLine(s, 5000)).toBe(
      'Copy: 800/1000 100.0%; Applied: 0; Backlog: 0/20000; Time: 5s(total), 2s(copy); streamer: N/A; Lag: N/A, State: verifying; ETA: due; ' +
        'Apply: 350 events/s; Resumed: from 600 rows copied; Verify: 7 chunks, 1 repaired, 2s; Reconnects: 2',
    );
    s.applyRate = 0;
    s.verifyStartedAtMs = undefined;
    s.verifySkipped = 'the ALTER changes the type or collation of key column id, so the two tables sort their keys differently';
    expect(statusLine(s, 5000)).toMatch(/ETA: due; Resumed: from 600 rows copied; Verify: skipped; Reconnects: 2$/);
    s.verifySkipped = undefined;
    s.verifyStartedAtMs = 3000;
    s.copyEndedAtMs = undefined;
    s.verifyStartedAtMs = undefined;
    s.phase = 'copying';
    // The rate is this run's: 200 rows in 4 s, 200 rows to go.
    expect(statusLine(s, 5000)).toMatch(/ETA: 4s; Resumed: from 600 rows copied; Reconnects: 2$/);
  });
});
