import type { Connection } from '../db/connect.js';
import { createUsersTable, insertUsers, SEED_CHUNK } from '../sql/seed.js';

/** Creates `database.users` with `rows` rows (ids 1..rows). */
export async function seedUsers(conn: Connection, options: { database: string; rows: number; table?: string; onProgress?: (done: number) => void }): Promise<void> {
  const create = createUsersTable(options.database, options.table);
  await conn.query(create.sql);
  for (let from = 0; from < options.rows; from += SEED_CHUNK) {
    const s = insertUsers(options.database, from, Math.min(from + SEED_CHUNK, options.rows), options.table);
    await conn.query(s.sql, [...s.params]);
    options.onProgress?.(Math.min(from + SEED_CHUNK, options.rows));
  }
}
