import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OschangeError, ExitCode } from '../errors.js';

export type SandboxFlavor = 'mysql' | 'mariadb';
export const SANDBOX_FLAVORS: readonly SandboxFlavor[] = ['mysql', 'mariadb'];

/**
 * Where a flavor's server binaries live. MariaDB 10.11 is Debian 12's own package and runs on the
 * host; MySQL 9.7 comes from Debian unstable and needs its newer C library, so it runs from a
 * chroot built by `make setup` (scripts/setup.sh). `rootfs` is '' for the host.
 */
export interface ServerInstall {
  readonly flavor: SandboxFlavor;
  readonly rootfs: string;
  /** Path of the server binary as the server sees it (inside rootfs). */
  readonly serverBinary: string;
}

export function cacheDir(): string {
  return process.env['OSCHANGE_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'oschange');
}

export function mysqlRootfs(): string {
  return process.env['OSCHANGE_MYSQL_ROOT'] ?? join(cacheDir(), 'mysql-sid-root');
}

export function findInstall(flavor: SandboxFlavor): ServerInstall {
  if (flavor === 'mariadb') {
    const bin = ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'].find((p) => existsSync(p));
    if (bin === undefined || !existsSync('/usr/bin/mariadb-install-db')) {
      throw new OschangeError(
        'SANDBOX_NOT_INSTALLED',
        'MariaDB server not found (mariadbd, mariadb-install-db): run `make setup` (installs Debian\'s mariadb-server)',
        { exitCode: ExitCode.environment },
      );
    }
    return { flavor, rootfs: '', serverBinary: bin };
  }
  const rootfs = mysqlRootfs();
  if (!existsSync(join(rootfs, 'usr/sbin/mysqld'))) {
    throw new OschangeError(
      'SANDBOX_NOT_INSTALLED',
      `MySQL 9.7 chroot not found at ${rootfs}: run \`make setup\` (builds it with debootstrap), or set OSCHANGE_MYSQL_ROOT`,
      { exitCode: ExitCode.environment },
    );
  }
  return { flavor, rootfs, serverBinary: '/usr/sbin/mysqld' };
}

/** A command that runs `binary args…` inside the install's root file system. */
export function commandFor(install: ServerInstall, binary: string, args: readonly string[]): { command: string; args: string[] } {
  if (install.rootfs === '') return { command: binary, args: [...args] };
  return { command: 'chroot', args: [install.rootfs, binary, ...args] };
}
