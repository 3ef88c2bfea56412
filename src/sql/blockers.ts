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
