import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The demo's `users` table: a realistic mix of the types oschange must carry exactly (BIGINT
 * UNSIGNED key, DECIMAL, DATETIME(6), TIMESTAMP(6), utf8mb4 text with emoji, NULLs, a unique key).
 */
export function createUsersTable(database: string, table = 'users'): Statement {
  return stmt(
    `CREATE TABLE ${quoteTable(database, table)} (
  ${quoteId('id')} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  ${quoteId('email')} VARCHAR(191) NOT NULL,
  ${quoteId('name')} VARCHAR(100) NOT NULL,
  ${quoteId('score')} INT NOT NULL DEFAULT 0,
  ${quoteId('balance')} DECIMAL(12,2) NOT NULL DEFAULT 0,
  ${quoteId('created_at')} DATETIME(6) NOT NULL,
  ${quoteId('updated_at')} TIMESTAMP(6) NULL DEFAULT NULL,
  ${quoteId('bio')} TEXT NULL,
  PRIMARY KEY (${quoteId('id')}),
  UNIQUE KEY ${quoteId('email')} (${quoteId('email')}),
  KEY ${quoteId('created_at')} (${quoteId('created_at')})
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  );
}

/** Ten digits as a derived table; five of them cross-joined give 100,000 numbers. */
const DIGITS = '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
export const SEED_CHUNK = 100_000;

/** Inserts users numbered [from, to) — at most SEED_CHUNK of them — in one statement. */
export function insertUsers(database: string, from: number, to: number, table = 'users'): Statement {
  if (to - from > SEED_CHUNK) throw new Error(`at most ${SEED_CHUNK} rows per statement`);
  const cols = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'].map(quoteId).join(', ');
  return stmt(
    `INSERT INTO ${quoteTable(database, table)} (${cols})
SELECT n + 1, CONCAT('user', n, '@example.com'), CONCAT('User ', n), n % 1000, (n % 100000) / 100,
  TIMESTAMP('2020-01-01 00:00:00') + INTERVAL n SECOND + INTERVAL (n % 1000000) MICROSECOND,
  IF(n % 3 = 0, NULL, TIMESTAMP('2024-01-01 00:00:00') + INTERVAL n SECOND + INTERVAL (n % 999983) MICROSECOND),
  IF(n % 7 = 0, NULL, CONCAT('bio of user ', n, ' \u{1F642}'))
FROM (SELECT ? + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n
      FROM ${DIGITS} a CROSS JOIN ${DIGITS} b CROSS JOIN ${DIGITS} c CROSS JOIN ${DIGITS} e CROSS JOIN ${DIGITS} f) s
WHERE n < ?`,
    [from, to],
  );
}
