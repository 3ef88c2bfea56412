import { stmt, type Statement } from './quote.js';

/**
 * Where the server tells who holds a metadata lock on a table: performance_schema.metadata_locks
 * (MySQL, and MariaDB with performance_schema on and the wait/lock/metadata/sql/mdl instrument
 * enabled), or MariaDB's METADATA_LOCK_INFO plugin.
 * https://dev.mysql.com/doc/refman/9.4/en/performance-schema-metadata-locks-table.html
 * https://mariadb.com/kb/en/metadata-lock-info-plugin/
 */
export type LockInfoSource = 'performance_schema' | 'metadata_lock_info';

/**
 * Sessions holding a metadata lock on the table — and, where the server shows them (performance_schema),
 * sessions waiting for one — with what they are doing. METADATA_LOCK_INFO lists granted locks only.
 */
export function tableLockHolders(source: LockInfoSource, database: string, table: string): Statement {
  if (source === 'performance_schema') {
    return stmt(
      'SELECT t.PROCESSLIST_ID AS id, t.PROCESSLIST_USER AS user, t.PROCESSLIST_HOST AS host, t.PROCESSLIST_TIME AS seconds, ' +
        't.PROCESSLIST_COMMAND AS command, t.PROCESSLIST_STATE AS state, t.PROCESSLIST_INFO AS info, ml.LOCK_TYPE AS lock_type, ml.LOCK_STATUS AS lock_status ' +
        'FROM performance_schema.metadata_locks ml JOIN performance_schema.threads t ON t.THREAD_ID = ml.OWNER_THREAD_ID ' +
        "WHERE ml.OBJECT_TYPE = 'TABLE' AND ml.OBJECT_SCHEMA = ? AND ml.OBJECT_NAME = ? AND ml.LOCK_STATUS IN ('GRANTED', 'PENDING') AND t.PROCESSLIST_ID IS NOT NULL",
      [database, table],
    );
  }
  return stmt(
    "SELECT m.THREAD_ID AS id, p.USER AS user, p.HOST AS host, p.TIME AS seconds, p.COMMAND AS command, p.STATE AS state, p.INFO AS info, m.LOCK_MODE AS lock_type, 'GRANTED' AS lock_status " +
      'FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID ' +
      'WHERE m.TABLE_SCHEMA = ? AND m.TABLE_NAME = ?',
    [database, table],
  );
}

/** Whether performance_schema records metadata locks: it is on and the instrument enabled. */
export function metadataLockInstrument(): Statement {
  return stmt("SELECT ENABLED AS enabled FROM performance_schema.setup_instruments WHERE NAME = 'wait/lock/metadata/sql/mdl'");
}

/** Whether MariaDB's METADATA_LOCK_INFO plugin is loaded. */
export function metadataLockInfoPlugin(): Statement {
  return stmt("SELECT COUNT(*) AS n FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'METADATA_LOCK_INFO' AND PLUGIN_STATUS = 'ACTIVE'");
}

/** Ends a session: its transaction rolls back and its locks go. */
export function killConnection(id: number): Statement {
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`not a connection id: ${id}`);
  return stmt(`KILL CONNECTION ${id}`);
}

/**
 * The tables of `database` a session is waiting to lock (performance_schema.metadata_locks rows
 * PENDING for its thread): where the several-table cut-over's lock session stands in its queue.
 */
export function pendingTableLocks(connectionId: number, database: string): Statement {
  return stmt(
    'SELECT ml.OBJECT_NAME AS name FROM performance_schema.metadata_locks ml JOIN performance_schema.threads t ON t.THREAD_ID = ml.OWNER_THREAD_ID ' +
      "WHERE t.PROCESSLIST_ID = ? AND ml.OBJECT_TYPE = 'TABLE' AND LOWER(ml.OBJECT_SCHEMA) = LOWER(?) AND ml.LOCK_STATUS = 'PENDING'",
    [connectionId, database],
  );
}

/**
 * Names compare without case in both queries below: with lower_case_table_names=1 the server keys the
 * locks of `Users` as `users`, and one run never names two tables that differ only in case.
 *
 * Sessions that hold `table` (GRANTED) and wait (PENDING) for one of `held`: a transaction the
 * several-table cut-over's lock on `table` waits behind, which itself waits for a table the cut-over
 * already holds. Neither would ever go on; MySQL sees no cycle (the holder does not wait), so only a
 * timeout would end it.
 */
export function crossWaiters(database: string, table: string, held: readonly string[]): Statement {
  if (held.length === 0) throw new Error('crossWaiters needs at least one held table');
  return stmt(
    'SELECT COUNT(*) AS n FROM performance_schema.metadata_locks g JOIN performance_schema.metadata_locks p ON p.OWNER_THREAD_ID = g.OWNER_THREAD_ID ' +
      "WHERE g.OBJECT_TYPE = 'TABLE' AND LOWER(g.OBJECT_SCHEMA) = LOWER(?) AND LOWER(g.OBJECT_NAME) = LOWER(?) AND g.LOCK_STATUS = 'GRANTED' " +
      `AND p.OBJECT_TYPE = 'TABLE' AND LOWER(p.OBJECT_SCHEMA) = LOWER(?) AND LOWER(p.OBJECT_NAME) IN (${held.map(() => 'LOWER(?)').join(', ')}) AND p.LOCK_STATUS = 'PENDING'`,
    [database, table, database, ...held],
  );
}

/** Stops a session's running statement (its own user's session needs no privilege). */
export function killQuery(id: number): Statement {
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`not a connection id: ${id}`);
  return stmt(`KILL QUERY ${id}`);
}
