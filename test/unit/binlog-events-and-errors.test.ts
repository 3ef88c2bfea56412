import { describe, expect, it } from 'vitest';
import { BinlogType, planTable } from '../../src/binlog/column-plan.js';
import { parseBinlogStatus } from '../../src/binlog/current-position.js';
import { rowImage, toStreamEvents } from '../../src/binlog/row-events.js';
import { BinlogStreamError, binlogGrant, classifyError, type ErrorContext } from '../../src/binlog/stream-errors.js';
import type { RowsRecord } from '../../src/binlog/zongji-source.js';
import { ExitCode } from '../../src/errors.js';
import { binlogRowMetadata, binlogSettings, setNetWriteTimeout, showBinaryLogs, tableColumns } from '../../src/sql/binlog-schema.js';

const position = { file: 'binlog.000007', position: 1234 };
const text = (name: string) => ({ name, type: BinlogType.VARCHAR, charset: 'utf8mb4', metadata: { max_length: 40 }, binlogLabels: undefined });
const int = (name: string) => ({ name, type: BinlogType.LONG, charset: null, metadata: undefined, binlogLabels: undefined });

describe('rows events to stream events', () => {
  const table = planTable([int('id'), text('name')], undefined);
  const record = (op: RowsRecord['op'], images: Record<string, unknown>[]): RowsRecord => ({ kind: 'rows', op, tableId: 1, nextPosition: 1234, images, fullImage: true });
  const img = (id: number, name: string): Record<string, unknown> => ({ c0: id, c1: Buffer.from(name) });

  it('makes one event per row, in order, with before and after images', () => {
    expect(toStreamEvents(record('insert', [img(1, 'a'), img(2, 'b')]), 'table', table, position, 'db.t')).toEqual([
      { kind: 'insert', position, after: { id: 1, name: 'a' } },
      { kind: 'insert', position, after: { id: 2, name: 'b' } },
    ]);
    expect(toStreamEvents(record('update', [img(1, 'a'), img(1, 'z'), img(2, 'b'), img(3, 'b')]), 'table', table, position, 'db.t')).toEqual([
      { kind: 'update', position, before: { id: 1, name: 'a' }, after: { id: 1, name: 'z' } },
      { kind: 'update', position, before: { id: 2, name: 'b' }, after: { id: 3, name: 'b' } },
    ]);
    expect(toStreamEvents(record('delete', [img(5, 'e')]), 'table', table, position, 'db.t')).toEqual([{ kind: 'delete', position, before: { id: 5, name: 'e' } }]);
  });

  it('turns changelog writes into heartbeats and markers, and ignores its deletes', () => {
    const changelog = planTable([int('id'), text('hint'), text('value')], undefined);
    const row = (hint: string, value: string): Record<string, unknown> => ({ c0: 1, c1: Buffer.from(hint), c2: Buffer.from(value) });
    expect(toStreamEvents(record('insert', [row('heartbeat', '1700000000123')]), 'changelog', changelog, position, 'db._t_ghc')).toEqual([
      { kind: 'heartbeat', position, writtenAtMs: 1700000000123 },
    ]);
    expect(toStreamEvents(record('update', [row('state', 'old'), row('state', 'cut-over 42')]), 'changelog', changelog, position, 'db._t_ghc')).toEqual([
      { kind: 'marker', position, hint: 'state', value: 'cut-over 42' },
    ]);
    expect(toStreamEvents(record('delete', [row('heartbeat', '1')]), 'changelog', changelog, position, 'db._t_ghc')).toEqual([]);
  });

  it('leaves VIRTUAL generated columns out, keeps STORED ones, and keeps a column named __proto__ a column', () => {
    const plan = planTable([int('__proto__'), int('g'), int('s')], {
      database: 'db',
      table: 't',
      columns: [
        { name: '__proto__', dataType: 'int', columnType: 'int', charset: null, generated: false, labels: undefined },
        { name: 'g', dataType: 'int', columnType: 'int', charset: null, generated: 'virtual', labels: undefined },
        { name: 's', dataType: 'int', columnType: 'int', charset: null, generated: 'stored', labels: undefined },
      ],
    });
    const row = rowImage(plan, { c0: 7, c1: 14, c2: 21 }, 'db.t');
    expect(Object.keys(row)).toEqual(['__proto__', 's']);
    expect(row['s']).toBe(21);
    expect(row['__proto__']).toBe(7);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });

  it('names the column that failed to decode', () => {
    const plan = planTable([{ ...int('when'), type: BinlogType.TIME2, metadata: { decimals: 0 } }], undefined);
    expect(() => rowImage(plan, { c0: 'not bytes' }, 'db.t')).toThrow(/cannot decode db\.t\.when \(time2\)/);
  });
});

describe('errors that say what to do', () => {
  const ctx: ErrorContext = { user: 'app', flavor: 'mysql', start: position, server: 'db1:3306' };
  const serverError = (errno: number, message: string, code = 'ER_X'): Error => Object.assign(new Error(message), { errno, code, sqlMessage: message });

  it('names the grant for a missing privilege, per flavor', () => {
    const e = classifyError(serverError(1227, 'Access denied; you need (at least one of) the REPLICATION SLAVE privilege(s) for this operation'), ctx);
    expect(e.code).toBe('BINLOG_PRIVILEGE');
    expect(e.exitCode).toBe(ExitCode.environment);
    expect(e.message).toBe(
      "user app may not read the binlog on db1:3306: Access denied; you need (at least one of) the REPLICATION SLAVE privilege(s) for this operation (error 1227). " +
        "Grant it: GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'app'@'%'",
    );
    expect(binlogGrant('mariadb', 'app')).toBe("GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'app'@'%'");
  });

  it('explains a purged binlog', () => {
    const e = classifyError(serverError(1236, 'Could not find first log file name in binary log index file'), ctx);
    expect(e.code).toBe('BINLOG_NOT_FOUND');
    expect(e.message).toMatch(/^the server cannot send the binlog from binlog\.000007:1234: Could not find first log file name .*purged/);
  });

  it('reports a killed connection or a vanished server as a lost connection', () => {
    for (const err of [serverError(1927, 'Connection was killed'), Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' }), Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })]) {
      const e = classifyError(err, ctx);
      expect(e.code).toBe('BINLOG_CONNECTION_LOST');
      expect(e.message).toMatch(/^binlog connection to db1:3306 lost: .*[^.]\. The connection was killed or the server went away/);
    }
  });

  it('recognises a reader pushed out by another with the same server id, on both flavors', () => {
    const mysql = serverError(1236, 'A replica with the same server_uuid/server_id as this replica has connected to the source; the first event ...');
    const maria = serverError(4052, 'A slave with the same server_uuid/server_id is already connected; the first event ...');
    for (const err of [mysql, maria]) {
      const e = classifyError(err, { ...ctx, serverId: 99 });
      expect(e.code).toBe('BINLOG_DUPLICATE_SERVER_ID');
      expect(e.message).toMatch(/with this reader's server id 99, and the server dropped this one: .*Give every reader its own server id/);
    }
  });

  it('keeps its own errors and wraps anything else', () => {
    const own = new BinlogStreamError('BINLOG_DECODE', 'x');
    expect(classifyError(own, ctx)).toBe(own);
    expect(classifyError('weird', ctx).code).toBe('BINLOG_SERVER_ERROR');
    expect(classifyError(serverError(1045, "Access denied for user 'app'"), ctx).code).toBe('BINLOG_LOGIN');
  });
});

describe('binlog SQL and positions', () => {
  it('builds its statements with placeholders for values', () => {
    expect(tableColumns('db`x', 't')).toEqual({
      sql:
        'SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, CHARACTER_SET_NAME AS charset, ' +
        'CHARACTER_OCTET_LENGTH AS octet_length, EXTRA AS extra, GENERATION_EXPRESSION AS generation_expression ' +
        'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
      params: ['db`x', 't'],
    });
    expect(showBinaryLogs().sql).toBe('SHOW BINARY LOGS');
    expect(binlogSettings().sql).toBe(
      'SELECT CAST(@@global.log_bin AS CHAR) AS log_bin, @@global.binlog_format AS binlog_format, @@global.binlog_row_image AS binlog_row_image',
    );
    expect(binlogRowMetadata().sql).toBe('SELECT @@global.binlog_row_metadata AS binlog_row_metadata');
    expect(setNetWriteTimeout(31_536_000).sql).toBe('SET SESSION net_write_timeout = 31536000');
    expect(() => setNetWriteTimeout(0.5)).toThrow(/whole number/);
  });

  it('reads SHOW BINARY LOG STATUS rows', () => {
    expect(parseBinlogStatus({ File: 'binlog.000002', Position: '157', Executed_Gtid_Set: '' })).toEqual({ file: 'binlog.000002', position: 157 });
    expect(() => parseBinlogStatus({ File: '', Position: 4 })).toThrow(/unexpected/);
  });
});
