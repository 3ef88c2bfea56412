import mysql from 'mysql2/promise';
import type { Endpoint } from './dsn.js';
import { sessionSetup } from './session.js';
import { mysql2TlsOptions } from './tls.js';
import { tlsConnectError } from './tls-errors.js';

export type Connection = mysql.Connection;

/**
 * Every session oschange opens: its own sql_mode, UTC and utf8mb4 whatever the server's globals
 * (src/db/session.ts), big numbers and dates as strings so nothing is rounded through a JS number
 * or Date (docs/design.md rule 5), and TLS as the endpoint says (src/db/tls.ts).
 */
export async function connect(e: Endpoint, options: { connectTimeoutMs?: number } = {}): Promise<Connection> {
  let conn: Connection;
  try {
    conn = await mysql.createConnection({
      host: e.host,
      port: e.port,
      user: e.user,
      password: e.password,
      ...(e.database === undefined ? {} : { database: e.database }),
      ...(e.tls === undefined ? {} : mysql2TlsOptions(e.tls, e.host, e.port)),
      timezone: 'Z',
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      charset: 'utf8mb4_general_ci',
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      multipleStatements: false,
    });
  } catch (err) {
    throw tlsConnectError(err, `${e.host}:${e.port}`, e.tls !== undefined) ?? err;
  }
  try {
    for (const s of sessionSetup()) await conn.query(s.sql, [...s.params]);
  } catch (err) {
    conn.destroy();
    throw err;
  }
  return conn;
}

/** Runs a query and returns its rows as plain records. */
export async function queryRows(conn: Connection, sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
  const [rows] = await conn.query(sql, params as unknown[]);
  if (!Array.isArray(rows)) throw new Error(`expected rows from: ${sql}`);
  return rows as Record<string, unknown>[];
}

/** The first column of the first row, or undefined. */
export async function queryValue(conn: Connection, sql: string, params: readonly unknown[] = []): Promise<unknown> {
  const rows = await queryRows(conn, sql, params);
  const first = rows[0];
  if (first === undefined) return undefined;
  return Object.values(first)[0];
}

/** True when the session still answers (a lost connection's queries fail at once). */
export async function isAlive(conn: Connection): Promise<boolean> {
  try {
    await conn.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
