import { queryRows } from '../../db/connect.js';
import { ExitCode } from '../../errors.js';
import { changesChildRows, readForeignKeys } from '../../inspect/foreign-keys.js';
import type { Index, TableInfo } from '../../inspect/table-info.js';
import { isUnmovable, readTriggers } from '../../inspect/triggers.js';
import type { ForeignKeyDefinition } from '../../sql/foreign-keys.js';
import type { Check, TableContext } from '../check.js';
import type { Finding } from '../finding.js';

const refuse = (check: string, code: string, message: string): Finding => ({ check, severity: 'error', code, message, exitCode: ExitCode.usage });
const name = (ctx: TableContext): string => `${ctx.config.database}.${ctx.config.table}`;
const fkText = (fk: ForeignKeyDefinition): string =>
  `${fk.childSchema}.${fk.childTable}.${fk.name} (${fk.columns.join(', ')}) → ${fk.parentTable} (${fk.parentColumns.join(', ')})`;

/** What each --alter-foreign-keys-method costs, as the refusal and the plan say it (docs/design.md, "Foreign keys"). */
export const FOREIGN_KEYS_METHOD_COST = {
  rebuild_constraints:
    'each child\'s key is re-pointed at the new table right after the swap (one metadata-only ALTER per child, with foreign_key_checks off); until it is, a child row written for a row created after the swap is refused, and a delete does not cascade',
  drop_swap:
    'the old table is dropped inside the cut-over lock, so the children\'s keys hold on the new table at once; no old table is kept to go back to, and the lock lasts as long as the DROP (longer on a big table)',
  none: 'the children\'s keys stay on the old table: rows written to the children for new rows are refused and deletes do not cascade until you re-point them yourself',
} as const;

/** Triggers: moved with --include-triggers (src/cutover/triggers.ts), refused without it. */
export const triggersHandled: Check = {
  id: 'triggers',
  scope: 'table',
  describe: 'a table with triggers is migrated only with --include-triggers',
  run(ctx) {
    if (ctx.table.triggers.length === 0 || ctx.config.includeTriggers === true) return [];
    return [
      refuse(
        this.id,
        'TRIGGERS',
        `table ${name(ctx)} has trigger ${ctx.table.triggers.join(', ')}: pass --include-triggers to move ${ctx.table.triggers.length === 1 ? 'it' : 'them'} to the new table inside the cut-over lock (same names, bodies, order and definer), or drop ${ctx.table.triggers.length === 1 ? 'it' : 'them'} for the migration`,
      ),
    ];
  },
};

/** Foreign keys in either direction: what the swap does with them must be chosen (parents) or be possible (children). */
export const foreignKeysHandled: Check = {
  id: 'foreign-keys',
  scope: 'data',
  describe: 'the table\'s foreign keys, in either direction, can follow the swap',
  async run(ctx) {
    if (ctx.table.foreignKeys.length === 0) return [];
    const fks = await readForeignKeys(ctx.conn, ctx.config.database, ctx.config.table);
    const out: Finding[] = [];
    for (const fk of fks.selfReferencing) {
      out.push(refuse(this.id, 'FOREIGN_KEY_SELF', `table ${name(ctx)} references itself through foreign key ${fk.name}; oschange does not migrate self-referencing tables yet (drop the key for the migration and add it again after)`));
    }
    if (fks.children.length > 0) {
      const method = ctx.config.alterForeignKeysMethod;
      if (method === undefined) {
        out.push(
          refuse(
            this.id,
            'FOREIGN_KEY_CHILDREN',
            `table ${name(ctx)} is referenced by foreign key ${fks.children.map(fkText).join('; ')}; a swap by RENAME would leave ${fks.children.length === 1 ? 'that key' : 'those keys'} on the old table. ` +
              `Choose with --alter-foreign-keys-method: rebuild_constraints (${FOREIGN_KEYS_METHOD_COST.rebuild_constraints}); drop_swap (${FOREIGN_KEYS_METHOD_COST.drop_swap}); none (${FOREIGN_KEYS_METHOD_COST.none})`,
          ),
        );
      }
      if (method === 'none' && ctx.config.okToDropTable === true) {
        out.push(refuse(this.id, 'FOREIGN_KEY_CHILDREN_DROPPED', `--alter-foreign-keys-method none leaves the children's keys on the old table, which --ok-to-drop-table would then drop under them; choose rebuild_constraints or drop_swap, or keep the old table`));
      }
      out.push(...referencedColumnsKept(this.id, ctx.ghost, fks.children, ctx.mapping.pairs));
    }
    if (fks.own.length > 0 && ctx.config.discardForeignKeys !== true) {
      const cascading = fks.own.filter((f) => changesChildRows(f.onDelete) || changesChildRows(f.onUpdate));
      if (cascading.length > 0 && !(await cascadesAreLogged(ctx))) {
        const fk = cascading[0] as ForeignKeyDefinition;
        out.push(
          refuse(
            this.id,
            'FOREIGN_KEY_CASCADE_UNLOGGED',
            `foreign key ${fk.name} of ${name(ctx)} changes its rows itself (ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}), and this server (${ctx.where}) does not write those changes to the binlog, ` +
              'so the new table would miss them; change the key to RESTRICT / NO ACTION for the migration, or migrate with --discard-foreign-keys and add the key again after',
          ),
        );
      }
    }
    return out;
  },
};

/**
 * MySQL up to 9.x (innodb_native_foreign_keys OFF, or no such variable) logs the rows a cascade
 * changes as row events of the child; MariaDB and MySQL with native foreign keys do not.
 */
async function cascadesAreLogged(ctx: TableContext): Promise<boolean> {
  if (ctx.version.flavor === 'mariadb') return false;
  const rows = await queryRows(ctx.conn, "SHOW GLOBAL VARIABLES LIKE 'innodb_native_foreign_keys'");
  const value = rows[0]?.['Value'];
  return value === undefined || String(value).toUpperCase() !== 'ON';
}

/** The children's referenced columns must stay in the new table, indexed, with the same types. */
function referencedColumnsKept(check: string, ghost: TableInfo, children: readonly ForeignKeyDefinition[], pairs: readonly { from: string; to: string }[]): Finding[] {
  const out: Finding[] = [];
  const lower = (s: string): string => s.toLowerCase();
  const as = new Map(pairs.map((p) => [lower(p.from), p.to]));
  for (const fk of children) {
    const cols = fk.parentColumns.map((c) => as.get(lower(c)));
    const missing = fk.parentColumns.filter((_, i) => cols[i] === undefined || lower(cols[i] as string) !== lower(fk.parentColumns[i] as string));
    if (missing.length > 0) {
      out.push(refuse(check, 'FOREIGN_KEY_PARENT_COLUMN', `foreign key ${fkText(fk)} needs column ${missing.join(', ')} of the table, which the ALTER drops or renames; keep it, or drop the child's key first`));
      continue;
    }
    const indexed = ghost.indexes.some((i: Index) => fk.parentColumns.every((c, n) => lower(i.columns[n] ?? '') === lower(c)));
    if (!indexed) out.push(refuse(check, 'FOREIGN_KEY_PARENT_INDEX', `foreign key ${fkText(fk)} needs an index on (${fk.parentColumns.join(', ')}) of the table, which the ALTER drops; keep one`));
  }
  return out;
}

/** Each trigger must be one oschange can create again exactly (its body is then tried on the altered table: src/inspect/trigger-trial.ts). */
export const triggersMovable: Check = {
  id: 'triggers-movable',
  scope: 'data',
  describe: 'every trigger can be created again exactly as it is',
  async run(ctx) {
    if (ctx.table.triggers.length === 0 || ctx.config.includeTriggers !== true) return [];
    return (await readTriggers(ctx.conn, ctx.config.database, ctx.config.table))
      .filter(isUnmovable)
      .map((t) => refuse(this.id, 'TRIGGER_UNMOVABLE', `trigger ${t.name} of ${name(ctx)} cannot be moved to the new table: ${t.problem}; drop it for the migration and create it again after`));
  },
};
