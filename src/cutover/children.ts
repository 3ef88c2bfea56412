import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '../db/connect.js';
import { errno } from '../db/retry.js';
import { describeError } from '../errors.js';
import { readForeignKeys } from '../inspect/foreign-keys.js';
import type { Logger } from '../log.js';
import { foreignKeyChecksOff, repointChildForeignKey, toggledConstraintName, type ForeignKeyDefinition } from '../sql/foreign-keys.js';

/** What happened to the child tables' foreign keys after the swap. */
export interface ChildrenOutcome {
  /** Constraints now referencing the new table, as `child.name` (their own names unless one could not be restored). */
  readonly repointed: readonly string[];
  /** Those still referencing the old table, with the statement that would fix each. */
  readonly left: readonly { readonly fk: ForeignKeyDefinition; readonly statement: string; readonly error: string | undefined }[];
}

/**
 * pt-osc's rebuild_constraints, after the swap (docs/design.md, "Foreign keys"): the RENAME moved
 * every child's foreign key to the old table; each is pointed at the new one by an ALTER of the
 * child that only changes metadata (foreign_key_checks off: no copy, no scan), under a second name
 * (a name cannot be dropped and added in one ALTER), then once more to take its own name back.
 * Until the first has run a child checks against the old table — the cost the plan states. A child
 * whose ALTER cannot get its lock is retried, then reported with the statement to run.
 */
export async function repointChildren(o: { conn: Connection; database: string; table: string; old: string; lockTimeoutSeconds: number; log: Logger }): Promise<ChildrenOutcome> {
  await o.conn.query(foreignKeyChecksOff().sql);
  await o.conn.query('SET SESSION lock_wait_timeout = ?', [o.lockTimeoutSeconds]);
  const { children } = await readForeignKeys(o.conn, o.database, o.old);
  const repointed: string[] = [];
  const left: { fk: ForeignKeyDefinition; statement: string; error: string | undefined }[] = [];
  for (const fk of children) {
    const s = repointChildForeignKey(fk, toggledConstraintName(fk.name), { schema: o.database, table: o.table });
    let error: string | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        await o.conn.query(s.sql);
        error = undefined;
        break;
      } catch (err) {
        error = describeError(err);
        // 1205: a long transaction on the child holds it; anything else will not get better.
        if (errno(err) !== 1205) break;
        o.log.warn({ child: `${fk.childSchema}.${fk.childTable}`, fk: fk.name, attempt }, "the child's ALTER waited too long for its lock; retrying");
        await sleep(500 * attempt);
      }
    }
    if (error === undefined) repointed.push(`${fk.childTable}.${toggledConstraintName(fk.name)}`);
    else left.push({ fk, statement: s.sql, error });
  }
  if (repointed.length > 0) o.log.info({ constraints: repointed }, 'child foreign keys now reference the new table');
  // Their own names back, once every child is on the new table: a second metadata-only ALTER each.
  const named: string[] = [];
  for (const fk of children.filter((f) => repointed.includes(`${f.childTable}.${toggledConstraintName(f.name)}`))) {
    const s = repointChildForeignKey({ ...fk, name: toggledConstraintName(fk.name) }, fk.name, { schema: o.database, table: o.table });
    try {
      await o.conn.query(s.sql);
      named.push(`${fk.childTable}.${fk.name}`);
    } catch (err) {
      o.log.warn({ child: `${fk.childSchema}.${fk.childTable}`, fk: toggledConstraintName(fk.name), err: describeError(err) }, `a child's foreign key keeps its second name; to restore it: ${s.sql}`);
      named.push(`${fk.childTable}.${toggledConstraintName(fk.name)}`);
    }
  }
  for (const l of left) {
    o.log.error({ child: `${l.fk.childSchema}.${l.fk.childTable}`, fk: l.fk.name, err: l.error }, `a child's foreign key still references the old table; run with foreign_key_checks=0: ${l.statement}`);
  }
  return { repointed: named, left };
}

/**
 * After the swap, every foreign key that referenced the table must reference the new table: none
 * may be left on the old one (none of them, with the `none` method, is the cost it states).
 * Returns the constraints still on the old table, as `child.name`.
 */
export async function childrenOnOldTable(conn: Connection, database: string, old: string): Promise<string[]> {
  const { children, selfReferencing } = await readForeignKeys(conn, database, old);
  return [...children, ...selfReferencing].map((f) => `${f.childTable}.${f.name}`);
}
