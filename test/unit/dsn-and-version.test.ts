import { describe, expect, it } from 'vitest';
import { clientCommand, formatDsn, parseDsn, redactDsn } from '../../src/db/dsn.js';
import { atLeast, describeVersion, parseServerVersion } from '../../src/db/flavor.js';

describe('DSN', () => {
  it('round-trips an endpoint, encoding odd characters', () => {
    const e = { host: '127.0.0.1', port: 3307, user: 'os change', password: 'p@ss:w/rd', database: 'app' };
    const dsn = formatDsn(e);
    expect(dsn).toBe('mysql://os%20change:p%40ss%3Aw%2Frd@127.0.0.1:3307/app');
    expect(parseDsn(dsn)).toEqual(e);
  });
  it('defaults port 3306 and user root, and leaves out an empty password and database', () => {
    expect(parseDsn('mysql://@db1')).toEqual({ host: 'db1', port: 3306, user: 'root', password: '' });
    expect(formatDsn({ host: 'h', port: 1, user: 'root', password: '' })).toBe('mysql://root@h:1');
  });
  it('says what a DSN should look like, without echoing the password', () => {
    expect(() => parseDsn('db1:3306')).toThrow('DSN must start with mysql://');
    expect(() => parseDsn('not a url :secret@')).toThrow('expected mysql://user:password@host:port/database');
    expect(redactDsn('mysql://u:secret@h:1/db')).toBe('mysql://u:***@h:1/db');
  });
  it('prints a mysql client command line, quoting for the shell', () => {
    expect(clientCommand({ host: '127.0.0.1', port: 3307, user: 'oschange', password: "it's", database: 'app' })).toBe(
      "mysql -h127.0.0.1 -P3307 -uoschange --default-character-set=utf8mb4 '-pit'\\''s' app",
    );
  });
});

describe('server version', () => {
  it('tells MySQL from MariaDB', () => {
    expect(parseServerVersion('9.7.4-2')).toEqual({ flavor: 'mysql', major: 9, minor: 7, patch: 4, raw: '9.7.4-2' });
    const m = parseServerVersion('10.11.19-MariaDB-0+deb12u1-log');
    expect(m.flavor).toBe('mariadb');
    expect(describeVersion(m)).toBe('MariaDB 10.11.19');
  });
  it('compares versions', () => {
    const v = parseServerVersion('8.0.13');
    expect(atLeast(v, 8, 0, 13)).toBe(true);
    expect(atLeast(v, 8, 0, 14)).toBe(false);
    expect(atLeast(v, 5, 7)).toBe(true);
    expect(atLeast(v, 8, 1)).toBe(false);
  });
  it('refuses what it cannot read', () => {
    expect(() => parseServerVersion('banana')).toThrow('cannot parse server version "banana"');
  });
});
