import { queryRows, type Connection } from '../db/connect.js';
import { tableColumns } from '../sql/binlog-schema.js';
import { parseEnumLabels } from './enum-values.js';

/** What the binlog reader needs to know about one column of a streamed table. */
export interface ColumnInfo {
  readonly name: string;
  /** information_schema DATA_TYPE, lower case: 'varchar', 'binary', 'json', 'longtext' (MariaDB JSON)… */
  readonly dataType: string;
  readonly columnType: string;
  /** null for binary strings and non-string types. */
  readonly charset: string | null;
  /**
   * VIRTUAL generated columns are left out of row images (computed on read, never written); STORED
   * ones are kept — never written either, but their values may identify rows (docs/design.md, "The
   * shared key").
   */
  readonly generated: false | 'virtual' | 'stored';
  /** ENUM/SET labels in definition order. */
  readonly labels: readonly string[] | undefined;
}

export interface TableSchema {
  readonly database: string;
  readonly table: string;
  readonly columns: readonly ColumnInfo[];
}

/** The table's columns, or undefined when it does not exist (or the user cannot see it). */
export async function loadTableSchema(conn: Connection, database: string, table: string): Promise<TableSchema | undefined> {
  const s = tableColumns(database, table);
  const rows = await queryRows(conn, s.sql, s.params);
  if (rows.length === 0) return undefined;
  return { database, table, columns: rows.map(parseColumnRow) };
}

/** One information_schema.COLUMNS row (aliased as in tableColumns()) to a ColumnInfo. */
export function parseColumnRow(row: Record<string, unknown>): ColumnInfo {
  const name = text(row['name']);
  const dataType = text(row['data_type']).toLowerCase();
  const columnType = text(row['column_type']);
  const charset = row['charset'] === null || row['charset'] === undefined ? null : text(row['charset']);
  const extra = row['extra'] === null || row['extra'] === undefined ? '' : text(row['extra']);
  return {
    name,
    dataType,
    columnType,
    charset,
    generated: generatedStorage(extra),
    labels: dataType === 'enum' || dataType === 'set' ? parseEnumLabels(columnType) : undefined,
  };
}

/**
 * EXTRA says 'VIRTUAL GENERATED' / 'STORED GENERATED' (MariaDB also 'PERSISTENT GENERATED');
 * MySQL's 'DEFAULT_GENERATED' marks an expression default, which is an ordinary column.
 */
export function isGeneratedColumn(extra: string): boolean {
  return generatedStorage(extra) !== false;
}

/** How a column is generated, from EXTRA (MariaDB's PERSISTENT is its name for STORED). */
export function generatedStorage(extra: string): false | 'virtual' | 'stored' {
  const m = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.exec(extra);
  if (m === null) return false;
  return (m[1] as string).toUpperCase() === 'VIRTUAL' ? 'virtual' : 'stored';
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number') return String(v);
  throw new Error(`unexpected information_schema value ${JSON.stringify(v)}`);
}
