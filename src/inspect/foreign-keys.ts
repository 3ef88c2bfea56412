import { queryRows, queryValue, type Connection } from '../db/connect.js';
import { constraintNameTaken, foreignKeysAround, REFERENTIAL_ACTIONS, toggledConstraintName, type ForeignKeyDefinition, type ReferentialAction } from '../sql/foreign-keys.js';

/** A table's foreign keys in both directions. */
export interface ForeignKeysAround {
  /** The table's own (it is the child): they are created on the ghost. */
  readonly own: readonly ForeignKeyDefinition[];
  /** Other tables' that reference it (it is the parent): a RENAME swap would move them to the old table. */
  readonly children: readonly ForeignKeyDefinition[];
  /** The table's that reference the table itself. */
  readonly selfReferencing: readonly ForeignKeyDefinition[];
}

export const NO_FOREIGN_KEYS: ForeignKeysAround = { own: [], children: [], selfReferencing: [] };

export async function readForeignKeys(conn: Connection, database: string, table: string): Promise<ForeignKeysAround> {
  const s = foreignKeysAround(database, table);
  const rows = await queryRows(conn, s.sql, s.params);
  const byKey = new Map<string, { fk: Omit<ForeignKeyDefinition, 'columns' | 'parentColumns'>; columns: string[]; parentColumns: string[] }>();
  for (const r of rows) {
    const key = `${String(r['child_schema'])}\u0000${String(r['child_table'])}\u0000${String(r['name'])}`;
    let e = byKey.get(key);
    if (e === undefined) {
      e = {
        fk: {
          name: String(r['name']),
          childSchema: String(r['child_schema']),
          childTable: String(r['child_table']),
          parentSchema: String(r['parent_schema']),
          parentTable: String(r['parent_table']),
          onDelete: action(r['on_delete']),
          onUpdate: action(r['on_update']),
        },
        columns: [],
        parentColumns: [],
      };
      byKey.set(key, e);
    }
    e.columns.push(String(r['column_name']));
    e.parentColumns.push(String(r['parent_column']));
  }
  const all = [...byKey.values()].map((e): ForeignKeyDefinition => ({ ...e.fk, columns: e.columns, parentColumns: e.parentColumns }));
  const isTable = (schema: string, name: string): boolean => schema === database && name === table;
  return {
    own: all.filter((f) => isTable(f.childSchema, f.childTable) && !isTable(f.parentSchema, f.parentTable)),
    children: all.filter((f) => isTable(f.parentSchema, f.parentTable) && !isTable(f.childSchema, f.childTable)),
    selfReferencing: all.filter((f) => isTable(f.childSchema, f.childTable) && isTable(f.parentSchema, f.parentTable)),
  };
}

function action(v: unknown): ReferentialAction {
  const s = String(v ?? '').toUpperCase();
  if (!REFERENTIAL_ACTIONS.has(s)) throw new Error(`unknown referential action ${s}`);
  return s as ReferentialAction;
}

/** True when the action changes the child's rows itself (a cascade, or setting NULL or a default). */
export function changesChildRows(a: ReferentialAction): boolean {
  return a === 'CASCADE' || a === 'SET NULL' || a === 'SET DEFAULT';
}

/**
 * The second name of each foreign key (toggledConstraintName), checked free in the schema: the
 * ghost's copy of a key, or a child's key once pointed at the new table, cannot take the name the
 * original still holds. Returns the names, or the first one that is taken.
 */
export async function secondNames(conn: Connection, fks: readonly ForeignKeyDefinition[]): Promise<{ names: Map<ForeignKeyDefinition, string> } | { taken: string; by: ForeignKeyDefinition }> {
  const names = new Map<ForeignKeyDefinition, string>();
  for (const fk of fks) {
    const second = toggledConstraintName(fk.name);
    const s = constraintNameTaken(fk.childSchema, second);
    if (second.length === 0 || [...second].length > 64 || Number(await queryValue(conn, s.sql, s.params)) > 0) return { taken: second, by: fk };
    names.set(fk, second);
  }
  return { names };
}
