import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The changelog table `_T_ghc`: one row per hint (heartbeat, state markers). Writes to it travel
 * through the binlog beside the original table's changes, which is how oschange knows how far the
 * stream has got (lag from heartbeats, "all events up to the lock applied" from markers).
 */
export const HEARTBEAT_HINT = 'heartbeat';

export function createChangelogTable(database: string, table: string): Statement {
  return stmt(
    `CREATE TABLE ${quoteTable(database, table)} (
  ${quoteId('id')} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ${quoteId('last_update')} TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  ${quoteId('hint')} VARCHAR(64) CHARACTER SET ascii NOT NULL,
  ${quoteId('value')} VARCHAR(4096) CHARACTER SET utf8mb4 NOT NULL,
  PRIMARY KEY (${quoteId('id')}),
  UNIQUE KEY ${quoteId('hint_uidx')} (${quoteId('hint')})
) ENGINE=InnoDB COMMENT='oschange changelog'`,
  );
}

/** Sets `hint` to `value` (one row per hint). The value is passed twice to avoid VALUES(), deprecated in MySQL 8.0.20+. */
export function writeChangelog(database: string, table: string, hint: string, value: string): Statement {
  return stmt(
    `INSERT INTO ${quoteTable(database, table)} (${quoteId('hint')}, ${quoteId('value')}) VALUES (?, ?) ON DUPLICATE KEY UPDATE ${quoteId('value')} = ?`,
    [hint, value, value],
  );
}

/** A heartbeat carries the writer's clock in epoch milliseconds. */
export function writeHeartbeat(database: string, table: string, nowMs: number): Statement {
  return writeChangelog(database, table, HEARTBEAT_HINT, String(nowMs));
}
