import { quoteId, stmt, type Statement } from './quote.js';

/** A database for the sandbox or a test, utf8mb4 so emoji travel. */
export function createDatabase(name: string): Statement {
  return stmt(`CREATE DATABASE ${quoteId(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
}

export function dropDatabase(name: string): Statement {
  return stmt(`DROP DATABASE IF EXISTS ${quoteId(name)}`);
}
