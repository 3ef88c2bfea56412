import { queryRows } from '../../db/connect.js';
import { ExitCode } from '../../errors.js';
import { DATABASE_PRIVILEGES, globalPrivileges } from '../../sql/privileges.js';
import type { Check } from '../check.js';

/**
 * Reads SHOW GRANTS for the current user and names every privilege oschange needs that is missing
 * (README, "Privileges"). Grants through roles are not expanded: when the user has roles, a missing
 * privilege is only a warning, since the role may hold it.
 */
export const privileges: Check = {
  id: 'privileges',
  scope: 'server',
  describe: 'the user holds every privilege a migration needs',
  async run(ctx) {
    const lines = (await queryRows(ctx.conn, 'SHOW GRANTS')).map((r) => String(Object.values(r)[0]));
    const granted = grantedPrivileges(lines, ctx.config.database);
    const usesRoles = lines.some((l) => /^GRANT\s+[`'][^`']+[`']@[`'][^`']*[`']\s+TO\b/i.test(l) || /^GRANT\s+[`'][^`']+[`']\s+TO\b/i.test(l));
    const missingGlobal = requiredGlobalPrivileges(ctx.version.flavor, ctx.config.throttleControlReplicas.length > 0).filter((p) => !has(granted.global, p, ctx.version.flavor));
    const missingDb = DATABASE_PRIVILEGES.filter((p) => !has(granted.global, p, ctx.version.flavor) && !has(granted.database, p, ctx.version.flavor));
    if (missingGlobal.length === 0 && missingDb.length === 0) return [];
    const parts: string[] = [];
    if (missingGlobal.length > 0) parts.push(`${missingGlobal.join(', ')} ON *.*`);
    if (missingDb.length > 0) parts.push(`${missingDb.join(', ')} ON \`${ctx.config.database}\`.*`);
    if (usesRoles) {
      return [{ check: this.id, severity: 'warning', code: 'PRIVILEGES_UNSURE', message: `user ${ctx.config.connection.user} has roles: could not confirm ${parts.join(' and ')} from SHOW GRANTS` }];
    }
    return [
      {
        check: this.id,
        severity: 'error',
        code: 'MISSING_PRIVILEGES',
        message: `user ${ctx.config.connection.user} lacks privileges oschange needs: GRANT ${parts.join(' and ')} (see the README, "Privileges")`,
        exitCode: ExitCode.environment,
      },
    ];
  },
};

/**
 * The global privileges this run needs. MariaDB's REPLICATION MASTER ADMIN only serves to list the
 * replicas (SHOW SLAVE HOSTS): an operator who names them with --throttle-control-replicas does
 * not need it.
 */
export function requiredGlobalPrivileges(flavor: 'mysql' | 'mariadb', replicasNamed: boolean): readonly string[] {
  return globalPrivileges(flavor).filter((p) => !(replicasNamed && p === 'REPLICATION MASTER ADMIN'));
}

export interface Granted {
  readonly global: ReadonlySet<string>;
  readonly database: ReadonlySet<string>;
}

/** Privileges granted on *.* and on the database (exactly, or through a LIKE pattern). */
export function grantedPrivileges(grantLines: readonly string[], database: string): Granted {
  const global = new Set<string>();
  const db = new Set<string>();
  for (const line of grantLines) {
    const m = /^GRANT\s+(.+?)\s+ON\s+(?:(?:TABLE|FUNCTION|PROCEDURE)\s+)?(\S+)\s+TO\s/i.exec(line);
    if (m === null) continue;
    const privs = (m[1] as string).split(',').map((p) => p.trim().toUpperCase());
    const target = m[2] as string;
    if (target === '*.*') privs.forEach((p) => global.add(p));
    else {
      const dbm = /^`((?:[^`]|``)+)`\.\*$/.exec(target);
      if (dbm !== null && likeMatches((dbm[1] as string).replaceAll('``', '`'), database)) privs.forEach((p) => db.add(p));
    }
  }
  return { global, database: db };
}

function has(set: ReadonlySet<string>, privilege: string, flavor: string): boolean {
  if (set.has('ALL PRIVILEGES') || set.has('ALL')) return true;
  if (set.has(privilege)) return true;
  // MariaDB 10.5+ lists REPLICATION CLIENT as BINLOG MONITOR; REPLICA MONITOR is SLAVE MONITOR's alias.
  if (flavor === 'mariadb') {
    if (privilege === 'BINLOG MONITOR' && set.has('REPLICATION CLIENT')) return true;
    if (privilege === 'SLAVE MONITOR' && set.has('REPLICA MONITOR')) return true;
    if (privilege === 'REPLICATION SLAVE' && set.has('REPLICATION REPLICA')) return true;
  }
  return false;
}

/** GRANT's database patterns: `_` and `%` are wildcards unless escaped with a backslash. */
function likeMatches(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && i + 1 < pattern.length) re += escapeRe(pattern[++i] as string);
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, 'su').test(name);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
