import { describeError } from '../errors.js';
import { queryRows, type Connection } from '../db/connect.js';
import { readMovableTriggers } from '../inspect/triggers.js';
import type { Logger } from '../log.js';
import { createTrigger, dropTrigger, restoreSessionSettings, triggerSessionSettings, type TriggerDefinition } from '../sql/triggers.js';

/**
 * Moving the original table's triggers to the ghost inside the cut-over (docs/design.md, "Triggers").
 * Trigger names are unique in a schema and there is no RENAME TRIGGER, so the ghost can only take
 * them under their own names once the original has let go of them. That happens while the lock
 * session holds LOCK TABLES original WRITE, after the applier has caught up and before the rename:
 * no write can reach the original meanwhile, so none runs without its triggers, and the ghost gets
 * them before the rename makes it the table. Until then the ghost has no trigger, so neither the
 * copy nor the replayed row events (which already hold what the triggers did) fire one twice.
 */
export interface TriggerMove {
  readonly database: string;
  readonly original: string;
  readonly ghost: string;
  /** Holds LOCK TABLES original WRITE: the only session that may change the original's triggers now. */
  readonly lockConn: Connection;
  /** Opens a session of its own for creating the ghost's triggers under each one's settings. */
  readonly connect: () => Promise<Connection>;
  readonly log: Logger;
}

/** The triggers as they were moved, for moving them back; empty when the table has none. */
export type MovedTriggers = readonly TriggerDefinition[];

/**
 * Reads the original's triggers (under the lock, so they are the ones in force), drops them and
 * creates them on the ghost in the same order. If anything fails, what was moved is put back on
 * the original before the error goes on — the lock is still held, so no write saw the table bare.
 */
export async function moveTriggersToGhost(m: TriggerMove): Promise<MovedTriggers> {
  const triggers = await readMovableTriggers(m.lockConn, m.database, m.original);
  if (triggers.length === 0) return [];
  const dropped: TriggerDefinition[] = [];
  const created: TriggerDefinition[] = [];
  let creator: Connection | undefined;
  try {
    for (const t of triggers) {
      await m.lockConn.query(dropTrigger(m.database, t.name).sql);
      dropped.push(t);
    }
    creator = await m.connect();
    for (const t of triggers) {
      await createUnderItsSettings(creator, m.database, m.ghost, t);
      created.push(t);
    }
    m.log.info({ triggers: triggers.map((t) => t.name) }, 'triggers moved to the new table');
    return triggers;
  } catch (err) {
    m.log.error({ err: describeError(err) }, 'moving the triggers failed; putting them back on the original table');
    await undo({ ...m, creator, dropped, created });
    throw err;
  } finally {
    await creator?.end().catch(() => undefined);
  }
}

/**
 * Puts moved triggers back on the original after a cut-over that did not swap: from the ghost, on
 * the lock session while it still holds the lock (or on `conn` when the lock is gone).
 */
export async function moveTriggersBack(m: { database: string; original: string; ghost: string; conn: Connection; connect: () => Promise<Connection>; log: Logger }, moved: MovedTriggers): Promise<void> {
  if (moved.length === 0) return;
  await undo({ ...m, lockConn: m.conn, creator: undefined, dropped: moved, created: moved });
}

async function undo(u: {
  database: string;
  original: string;
  ghost: string;
  lockConn: Connection;
  connect: () => Promise<Connection>;
  creator: Connection | undefined;
  dropped: readonly TriggerDefinition[];
  created: readonly TriggerDefinition[];
  log: Logger;
}): Promise<void> {
  const failures: string[] = [];
  const creator = u.creator ?? (await u.connect().catch(() => undefined));
  for (const t of u.created) {
    await (creator ?? u.lockConn).query(dropTrigger(u.database, t.name).sql).catch((e: unknown) => failures.push(`drop ${t.name} from ${u.ghost}: ${describeError(e)}`));
  }
  for (const t of u.dropped) {
    await createUnderItsSettings(u.lockConn, u.database, u.original, t).catch((e: unknown) => failures.push(`create ${t.name} on ${u.original}: ${describeError(e)}`));
  }
  if (u.creator === undefined) await creator?.end().catch(() => undefined);
  if (failures.length > 0) u.log.error({ failures }, 'some triggers could not be put back on the original table; create them again by hand');
  else u.log.warn({ triggers: u.dropped.map((t) => t.name) }, 'triggers put back on the original table');
}

/**
 * CREATE TRIGGER under the sql_mode and client character set the trigger was created with; the
 * session's own settings are restored afterwards (the session may go on to run oschange's SQL).
 */
export async function createUnderItsSettings(conn: Connection, database: string, table: string, t: TriggerDefinition, name: string = t.name): Promise<void> {
  const [own] = await queryRows(conn, 'SELECT @@SESSION.sql_mode AS sql_mode, @@SESSION.character_set_client AS cs, @@SESSION.collation_connection AS coll');
  const s = triggerSessionSettings(t);
  await conn.query(s.sql, [...s.params]);
  try {
    await conn.query(createTrigger(database, table, t, name).sql);
  } finally {
    const back = restoreSessionSettings(String(own?.['sql_mode'] ?? ''), String(own?.['cs'] ?? ''), String(own?.['coll'] ?? ''));
    await conn.query(back.sql, [...back.params]);
  }
}

/**
 * After a crash inside the cut-over the original's triggers can be on the ghost, which has none at
 * any other time: they go back to the original before anything else happens to either table.
 * Returns the names put back.
 */
export async function recoverTriggersFromGhost(o: { conn: Connection; database: string; original: string; ghost: string; log: Logger }): Promise<string[]> {
  const onGhost = await readMovableTriggers(o.conn, o.database, o.ghost);
  if (onGhost.length === 0) return [];
  for (const t of onGhost) {
    await o.conn.query(dropTrigger(o.database, t.name).sql);
    await createUnderItsSettings(o.conn, o.database, o.original, t);
  }
  o.log.warn({ triggers: onGhost.map((t) => t.name) }, 'an interrupted cut-over had moved these triggers to the ghost table; they are back on the original table');
  return onGhost.map((t) => t.name);
}
