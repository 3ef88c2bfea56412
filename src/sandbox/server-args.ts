import type { ServerInstall } from './install.js';

export type Role = 'primary' | 'replica';

/** One server's directory layout, as paths the server itself sees (inside its rootfs). */
export interface ServerLayout {
  readonly dir: string;
  readonly dataDir: string;
  readonly socket: string;
  readonly pidFile: string;
  readonly errorLog: string;
  /** Each server's own temp dir: concurrent bootstraps sharing /tmp collide on temp-table names. */
  readonly tmpDir: string;
}

export function layoutFor(dir: string): ServerLayout {
  return {
    dir,
    dataDir: `${dir}/data`,
    socket: `${dir}/mysqld.sock`,
    pidFile: `${dir}/mysqld.pid`,
    errorLog: `${dir}/error.log`,
    tmpDir: `${dir}/tmp`,
  };
}

/** Creates an empty data directory whose root account has no password and logs in over TCP. */
export function initArgs(install: ServerInstall, layout: ServerLayout): { binary: string; args: string[] } {
  if (install.flavor === 'mariadb') {
    return {
      binary: '/usr/bin/mariadb-install-db',
      args: [
        '--no-defaults',
        '--user=root',
        `--datadir=${layout.dataDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        '--skip-name-resolve',
        `--tmpdir=${layout.tmpDir}`,
      ],
    };
  }
  // MySQL's root@localhost does not match a TCP login from 127.0.0.1 under --skip-name-resolve,
  // so the bootstrap adds root@127.0.0.1 too (file written by the caller, see MYSQL_INIT_SQL).
  return {
    binary: install.serverBinary,
    args: [
      '--no-defaults',
      '--initialize-insecure',
      '--user=root',
      `--datadir=${layout.dataDir}`,
      `--log-error=${layout.errorLog}`,
      `--init-file=${layout.dir}/init.sql`,
      `--tmpdir=${layout.tmpDir}`,
    ],
  };
}

/** Run by MySQL's --initialize (see initArgs). */
export const MYSQL_INIT_SQL = [
  "CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '';",
  "GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;",
  '',
].join('\n');

export interface StartOptions {
  readonly port: number;
  readonly serverId: number;
  readonly role: Role;
}

/**
 * Server flags. Both roles log binary row images in full (what oschange requires); replicas log
 * their applied changes too so they can be chained, and report a TCP address their primary can list.
 * Durability is relaxed (flush at commit off): these are throwaway servers, and the tests and the
 * demo should spend their time on oschange, not on fsync.
 */
export function startArgs(install: ServerInstall, layout: ServerLayout, o: StartOptions): string[] {
  const common = [
    '--no-defaults',
    '--user=root',
    `--datadir=${layout.dataDir}`,
    `--socket=${layout.socket}`,
    `--pid-file=${layout.pidFile}`,
    `--log-error=${layout.errorLog}`,
    `--tmpdir=${layout.tmpDir}`,
    `--port=${o.port}`,
    '--bind-address=127.0.0.1',
    `--server-id=${o.serverId}`,
    '--log-bin=binlog',
    '--binlog-format=ROW',
    '--binlog-row-image=FULL',
    '--event-scheduler=ON',
    '--innodb-flush-log-at-trx-commit=2',
    '--sync-binlog=0',
    '--innodb-buffer-pool-size=256M',
    '--max-connections=500',
    '--skip-name-resolve',
    `--report-host=127.0.0.1`,
    `--report-port=${o.port}`,
  ];
  const replica = o.role === 'replica' ? ['--relay-log=relay-bin', '--read-only=OFF'] : [];
  if (install.flavor === 'mariadb') {
    return [...common, ...replica, '--log-slave-updates=ON', '--innodb-log-file-size=256M'];
  }
  return [
    ...common,
    ...replica,
    '--log-replica-updates=ON',
    '--mysqlx=OFF',
    '--secure-file-priv=',
    '--innodb-redo-log-capacity=512M',
    '--performance-schema=OFF',
    // Replication of `binlog_format` itself is deprecated in 9.x and warns; it is ROW already.
    '--log-error-verbosity=2',
  ];
}
