import { connect } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { Flavor } from '../db/flavor.js';
import { errno } from '../db/retry.js';
import { describeError } from '../errors.js';
import type { AlterStatement } from '../alter/model.js';
import { renderActions } from '../alter/render.js';
import type { Logger } from '../log.js';
import { alterTableInstant, setLockWaitTimeout } from '../sql/instant.js';

/**
 * "Instant first" (--attempt-instant-ddl): an ALTER the server can do as a metadata-only change
 * needs no copy. It is tried on the original table with ALGORITHM=INSTANT, which the server either
 * does at once or refuses without changing anything; never with another algorithm.
 */
export type InstantOutcome =
  | { readonly kind: 'done'; readonly ms: number }
  /** The server cannot do this ALTER instantly (or oschange would not ask it to): copy instead. */
  | { readonly kind: 'not-possible'; readonly reason: string }
  /** It could, but the metadata lock was not granted in time (a long transaction): copy instead. */
  | { readonly kind: 'not-now'; readonly reason: string };

/** Seconds the ALTER may wait for its metadata lock; every query on the table queues behind it meanwhile. */
export const INSTANT_LOCK_WAIT_SECONDS = 1;

/**
 * Errors that mean "not with ALGORITHM=INSTANT", the table unchanged. Both flavors refuse with 1845
 * (ER_ALTER_OPERATION_NOT_SUPPORTED, e.g. ADD INDEX on MySQL) or 1846 (…_REASON, e.g. "Reason: ADD
 * INDEX" on MariaDB, "Need to rebuild the table to change column type" on MySQL). MySQL has its own
 * InnoDB limits on instant columns (these numbers mean other things on MariaDB).
 * https://dev.mysql.com/doc/mysql-errors/9.4/en/server-error-reference.html
 */
const REFUSED_BOTH = new Set([1845, 1846]);
const REFUSED_MYSQL = new Set([
  4092, // ER_INNODB_MAX_ROW_VERSION: no more instant ADD/DROP COLUMN on this table
  4157, // ER_INNODB_INSTANT_ADD_DROP_NOT_SUPPORTED_MAX_SIZE
  4158, // ER_INNODB_INSTANT_ADD_NOT_SUPPORTED_MAX_FIELDS
]);
const ER_LOCK_WAIT_TIMEOUT = 1205;

export function isInstantRefusal(err: unknown, flavor: Flavor): boolean {
  const n = errno(err);
  return n !== undefined && (REFUSED_BOTH.has(n) || (flavor === 'mysql' && REFUSED_MYSQL.has(n)));
}

/**
 * Why oschange does not even ask, or undefined. An ALTER that sets its own ALGORITHM or LOCK says
 * how the operator wants it done: ours would override theirs (the last one wins, so `ALGORITHM=COPY`
 * alone — a rebuild — would become a no-op), and MySQL refuses LOCK with INSTANT (1221). A change of
 * partitioning is never instant, and its clauses cannot follow ALGORITHM in one list.
 */
export function instantSkipReason(alter: AlterStatement): string | undefined {
  for (const a of alter.actions) {
    if (a.kind === 'algorithm') return 'the ALTER sets its own ALGORITHM';
    if (a.kind === 'lock') return 'the ALTER sets its own LOCK';
    if (a.kind === 'partition') return 'the ALTER changes partitioning';
  }
  return undefined;
}

/**
 * Runs `ALTER TABLE db.t ALGORITHM=INSTANT, <actions>` on a connection of its own whose
 * lock_wait_timeout is INSTANT_LOCK_WAIT_SECONDS, so a long transaction holding the table's
 * metadata lock stalls the application for about a second at most. A refusal or a lock wait timeout
 * is an outcome (the caller copies instead); any other error is thrown.
 */
export async function tryInstantDdl(o: {
  readonly endpoint: Endpoint;
  readonly flavor: Flavor;
  readonly database: string;
  readonly table: string;
  readonly alter: AlterStatement;
  readonly now: () => number;
  readonly log: Logger;
}): Promise<InstantOutcome> {
  const skip = instantSkipReason(o.alter);
  if (skip !== undefined) return { kind: 'not-possible', reason: skip };
  const conn = await connect(o.endpoint);
  try {
    const timeout = setLockWaitTimeout(INSTANT_LOCK_WAIT_SECONDS);
    await conn.query(timeout.sql, [...timeout.params]);
    const alter = alterTableInstant(o.database, o.table, renderActions(o.alter));
    o.log.info({ sql: alter.sql }, 'trying the ALTER as ALGORITHM=INSTANT');
    const started = o.now();
    try {
      await conn.query(alter.sql);
    } catch (err) {
      const reason = describeError(err);
      if (isInstantRefusal(err, o.flavor)) {
        o.log.info({ errno: errno(err), reason }, 'the server cannot do this ALTER instantly');
        return { kind: 'not-possible', reason };
      }
      if (errno(err) === ER_LOCK_WAIT_TIMEOUT) {
        const waited = o.now() - started;
        o.log.warn({ waitedMs: waited, reason }, 'the instant ALTER timed out waiting for the metadata lock');
        return {
          kind: 'not-now',
          reason: `the metadata lock on ${o.database}.${o.table} was not granted within ${INSTANT_LOCK_WAIT_SECONDS} s, a transaction holds it: ${reason}`,
        };
      }
      throw err;
    }
    return { kind: 'done', ms: o.now() - started };
  } finally {
    await conn.end().catch((err: unknown) => o.log.warn({ err: describeError(err) }, 'closing the instant ALTER connection failed'));
  }
}
