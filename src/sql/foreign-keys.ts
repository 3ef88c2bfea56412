import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * A foreign key as the server reports it: enough to create it again on another table, or to point
 * it at another parent. https://dev.mysql.com/doc/refman/9.4/en/information-schema-referential-constraints-table.html
 */
export interface ForeignKeyDefinition {
  readonly name: string;
  readonly childSchema: string;
  readonly childTable: string;
  readonly parentSchema: string;
  readonly parentTable: string;
  readonly columns: readonly string[];
  readonly parentColumns: readonly string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

export type ReferentialAction = 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'NO ACTION' | 'SET DEFAULT';
export const REFERENTIAL_ACTIONS: ReadonlySet<string> = new Set(['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT']);

/** Every foreign key of the table (it is the child) and every one that references it (it is the parent), column by column. */
export function foreignKeysAround(database: string, table: string): Statement {
  return stmt(
    'SELECT rc.CONSTRAINT_NAME AS name, rc.CONSTRAINT_SCHEMA AS child_schema, rc.TABLE_NAME AS child_table, ' +
      'rc.UNIQUE_CONSTRAINT_SCHEMA AS parent_schema, rc.REFERENCED_TABLE_NAME AS parent_table, rc.DELETE_RULE AS on_delete, rc.UPDATE_RULE AS on_update, ' +
      'k.COLUMN_NAME AS column_name, k.REFERENCED_COLUMN_NAME AS parent_column ' +
      'FROM information_schema.REFERENTIAL_CONSTRAINTS rc JOIN information_schema.KEY_COLUMN_USAGE k ' +
      'ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME AND k.TABLE_NAME = rc.TABLE_NAME ' +
      'WHERE (rc.CONSTRAINT_SCHEMA = ? AND rc.TABLE_NAME = ?) OR (rc.UNIQUE_CONSTRAINT_SCHEMA = ? AND rc.REFERENCED_TABLE_NAME = ?) ' +
      'ORDER BY rc.CONSTRAINT_SCHEMA, rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION',
    [database, table, database, table],
  );
}

/** Whether a constraint name is taken in a schema (foreign key names are unique per schema in InnoDB). */
export function constraintNameTaken(database: string, name: string): Statement {
  return stmt('SELECT COUNT(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND CONSTRAINT_NAME = ?', [database, name]);
}

/** The clause that creates `fk` under `name`, referencing `parent` (its own parent unless given). */
export function foreignKeyClause(fk: ForeignKeyDefinition, name: string, parent: { schema: string; table: string } = { schema: fk.parentSchema, table: fk.parentTable }): string {
  for (const a of [fk.onDelete, fk.onUpdate]) if (!REFERENTIAL_ACTIONS.has(a)) throw new Error(`not a referential action: ${a}`);
  const cols = (c: readonly string[]): string => c.map(quoteId).join(', ');
  return (
    `ADD CONSTRAINT ${quoteId(name)} FOREIGN KEY (${cols(fk.columns)}) REFERENCES ${quoteTable(parent.schema, parent.table)} (${cols(fk.parentColumns)}) ` +
    `ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate}`
  );
}

/** The ghost's copies of the original's own foreign keys, in one ALTER (the ghost is empty: nothing to check). */
export function addForeignKeys(database: string, table: string, fks: readonly { readonly fk: ForeignKeyDefinition; readonly name: string }[]): Statement {
  return stmt(`ALTER TABLE ${quoteTable(database, table)} ${fks.map((f) => foreignKeyClause(f.fk, f.name)).join(', ')}`);
}

/**
 * A child's foreign key pointed at the new table (pt-osc's rebuild_constraints): dropped and added
 * again in one statement, under a new name (a name cannot be dropped and added in one ALTER). With
 * foreign_key_checks off this changes metadata only: no copy, no scan of the child.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-online-ddl-operations.html#online-ddl-foreign-key-operations
 */
export function repointChildForeignKey(fk: ForeignKeyDefinition, newName: string, parent: { schema: string; table: string }): Statement {
  return stmt(`ALTER TABLE ${quoteTable(fk.childSchema, fk.childTable)} ALGORITHM=INPLACE, LOCK=NONE, DROP FOREIGN KEY ${quoteId(fk.name)}, ${foreignKeyClause(fk, newName, parent)}`);
}

/** The session setting for statements that must not check or enforce foreign keys (the ghost's writers, the swap's DROP). */
export function foreignKeyChecksOff(): Statement {
  return stmt('SET SESSION foreign_key_checks = 0');
}

/** Back to the server's behaviour, after foreignKeyChecksOff on a session that goes on to other work. */
export function foreignKeyChecksOn(): Statement {
  return stmt('SET SESSION foreign_key_checks = 1');
}

/**
 * pt-osc's convention for a constraint's second name: a leading underscore added, or taken away when
 * there is one, so repeated migrations alternate between two names.
 */
export function toggledConstraintName(name: string): string {
  return name.startsWith('_') ? name.slice(1) : `_${name}`;
}
