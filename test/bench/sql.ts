/**
 * The bench's statements, as pure builders returning `{ sql, params }` (STYLE habit 1; they live
 * here rather than in src/sql/ because only the bench uses them).
 */
import { quoteId, quoteTable, stmt, type Statement } from '../../src/sql/quote.js';

/** sysbench's sbtest table (oltp_common.lua), with its secondary index on k. */
export function createSbtest(database: string, table: string): Statement {
  return stmt(
    `CREATE TABLE ${quoteTable(database, table)} (
  ${quoteId('id')} INT UNSIGNED NOT NULL AUTO_INCREMENT,
  ${quoteId('k')} INT UNSIGNED NOT NULL DEFAULT 0,
  ${quoteId('c')} CHAR(120) NOT NULL DEFAULT '',
  ${quoteId('pad')} CHAR(60) NOT NULL DEFAULT '',
  PRIMARY KEY (${quoteId('id')}),
  KEY ${quoteId('k_1')} (${quoteId('k')})
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  );
}

const DIGITS = '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
export const SEED_CHUNK = 100_000;

/** `groups` groups of 11 random digits joined by '-': sysbench's c (10 groups) and pad (5). */
function randomDigits(groups: number): string {
  const one = "LPAD(FLOOR(RAND() * 100000000000), 11, '0')";
  return `CONCAT_WS('-', ${Array.from({ length: groups }, () => one).join(', ')})`;
}

/** Rows with ids [from, to) — at most SEED_CHUNK — and random k, c and pad, as sysbench fills them. */
export function insertSbtestRows(database: string, table: string, from: number, to: number, kMax: number): Statement {
  if (to - from > SEED_CHUNK) throw new Error(`at most ${SEED_CHUNK} rows per statement`);
  return stmt(
    `INSERT INTO ${quoteTable(database, table)} (${['id', 'k', 'c', 'pad'].map(quoteId).join(', ')})
SELECT n + 1, 1 + FLOOR(RAND() * ?), ${randomDigits(10)}, ${randomDigits(5)}
FROM (SELECT ? + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n
      FROM ${DIGITS} a CROSS JOIN ${DIGITS} b CROSS JOIN ${DIGITS} c CROSS JOIN ${DIGITS} e CROSS JOIN ${DIGITS} f) s
WHERE n < ?`,
    [kMax, from, to],
  );
}

export function dropTableIfExists(database: string, table: string): Statement {
  return stmt(`DROP TABLE IF EXISTS ${quoteTable(database, table)}`);
}

export function createTableLike(database: string, table: string, like: string): Statement {
  return stmt(`CREATE TABLE ${quoteTable(database, table)} LIKE ${quoteTable(database, like)}`);
}

export function alterTable(database: string, table: string, alter: string): Statement {
  return stmt(`ALTER TABLE ${quoteTable(database, table)} ${alter}`);
}

/** Same columns in the same order (the ALTERs the bench runs keep them so). */
export function copyAllRows(database: string, to: string, from: string): Statement {
  return stmt(`INSERT INTO ${quoteTable(database, to)} SELECT * FROM ${quoteTable(database, from)}`);
}

/** The bench's own helper tables left by a stopped tool: `_<table>_…` (oschange's and pt-osc's). */
export function leftoverTables(database: string, table: string): Statement {
  return stmt(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND (TABLE_NAME LIKE ? OR TABLE_NAME = ?)`,
    [database, `\\_${table.replaceAll('_', '\\_')}\\_%`, `${table}_osc_sentry`],
  );
}

/** The backfill part's new column (nullable, so the ALTER is instant on both flavors). */
export function addBackfillColumn(database: string, table: string): Statement {
  return stmt(`ALTER TABLE ${quoteTable(database, table)} ADD COLUMN ${quoteId('note')} VARCHAR(32) NULL`);
}

/** Rows the backfill left empty (rows the load inserted after its last chunk, if any). */
export function countBackfillLeft(database: string, table: string): Statement {
  return stmt(`SELECT COUNT(*) AS n FROM ${quoteTable(database, table)} WHERE ${quoteId('note')} IS NULL`);
}

export function countRows(database: string, table: string): Statement {
  return stmt(`SELECT COUNT(*) AS n FROM ${quoteTable(database, table)}`);
}

// --- the load's statements (one row each unless `ids` has more)

export function loadInsert(database: string, table: string, rows: readonly { id: number | null; k: number; c: string; pad: string }[]): Statement {
  return stmt(
    `INSERT INTO ${quoteTable(database, table)} (${['id', 'k', 'c', 'pad'].map(quoteId).join(', ')}) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}`,
    rows.flatMap((r) => [r.id, r.k, r.c, r.pad]),
  );
}

export function loadUpdate(database: string, table: string, ids: readonly number[]): Statement {
  return stmt(`UPDATE ${quoteTable(database, table)} SET ${quoteId('k')} = ${quoteId('k')} + 1 WHERE ${quoteId('id')} IN (${ids.map(() => '?').join(', ')})`, ids);
}

export function loadDelete(database: string, table: string, ids: readonly number[]): Statement {
  return stmt(`DELETE FROM ${quoteTable(database, table)} WHERE ${quoteId('id')} IN (${ids.map(() => '?').join(', ')})`, ids);
}

/** Room for the tables the bench keeps side by side (seed copy, working copy, ghost or floor copy). */
export function setBufferPool(bytes: number): Statement {
  return stmt(`SET GLOBAL innodb_buffer_pool_size = ${Math.floor(bytes)}`);
}

export function analyzeTable(database: string, table: string): Statement {
  return stmt(`ANALYZE TABLE ${quoteTable(database, table)}`);
}

/** pt-osc's DSN table (--recursion-method dsn=D=…,t=dsns), emptied and given one replica. */
export function ptOscDsnTable(database: string, replicaDsn: string): Statement[] {
  const t = quoteTable(database, 'dsns');
  return [
    stmt(`CREATE DATABASE IF NOT EXISTS ${quoteId(database)}`),
    stmt(`CREATE TABLE IF NOT EXISTS ${t} (${quoteId('id')} INT AUTO_INCREMENT PRIMARY KEY, ${quoteId('parent_id')} INT NULL, ${quoteId('dsn')} VARCHAR(255) NOT NULL)`),
    stmt(`DELETE FROM ${t}`),
    stmt(`INSERT INTO ${t} (${quoteId('dsn')}) VALUES (?)`, [replicaDsn]),
  ];
}

/** The large-row table: one MEDIUMBLOB of `bytes` random-looking bytes per row. */
export function createBlobTable(database: string, table: string): Statement {
  return stmt(`CREATE TABLE ${quoteTable(database, table)} (${quoteId('id')} INT NOT NULL PRIMARY KEY, ${quoteId('body')} MEDIUMBLOB NOT NULL, ${quoteId('n')} INT NOT NULL DEFAULT 0) ENGINE=InnoDB`);
}

/** Rows [from, to) with a body of about `bytes` bytes (a SHA-256 repeated: cheap to make, not all zeros). */
export function insertBlobRows(database: string, table: string, from: number, to: number, bytes: number): Statement {
  return stmt(
    `INSERT INTO ${quoteTable(database, table)} (${quoteId('id')}, ${quoteId('body')})
SELECT n, REPEAT(UNHEX(SHA2(n, 256)), ?)
FROM (SELECT ? + a.d + 10 * b.d + 100 * c.d + 1000 * e.d AS n FROM ${DIGITS} a CROSS JOIN ${DIGITS} b CROSS JOIN ${DIGITS} c CROSS JOIN ${DIGITS} e) s
WHERE n < ?`,
    [Math.max(1, Math.round(bytes / 32)), from, to],
  );
}

/** One large-row write of the load: a new body for one row. */
export function updateBlob(database: string, table: string, id: number, bytes: number): Statement {
  return stmt(`UPDATE ${quoteTable(database, table)} SET ${quoteId('body')} = REPEAT(UNHEX(SHA2(RAND(), 256)), ?), ${quoteId('n')} = ${quoteId('n')} + 1 WHERE ${quoteId('id')} = ?`, [
    Math.max(1, Math.round(bytes / 32)),
    id,
  ]);
}
