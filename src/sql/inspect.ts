import { quoteTable, stmt, type Statement } from './quote.js';

/** information_schema reads. Values are placeholders; results are narrowed in src/inspect/. */
export function tableStatus(database: string, table: string): Statement {
  return stmt(
    'SELECT TABLE_TYPE AS table_type, ENGINE AS engine, TABLE_ROWS AS table_rows FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
    [database, table],
  );
}

export function tableColumns(database: string, table: string): Statement {
  return stmt(
    'SELECT COLUMN_NAME AS name, DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable, ' +
      'CHARACTER_SET_NAME AS charset, COLLATION_NAME AS collation, EXTRA AS extra, GENERATION_EXPRESSION AS generation_expression ' +
      'FROM information_schema.COLUMNS ' +
      'WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    [database, table],
  );
}

export function tableIndexes(database: string, table: string): Statement {
  return stmt(
    'SELECT INDEX_NAME AS index_name, NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name, SUB_PART AS sub_part ' +
      'FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY INDEX_NAME, SEQ_IN_INDEX',
    [database, table],
  );
}

/** Foreign keys in both directions: the table as child, and as parent. */
export function tableForeignKeys(database: string, table: string): Statement {
  return stmt(
    'SELECT DISTINCT CONSTRAINT_NAME AS name, TABLE_SCHEMA AS child_schema, TABLE_NAME AS child_table, ' +
      'REFERENCED_TABLE_SCHEMA AS parent_schema, REFERENCED_TABLE_NAME AS parent_table FROM information_schema.KEY_COLUMN_USAGE ' +
      'WHERE REFERENCED_TABLE_NAME IS NOT NULL AND ((TABLE_SCHEMA = ? AND TABLE_NAME = ?) OR (REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?))',
    [database, table, database, table],
  );
}

export function tableTriggers(database: string, table: string): Statement {
  return stmt('SELECT TRIGGER_NAME AS name FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?', [database, table]);
}

/** Server settings oschange depends on. SHOW VARIABLES, not @@var: a variable a version dropped is then just absent. */
export function serverVariables(names: readonly string[]): Statement {
  return stmt(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`, [...names]);
}

export function tableExists(database: string, table: string): Statement {
  return stmt('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [database, table]);
}

export function countRows(database: string, table: string): Statement {
  return stmt(`SELECT COUNT(*) AS n FROM ${quoteTable(database, table)}`);
}

export function globalStatus(names: readonly string[]): Statement {
  return stmt(`SHOW GLOBAL STATUS WHERE Variable_name IN (${names.map(() => '?').join(', ')})`, [...names]);
}

/** The heartbeat value (writer's epoch ms) as a replica has it. */
export function readHeartbeat(database: string, changelog: string): Statement {
  return stmt(`SELECT \`value\` FROM ${quoteTable(database, changelog)} WHERE \`hint\` = 'heartbeat'`);
}
