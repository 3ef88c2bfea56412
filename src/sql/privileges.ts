import type { Flavor } from '../db/flavor.js';
import { quoteId, stmt, type Statement } from './quote.js';

/**
 * The privileges oschange needs, documented in the README ("Privileges") and granted by the sandbox
 * so that the tests run with exactly these and no more.
 *
 * On the migrated database: read and write the original, ghost and changelog tables, create, alter
 * and drop them, lock them for the cut-over, and see their triggers (information_schema shows a
 * table's triggers only to a user with TRIGGER on it).
 */
export const DATABASE_PRIVILEGES = [
  'ALTER',
  'CREATE',
  'DELETE',
  'DROP',
  'INDEX',
  'INSERT',
  'LOCK TABLES',
  'SELECT',
  'TRIGGER',
  'UPDATE',
] as const;

/**
 * Global: read the binlog as a replica does, see the binlog position, and read replica status for
 * lag throttling, and list the primary's replicas (SHOW REPLICAS / SHOW SLAVE HOSTS: MariaDB wants
 * REPLICATION MASTER ADMIN for that). MariaDB 10.5 split REPLICATION CLIENT into BINLOG MONITOR and
 * SLAVE MONITOR.
 * https://mariadb.com/kb/en/grant/#global-privileges
 */
export function globalPrivileges(flavor: Flavor): readonly string[] {
  return flavor === 'mariadb'
    ? ['REPLICATION SLAVE', 'BINLOG MONITOR', 'SLAVE MONITOR', 'REPLICATION MASTER ADMIN']
    : ['REPLICATION SLAVE', 'REPLICATION CLIENT'];
}

export function createUser(user: string, host: string, password: string): Statement {
  return stmt(`CREATE USER ${quoteAccount(user, host)} IDENTIFIED BY ?`, [password]);
}

export function grantGlobal(flavor: Flavor, user: string, host: string, privileges = globalPrivileges(flavor)): Statement {
  return stmt(`GRANT ${privileges.join(', ')} ON *.* TO ${quoteAccount(user, host)}`);
}

export function grantOnDatabase(database: string, user: string, host: string, privileges: readonly string[] = DATABASE_PRIVILEGES): Statement {
  // In GRANT, `_` and `%` in a database name are wildcards; escape them so the grant covers this
  // database only. https://dev.mysql.com/doc/refman/9.4/en/grant.html#grant-quoting
  const exact = database.replace(/[_%\\]/g, '\\$&');
  return stmt(`GRANT ${privileges.join(', ')} ON ${quoteId(exact)}.* TO ${quoteAccount(user, host)}`);
}

/** 'user'@'host' — account names are string literals, not identifiers. */
export function quoteAccount(user: string, host: string): string {
  return `${quoteString(user)}@${quoteString(host)}`;
}

/** A string literal for the few places the grammar does not take a placeholder (account names). */
export function quoteString(s: string): string {
  return "'" + s.replaceAll('\\', '\\\\').replaceAll("'", "''") + "'";
}
