import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import { parseMyCnf } from '../../src/cli/my-cnf.js';
import { SESSION_SQL_MODE, sessionSetup } from '../../src/db/session.js';
import { formatDuration, statusLine } from '../../src/status/format.js';
import { MigrationState } from '../../src/state.js';

const parse = (argv: string[], env: Record<string, string> = {}, files: Record<string, string> = {}) =>
  parseMigrationOptions(migrationFlags(yargs(argv)).parseSync(), {
    env,
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw new Error('ENOENT');
      return f;
    },
  });

describe('migration options', () => {
  it('uses gh-ost defaults and takes the password from the environment', () => {
    const r = parse(['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT', '--user', 'u'], { MYSQL_PWD: 'secret' });
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config).toMatchObject({ database: 'app', table: 'users', execute: false, chunkSize: 1000, dmlBatchSize: 4000, heartbeatIntervalMs: 100, cutOverLockTimeoutSeconds: 3 });
    expect(r.config.connection).toEqual({ host: '127.0.0.1', port: 3306, user: 'u', password: 'secret' });
  });
  it('reads user and password from --conf, flags winning', () => {
    const r = parse(['--database', 'a', '--table', 't', '--alter', 'x', '--conf', '/my.cnf', '--user', 'flag'], {}, { '/my.cnf': '[mysqld]\npassword=no\n[client]\nuser = cnf\npassword = "p w"\nport=3307\n' });
    if (!('config' in r)) throw new Error(r.errors.join());
    expect(r.config.connection).toEqual({ host: '127.0.0.1', port: 3307, user: 'flag', password: 'p w' });
  });
  it('reports every problem at once', () => {
    const r = parse(['--chunk-size', '0', '--port', '70000', '--assume-master-host', 'a:b:c']);
    expect(r).toEqual({
      errors: [
        '--database is required',
        '--table is required',
        '--alter is required',
        '--port must be a whole number from 1 to 65535 (got 70000)',
        '--assume-master-host must be host or host:port (got a:b:c)',
        '--chunk-size must be a whole number from 10 to 1000000 (got 0)',
      ],
    });
  });
  it('parses my.cnf sections', () => {
    expect(parseMyCnf('# c\n[client]\nhost=db1\n[oschange]\npassword=\'x\'\n')).toEqual({ host: 'db1', password: 'x' });
  });
});

describe('sessions', () => {
  it('set their own sql_mode: strict, zero dates writable, id 0 kept, none of the modes that change what values or quotes mean', () => {
    const modes = SESSION_SQL_MODE.split(',');
    expect(modes).toEqual(expect.arrayContaining(['STRICT_ALL_TABLES', 'NO_AUTO_VALUE_ON_ZERO']));
    for (const bad of ['NO_BACKSLASH_ESCAPES', 'ANSI_QUOTES', 'ANSI', 'PAD_CHAR_TO_FULL_LENGTH', 'EMPTY_STRING_IS_NULL', 'NO_ZERO_DATE', 'NO_ZERO_IN_DATE', 'ORACLE']) {
      expect(modes).not.toContain(bad);
    }
    expect(sessionSetup()).toEqual([{ sql: "SET SESSION sql_mode = ?, time_zone = '+00:00'", params: [SESSION_SQL_MODE] }]);
  });
});

describe('status line', () => {
  it('speaks gh-ost', () => {
    const s = new MigrationState({ nowMs: 0, chunkSize: 1000, dmlBatchSize: 100 });
    s.rowsEstimate = 1000;
    s.rowsCopied = 250;
    s.copyStartedAtMs = 1000;
    s.eventsApplied = 42;
    s.backlog = 3;
    s.backlogCapacity = 20000;
    s.streamerPosition = { file: 'binlog.000002', position: 4711 };
    s.lastHeartbeatSeenMs = 4980;
    s.phase = 'copying';
    expect(statusLine(s, 5000)).toBe('Copy: 250/1000 25.0%; Applied: 42; Backlog: 3/20000; Time: 5s(total), 4s(copy); streamer: binlog.000002:4711; Lag: 0.02s, State: copying; ETA: 12s');
  });
  it('formats durations', () => {
    expect([0, 20, 1500, 61_000, 3_723_000].map(formatDuration)).toEqual(['0s', '0.02s', '1.5s', '1m1s', '1h2m3s']);
  });
});
