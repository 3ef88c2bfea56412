import { describe, expect, it } from 'vitest';
import { commandFor, type ServerInstall } from '../../src/sandbox/install.js';
import { initArgs, layoutFor, startArgs } from '../../src/sandbox/server-args.js';
import { insertUsers, SEED_CHUNK } from '../../src/sql/seed.js';

const mysql: ServerInstall = { flavor: 'mysql', rootfs: '/cache/root', serverBinary: '/usr/sbin/mysqld' };
const maria: ServerInstall = { flavor: 'mariadb', rootfs: '', serverBinary: '/usr/sbin/mariadbd' };
const layout = layoutFor('/tmp/sb/primary');

describe('sandbox server arguments', () => {
  it('runs MySQL through chroot and MariaDB directly', () => {
    expect(commandFor(mysql, '/usr/sbin/mysqld', ['--version'])).toEqual({ command: 'chroot', args: ['/cache/root', '/usr/sbin/mysqld', '--version'] });
    expect(commandFor(maria, '/usr/sbin/mariadbd', ['--version'])).toEqual({ command: '/usr/sbin/mariadbd', args: ['--version'] });
  });
  it('ignores the host my.cnf and logs full row images on both flavors', () => {
    for (const install of [mysql, maria]) {
      const args = startArgs(install, layout, { port: 3307, serverId: 1, role: 'primary' });
      expect(args[0]).toBe('--no-defaults');
      expect(args).toEqual(expect.arrayContaining(['--binlog-format=ROW', '--binlog-row-image=FULL', '--log-bin=binlog', '--port=3307', '--server-id=1', '--bind-address=127.0.0.1', '--tmpdir=/tmp/sb/primary/tmp']));
    }
  });
  it('lets replicas log what they apply and names the MySQL-only flags only for MySQL', () => {
    expect(startArgs(mysql, layout, { port: 1, serverId: 2, role: 'replica' })).toEqual(expect.arrayContaining(['--relay-log=relay-bin', '--log-replica-updates=ON', '--secure-file-priv=', '--mysqlx=OFF']));
    expect(startArgs(maria, layout, { port: 1, serverId: 2, role: 'replica' })).toEqual(expect.arrayContaining(['--relay-log=relay-bin', '--log-slave-updates=ON']));
    expect(startArgs(maria, layout, { port: 1, serverId: 2, role: 'replica' }).join(' ')).not.toContain('mysqlx');
  });
  it('initializes each flavor with a passwordless root over TCP', () => {
    expect(initArgs(maria, layout).args).toContain('--auth-root-authentication-method=normal');
    expect(initArgs(mysql, layout).args).toEqual(expect.arrayContaining(['--initialize-insecure', '--init-file=/tmp/sb/primary/init.sql']));
  });
});

describe('seed statements', () => {
  it('numbers rows from a placeholder range and refuses oversized chunks', () => {
    const s = insertUsers('app', 0, 10);
    expect(s.params).toEqual([0, 10]);
    expect(s.sql).toMatch(/^INSERT INTO `app`\.`users` \(`id`, `email`/);
    expect(() => insertUsers('app', 0, SEED_CHUNK + 1)).toThrow(`at most ${SEED_CHUNK} rows`);
  });
});
