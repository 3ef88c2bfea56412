import type { Connection } from '../db/connect.js';
import { grantOnDatabase } from '../sql/privileges.js';
import { createDatabase } from '../sql/sandbox.js';

/** Creates a database (as an admin) and grants the app user oschange's documented privileges on it. */
export async function createAppDatabase(admin: Connection, name: string, appUser: string): Promise<void> {
  for (const s of [createDatabase(name), grantOnDatabase(name, appUser, '%')]) {
    await admin.query(s.sql, [...s.params]);
  }
}
