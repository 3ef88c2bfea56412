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
  /** What the server says the session is doing (empty while it sleeps). */
  readonly state: string;
  readonly info: string | null;
  readonly lockType: string;
  /** Waiting for its lock rather than holding it (performance_schema only). */
  readonly pending: boolean;
}

/**
 * Where this server tells who holds a table's metadata lock, or a refusal saying how to turn it on:
 * --force-kill-blockers-after must not find out at the cut-over that it cannot see the blockers.
 */
export async function findBlockerSource(conn: Connection, flavor: 'mysql' | 'mariadb'): Promise<BlockerSource> {
  const source = await lockInfoSource(conn, flavor);
  if (source !== undefined) return source;
  throw new OschangeError('NO_LOCK_INFO', `--force-kill-blockers-after needs to see who holds a lock on the table, and this server does not show it: ${showLocksHow(flavor)}`, { exitCode: ExitCode.usage });
}

/** Where this server shows metadata locks to this user, or undefined when it does not. */
export async function lockInfoSource(conn: Connection, flavor: 'mysql' | 'mariadb'): Promise<BlockerSource | undefined> {
  const instrument = await queryValue(conn, metadataLockInstrument().sql).catch(() => undefined);
  if (String(instrument ?? '').toUpperCase() === 'YES') {
    // On, and readable by this user (the threads table too).
    const probe = tableLockHolders('performance_schema', '', '');
    if (await queryRows(conn, probe.sql, probe.params).then(() => true, () => false)) return 'performance_schema';
  }
  if (flavor === 'mariadb' && Number(await queryValue(conn, metadataLockInfoPlugin().sql).catch(() => 0)) > 0) return 'metadata_lock_info';
  return undefined;
}

/** How to make the server show the metadata locks sessions wait for (performance_schema; MariaDB's plugin shows only granted ones). */
export function showPendingLocksHow(flavor: 'mysql' | 'mariadb'): string {
  const grant = 'and grant SELECT on performance_schema.setup_instruments, performance_schema.metadata_locks and performance_schema.threads';
  return flavor === 'mysql'
    ? `start the server with performance_schema=ON (its wait/lock/metadata/sql/mdl instrument is on by default), ${grant}`
    : `start the server with performance_schema=ON and performance-schema-instrument='wait/lock/metadata/sql/mdl=ON', ${grant}`;
}

/** How to make the server show metadata locks. */
export function showLocksHow(flavor: 'mysql' | 'mariadb'): string {
  return flavor === 'mysql'
    ? 'start the server with performance_schema=ON (its wait/lock/metadata/sql/mdl instrument is on by default), and grant SELECT on performance_schema.setup_instruments, performance_schema.metadata_locks and performance_schema.threads'
    : "load the metadata_lock_info plugin (INSTALL SONAME 'metadata_lock_info'), or start the server with performance_schema=ON and performance-schema-instrument='wait/lock/metadata/sql/mdl=ON'";
}

export async function lockHolders(conn: Connection, source: BlockerSource, database: string, table: string): Promise<Blocker[]> {
  const s = tableLockHolders(source, database, table);
  return (await queryRows(conn, s.sql, s.params)).map((r) => ({
    id: Number(r['id']),
    user: String(r['user'] ?? ''),
    host: String(r['host'] ?? ''),
    seconds: Number(r['seconds'] ?? 0),
    command: String(r['command'] ?? ''),
    state: String(r['state'] ?? ''),
    info: r['info'] === null || r['info'] === undefined ? null : String(r['info']),
    lockType: String(r['lock_type'] ?? ''),
    pending: String(r['lock_status'] ?? '') === 'PENDING',
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
  /** How long the cut-over's lock has waited: a session waiting for longer queued before it. */
  waitedSeconds: number;
  log: Logger;
  stillWaiting: () => boolean;
}): Promise<Blocker[]> {
  const own = Number(await queryValue(o.conn, 'SELECT CONNECTION_ID()'));
  const unique = blockersToKill(await lockHolders(o.conn, o.source, o.database, o.table), { exclude: new Set([...o.exclude, own]), waitedSeconds: o.waitedSeconds });
  const killed: Blocker[] = [];
  for (const b of unique) {
    if (!o.stillWaiting()) break;
    const query = b.info === null ? null : b.info.slice(0, 200);
    o.log.warn(
      { id: b.id, user: b.user, host: b.host, seconds: b.seconds, command: b.command, state: b.state, info: query, lock: b.lockType },
      `killing session ${b.id} (${b.user}@${b.host}, ${b.command}${b.state === '' ? '' : `, ${b.state}`} for ${b.seconds}s${query === null ? '' : `: ${query}`}): it ${b.pending ? 'waits, queued before the cut-over, for' : 'holds'} a lock on ${o.database}.${o.table} that blocks the cut-over`,
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

/**
 * A waiting request of these kinds is granted before the cut-over's LOCK TABLES … WRITE
 * (SHARED_NO_READ_WRITE) once the holders go; a waiting read or write is not, and is left alone.
 * https://dev.mysql.com/doc/refman/9.4/en/metadata-locking.html
 */
const AHEAD_WHEN_WAITING = new Set(['EXCLUSIVE', 'SHARED_NO_READ_WRITE', 'SHARED_NO_WRITE']);

/**
 * Whom the cut-over kills, each once: every session holding a lock on the table, and every session
 * whose exclusive-kind request queued before the cut-over's (its statement has run for longer than
 * the cut-over's lock has waited: the server counts whole seconds, so a tie is left alone) — never
 * one of `exclude` (oschange's own).
 */
export function blockersToKill(found: readonly Blocker[], o: { readonly exclude: ReadonlySet<number>; readonly waitedSeconds: number }): Blocker[] {
  const chosen = found.filter((b) => !o.exclude.has(b.id) && (!b.pending || (AHEAD_WHEN_WAITING.has(b.lockType) && b.seconds > o.waitedSeconds)));
  return [...new Map(chosen.map((b) => [b.id, b])).values()];
}
