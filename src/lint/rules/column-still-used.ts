import type { TableName } from '../../alter/statement.js';
import { tableRef } from '../advice.js';
import type { Check, LiveContext } from '../check.js';
import type { Finding } from '../finding.js';
import { digestAvailability, digestsNaming, type DigestAvailability, type DigestUse } from '../live/digests.js';
import { count } from '../quantities.js';
import { createdEarlier, finding, findColumn, sameTable, tableChange } from './common.js';

/** A column (or a whole table) the statement drops or renames. */
interface Target {
  readonly table: TableName;
  readonly column: string | undefined;
  readonly verb: 'dropped' | 'renamed';
}

/**
 * Who still uses a column (or table) the statement drops or renames: statement digests in
 * performance_schema (events_statements_summary_by_digest) that name it, with how often and when
 * they last ran. Error when any does: the code that sends them breaks. When performance_schema is
 * off, not collecting digests, or not readable, it says so plainly (info): nothing was checked.
 * https://dev.mysql.com/doc/refman/9.4/en/performance-schema-statement-digests.html
 */
export const columnStillUsed: Check = {
  id: 'column-still-used',
  scope: 'live',
  severity: 'error',
  needsServer: true,
  describe: 'statements the server still runs (performance_schema digests) that name a column or table the statement drops or renames',
  async run(ctx) {
    const targets = targetsOf(ctx);
    if (targets.length === 0) return [];
    const available = await digestAvailability(ctx.conn);
    if (available.kind !== 'on') return [notChecked(this.id, ctx, targets, available)];
    const out: Finding[] = [];
    for (const t of targets) {
      const database = t.table.database ?? ctx.database;
      if (database === undefined) continue;
      const uses = await digestsNaming(ctx.conn, { database, table: t.table.name, column: t.column });
      const what = t.column === undefined ? `table ${tableRef(t.table)}` : `${tableRef(t.table)}.${t.column}`;
      const full = available.unrecorded > 0 ? `; ${count(available.unrecorded)} statements were not recorded because the digest table is full (performance_schema_digests_size)` : '';
      if (uses.length === 0) {
        out.push(
          finding(
            this.id,
            'info',
            'NOT_SEEN',
            `no statement the server ran${available.since === undefined ? '' : ` since ${available.since} UTC`} names ${what} (statement digests on ${ctx.where}; queries sent to replicas are not seen here)${full}`,
            'performance_schema keeps one digest per statement shape since the server started (or since its table was last emptied).',
            [],
          ),
        );
        continue;
      }
      out.push(usedFinding(this.id, ctx, t, what, uses, available.since));
    }
    return out;
  },
};

function usedFinding(id: string, ctx: LiveContext, t: Target, what: string, uses: readonly DigestUse[], since: string | undefined): Finding {
  const runs = uses.reduce((n, u) => n + u.count, 0);
  const shown = uses.slice(0, 3).map((u) => `"${u.text.trim()}" (${count(u.count)}×, last ${u.lastSeen} UTC)`);
  const more = uses.length > shown.length ? `; and ${uses.length - shown.length} more` : '';
  return finding(
    id,
    'error',
    t.column === undefined ? 'TABLE_STILL_USED' : 'COLUMN_STILL_USED',
    `${what} is still used: ${uses.length} statement ${uses.length === 1 ? 'shape names' : 'shapes name'} it on ${ctx.where}, run ${runs === 1 ? 'once' : `${count(runs)} times`}${since === undefined ? '' : ` since ${since} UTC`}, the last at ${uses[0]?.lastSeen ?? '?'} UTC: ${shown.join('; ')}${more}`,
    `The code that sends these statements fails once ${what} is ${t.verb}.`,
    [
      'Find and change the code that sends them (a digest is the statement with its values replaced by ?).',
      'Deploy it, then lint again until no run is newer than the deploy (the last-seen times stop moving).',
      'Queries sent to replicas are counted there: lint against each replica too.',
    ],
  );
}

function notChecked(id: string, ctx: LiveContext, targets: readonly Target[], a: Exclude<DigestAvailability, { kind: 'on' }>): Finding {
  const what = targets.map((t) => (t.column === undefined ? `table ${tableRef(t.table)}` : `${tableRef(t.table)}.${t.column}`)).join(', ');
  const [code, reason, step] =
    a.kind === 'off'
      ? ['PERFORMANCE_SCHEMA_OFF', `performance_schema is OFF on ${ctx.where}`, 'Turn it on (performance_schema=ON in my.cnf; it takes a restart), then lint again after the application has run a while.']
      : a.kind === 'not-collected'
        ? ['DIGESTS_NOT_COLLECTED', `performance_schema on ${ctx.where} does not collect statement digests`, "UPDATE performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME = 'statements_digest', then lint again after the application has run a while."]
        : ['DIGESTS_NOT_READABLE', `user ${ctx.user} cannot read performance_schema on ${ctx.where} (${a.error})`, `GRANT SELECT ON performance_schema.events_statements_summary_by_digest TO ${ctx.user}; GRANT SELECT ON performance_schema.setup_consumers TO ${ctx.user}`];
  return finding(
    id,
    'info',
    code,
    `${reason}, so oschange cannot tell who still uses ${what}: nothing was checked`,
    'Statement digests are the server\'s own record of which statements it ran; without them only the application\'s code and logs can tell.',
    [step, `Until then, search the application's code and query logs for ${what}.`],
  );
}

/** The columns and tables the statement drops or renames, on tables that existed before this input. */
function targetsOf(ctx: LiveContext): Target[] {
  const s = ctx.item.statement;
  if (s.kind === 'drop-table') return s.temporary ? [] : s.tables.filter((t) => !createdEarlier(ctx, t)).map((table) => ({ table, column: undefined, verb: 'dropped' as const }));
  if (s.kind === 'rename-table') {
    return s.pairs
      .filter((p) => !s.pairs.some((q) => sameTable(q.to, p.from, ctx.database)) && !createdEarlier(ctx, p.from))
      .map((p) => ({ table: p.from, column: undefined, verb: 'renamed' as const }));
  }
  const change = tableChange(ctx);
  if (change === undefined || change.isNew) return [];
  const { table, alter } = change;
  const added = new Set(alter.actions.flatMap((a) => (a.kind === 'add-column' ? [a.name.toLowerCase()] : [])));
  // With the table's shape known, MariaDB's IF EXISTS of a missing column drops or renames nothing.
  const exists = (name: string): boolean => ctx.shapes === undefined || findColumn(ctx.shapes.before.columns, name) !== undefined;
  const out: Target[] = [];
  for (const a of alter.actions) {
    if (a.kind === 'drop-column' && !added.has(a.name.toLowerCase()) && exists(a.name)) out.push({ table, column: a.name, verb: 'dropped' });
    if ((a.kind === 'rename-column' || a.kind === 'change-column') && a.from.toLowerCase() !== a.to.toLowerCase() && exists(a.from)) out.push({ table, column: a.from, verb: 'renamed' });
    if (a.kind === 'rename-table') out.push({ table, column: undefined, verb: 'renamed' });
  }
  return out;
}
