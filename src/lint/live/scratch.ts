import { randomBytes } from 'node:crypto';
import type { Connection } from '../../db/connect.js';
import { describeError } from '../../errors.js';
import { createTableLike, dropTable, truncateTable } from '../../sql/ghost.js';

/** MySQL and MariaDB identifiers are at most 64 characters. */
const MAX_IDENTIFIER = 64;

/**
 * lint's empty copies of the tables it tries ALTERs on: `_T_ghl<random>`, created with CREATE TABLE
 * … LIKE (the definition only, never a row of the table), altered in its place, and all dropped in
 * `dropAll` — which the runner calls in a `finally`, so they go on every failure too. The random
 * part keeps two lint runs on one table apart.
 */
export class ScratchTables {
  private readonly made: { readonly database: string; readonly name: string }[] = [];

  constructor(private readonly conn: Connection) {}

  /** A new empty copy of `table`'s definition; its name. */
  async copyOf(database: string, table: string): Promise<string> {
    const suffix = randomBytes(3).toString('hex');
    const full = `_${table}_ghl${suffix}`;
    const name = [...full].length <= MAX_IDENTIFIER ? full : `_ghl${suffix}${randomBytes(4).toString('hex')}`;
    await this.conn.query(createTableLike(database, name, table).sql);
    this.made.push({ database, name });
    return name;
  }

  /** Empties a copy again (after the sample copy), so later ALTERs are tried on an empty table. */
  async empty(database: string, name: string): Promise<void> {
    await this.conn.query(truncateTable(database, name).sql);
  }

  /** Drops every copy; returns the ones that could not be dropped, with why. */
  async dropAll(): Promise<string[]> {
    const failed: string[] = [];
    for (const t of this.made.splice(0)) {
      await this.conn.query(dropTable(t.database, t.name).sql).catch((err: unknown) => failed.push(`${t.database}.${t.name}: ${describeError(err)}`));
    }
    return failed;
  }
}
