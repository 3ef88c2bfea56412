import { stmt, type Statement } from './quote.js';

/**
 * What the binlog reader asks the server before it streams: the settings row-based change capture
 * depends on, which binlog files still exist, and each streamed table's columns.
 */

/** log_bin reads '1' on MySQL and 'ON' on MariaDB. */
export function binlogSettings(): Statement {
  return stmt(
    'SELECT CAST(@@global.log_bin AS CHAR) AS log_bin, @@global.binlog_format AS binlog_format, ' +
      '@@global.binlog_row_image AS binlog_row_image',
  );
}

/** FULL makes TableMap events carry exact ENUM/SET labels (MySQL 8.0.1+, MariaDB 10.5+). */
export function binlogRowMetadata(): Statement {
  return stmt('SELECT @@global.binlog_row_metadata AS binlog_row_metadata');
}

/** Needs REPLICATION CLIENT (MySQL) or BINLOG MONITOR (MariaDB). */
export function showBinaryLogs(): Statement {
  return stmt('SHOW BINARY LOGS');
}

/**
 * A table's columns in binlog order (the order of ORDINAL_POSITION), with what decoding needs:
 * the type, charset, fixed byte width of BINARY(n), and whether the column is generated.
 */
export function tableColumns(database: string, table: string): Statement {
  return stmt(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, ' +
      'CHARACTER_SET_NAME AS charset, CHARACTER_OCTET_LENGTH AS octet_length, EXTRA AS extra, ' +
      'GENERATION_EXPRESSION AS generation_expression ' +
      'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [database, table],
  );
}

/** Raises the session's write timeout so a paused reader (backpressure) is not cut off by the server. */
export function setNetWriteTimeout(seconds: number): Statement {
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error(`net_write_timeout must be a whole number of seconds >= 1 (got ${seconds})`);
  return stmt(`SET SESSION net_write_timeout = ${seconds}`);
}
