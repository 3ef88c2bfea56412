import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '../db/connect.js';
import { errno } from '../db/retry.js';
import { describeError, OschangeError } from '../errors.js';
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

/**
 * After the swap, by --alter-foreign-keys-method (docs/design.md, "Foreign keys"): children re-pointed
 * (rebuild_constraints) and checked; found on the new table (drop_swap); or left on the old table
 * (none), which the end line says. Throws when a child's key is not where the method puts it.
 * Returns the end line's words about the children ('' without children).
 */
export async function settleChildren(o: {
  conn: Connection;
  database: string;
  table: string;
  old: string;
  method: 'rebuild_constraints' | 'drop_swap' | 'none' | undefined;
  children: readonly ForeignKeyDefinition[];
  lockTimeoutSeconds: number;
  log: Logger;
}): Promise<string> {
  if (o.children.length === 0 || o.method === undefined) return '';
  const list = (names: readonly string[]): string => names.join(', ');
  switch (o.method) {
    case 'rebuild_constraints': {
      const outcome = await repointChildren(o);
      const left = await childrenOnOldTable(o.conn, o.database, o.old);
      if (left.length > 0) {
        throw new OschangeError(
          'FOREIGN_KEY_CHILDREN_LEFT',
          `child foreign key ${list(left)} still references ${o.old}, not the new ${o.table}; with foreign_key_checks=0, run: ${outcome.left.map((l) => l.statement).join('; ')}`,
        );
      }
      return `child foreign keys re-pointed at the new table: ${list(outcome.repointed)}; `;
    }
    case 'drop_swap': {
      const { children } = await readForeignKeys(o.conn, o.database, o.table);
      const now = new Set(children.map((f) => `${f.childSchema}.${f.childTable}.${f.name}`));
      const lost = o.children.filter((f) => !now.has(`${f.childSchema}.${f.childTable}.${f.name}`)).map((f) => `${f.childTable}.${f.name}`);
      if (lost.length > 0) throw new OschangeError('FOREIGN_KEY_CHILDREN_LEFT', `child foreign key ${list(lost)} no longer references ${o.table} after the drop_swap; add it again`);
      return `child foreign keys hold on the new table (drop_swap: the old table was dropped inside the cut-over); `;
    }
    case 'none': {
      const left = await childrenOnOldTable(o.conn, o.database, o.old);
      o.log.warn({ constraints: left }, `child foreign keys still reference ${o.old} (--alter-foreign-keys-method none)`);
      return `child foreign keys left on ${o.old} (--alter-foreign-keys-method none): ${list(left)}; `;
    }
  }
}
