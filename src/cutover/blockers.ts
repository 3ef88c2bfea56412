import { queryRows, queryValue, type Connection } from '../db/connect.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { killConnection, metadataLockInfoPlugin, metadataLockInstrument, tableLockHolders, type LockInfoSource } from '../sql/blockers.js';

export type BlockerSource = LockInfoSource;

/** A session holding a lock on the table the cut-over waits for. */
export interface Blocker {
  readonly id: number;
  readonly user: string;
  readonly host: string;
  readonly seconds: number;
  readonly command: string;
  readonly info: string | null;
  readonly lockType: string;
}

/**
 * Where this server tells who holds a table's metadata lock, or a refusal saying how to turn it on:
 * --force-kill-blockers-after must not find out at the cut-over that it cannot see the blockers.
 */
export async function findBlockerSource(conn: Connection, flavor: 'mysql' | 'mariadb'): Promise<BlockerSource> {
  const instrument = await queryValue(conn, metadataLockInstrument().sql).catch(() => undefined);
  if (String(instrument ?? '').toUpperCase() === 'YES') {
    // On, and readable by this user (the threads table too).
    const probe = tableLockHolders('performance_schema', '', '');
    if (await queryRows(conn, probe.sql, probe.params).then(() => true, () => false)) return 'performance_schema';
  }
  if (flavor === 'mariadb' && Number(await queryValue(conn, metadataLockInfoPlugin().sql).catch(() => 0)) > 0) return 'metadata_lock_info';
  const how =
    flavor === 'mysql'
      ? "start the server with performance_schema=ON (the wait/lock/metadata/sql/mdl instrument is on by default) and grant SELECT on performance_schema.metadata_locks and performance_schema.threads"
      : "load the metadata_lock_info plugin (INSTALL SONAME 'metadata_lock_info'), or start the server with performance_schema=ON and performance-schema-instrument='wait/lock/metadata/sql/mdl=ON'";
  throw new OschangeError('NO_LOCK_INFO', `--force-kill-blockers-after needs to see who holds a lock on the table, and this server does not show it: ${how}`, { exitCode: ExitCode.usage });
}

export async function lockHolders(conn: Connection, source: BlockerSource, database: string, table: string): Promise<Blocker[]> {
  const s = tableLockHolders(source, database, table);
  return (await queryRows(conn, s.sql, s.params)).map((r) => ({
    id: Number(r['id']),
    user: String(r['user'] ?? ''),
    host: String(r['host'] ?? ''),
    seconds: Number(r['seconds'] ?? 0),
    command: String(r['command'] ?? ''),
    info: r['info'] === null || r['info'] === undefined ? null : String(r['info']),
    lockType: String(r['lock_type'] ?? ''),
  }));
}

/**
 * The sessions (other than ours) that hold a lock on the table while the cut-over's lock waits:
 * each is named in the log — who, from where, for how long, doing what — and then killed, which
 * rolls its transaction back. Spirit and Vitess do the same for a cut-over that long transactions
 * would otherwise hold off for ever. Returns who was killed.
 */
export async function killBlockers(o: {
  source: BlockerSource;
  conn: Connection;
  database: string;
  table: string;
  exclude: ReadonlySet<number>;
  log: Logger;
  stillWaiting: () => boolean;
}): Promise<Blocker[]> {
  const own = Number(await queryValue(o.conn, 'SELECT CONNECTION_ID()'));
  const blockers = (await lockHolders(o.conn, o.source, o.database, o.table)).filter((b) => !o.exclude.has(b.id) && b.id !== own);
  const unique = [...new Map(blockers.map((b) => [b.id, b])).values()];
  const killed: Blocker[] = [];
  for (const b of unique) {
    if (!o.stillWaiting()) break;
    o.log.warn(
      { id: b.id, user: b.user, host: b.host, seconds: b.seconds, command: b.command, info: b.info, lock: b.lockType },
      `killing session ${b.id} (${b.user}@${b.host}, ${b.command} for ${b.seconds}s${b.info === null ? '' : `: ${b.info.slice(0, 200)}`}): it holds a lock on ${o.database}.${o.table} that blocks the cut-over`,
    );
    try {
      await o.conn.query(killConnection(b.id).sql);
      killed.push(b);
    } catch (err) {
      // Gone meanwhile (1094 unknown thread) is fine; anything else is worth saying.
      o.log.error({ id: b.id, err: describeError(err) }, 'could not kill a session blocking the cut-over');
    }
  }
  return killed;
}
