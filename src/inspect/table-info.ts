import type { Connection } from '../db/connect.js';
import { queryRows } from '../db/connect.js';
import { tableColumns, tableForeignKeys, tableIndexes, tableStatus, tableTriggers } from '../sql/inspect.js';

export interface Column {
  readonly name: string;
  /** e.g. `int`, `varchar`, `datetime` (lower case). */
  readonly dataType: string;
  /** e.g. `int unsigned`, `varchar(20)`. */
  readonly columnType: string;
  readonly nullable: boolean;
  /** VIRTUAL or STORED generated: never copied, never written. */
  readonly generated: boolean;
  /**
   * How a generated column is computed, as the server reports it (information_schema.COLUMNS EXTRA and
   * GENERATION_EXPRESSION); undefined for ordinary columns. A STORED one may be in the shared key
   * (docs/design.md, "The shared key").
   */
  readonly generation?: Generation;
  readonly charset: string | null;
  /** The column's collation (string columns only): it decides the order of a key on the column. */
  readonly collation: string | null;
}

export interface Generation {
  /** STORED (MariaDB also says PERSISTENT) values are kept in the row and in the binlog; VIRTUAL ones are computed on read. */
  readonly storage: 'stored' | 'virtual';
  /** The expression as the server prints it: MySQL `(`a` * 2)`, MariaDB `` `a` * 2 ``. */
  readonly expression: string;
}

export interface Index {
  readonly name: string;
  readonly unique: boolean;
  readonly columns: readonly string[];
  /** Prefix lengths, column by column (undefined: the whole column). */
  readonly lengths: readonly (number | undefined)[];
  /** True when any column is only indexed by a prefix, or the index is on an expression. */
  readonly partial: boolean;
}

export interface ForeignKey {
  readonly name: string;
  readonly childTable: string;
  readonly parentTable: string;
}

export interface TableInfo {
  readonly database: string;
  readonly name: string;
  readonly engine: string;
  readonly rowEstimate: number;
  readonly columns: readonly Column[];
  readonly indexes: readonly Index[];
  readonly foreignKeys: readonly ForeignKey[];
  readonly triggers: readonly string[];
}

/**
 * A generated column's storage and expression from information_schema.COLUMNS. EXTRA says `VIRTUAL
 * GENERATED` or `STORED GENERATED` (MariaDB may say `PERSISTENT GENERATED`); MySQL's
 * `DEFAULT_GENERATED` marks an expression default, an ordinary column.
 * https://dev.mysql.com/doc/refman/9.4/en/information-schema-columns-table.html
 * https://mariadb.com/kb/en/information-schema-columns-table/
 */
export function parseGeneration(extra: string, expression: unknown): Generation | undefined {
  const m = /\b(VIRTUAL|STORED|PERSISTENT) GENERATED\b/i.exec(extra);
  if (m === null) return undefined;
  const text = Buffer.isBuffer(expression) ? expression.toString('utf8') : expression === null || expression === undefined ? '' : String(expression);
  return { storage: (m[1] as string).toUpperCase() === 'VIRTUAL' ? 'virtual' : 'stored', expression: text };
}

/** Reads a table's shape; undefined when there is no such base table. */
export async function readTableInfo(conn: Connection, database: string, table: string): Promise<TableInfo | undefined> {
  // MySQL 8+ caches TABLE_ROWS for a day by default; the row estimate should be today's.
  // https://dev.mysql.com/doc/refman/9.4/en/server-system-variables.html#sysvar_information_schema_stats_expiry
  await conn.query('SET SESSION information_schema_stats_expiry = 0').catch(() => undefined);
  const st = tableStatus(database, table);
  const [status] = await queryRows(conn, st.sql, st.params);
  if (status === undefined || String(status['table_type']) !== 'BASE TABLE') return undefined;
  const c = tableColumns(database, table);
  const columns = (await queryRows(conn, c.sql, c.params)).map((r): Column => {
    const generation = parseGeneration(String(r['extra'] ?? ''), r['generation_expression']);
    return {
      name: String(r['name']),
      dataType: String(r['data_type']).toLowerCase(),
      columnType: String(r['column_type']).toLowerCase(),
      nullable: String(r['is_nullable']) === 'YES',
      generated: generation !== undefined,
      ...(generation === undefined ? {} : { generation }),
      charset: r['charset'] === null || r['charset'] === undefined ? null : String(r['charset']),
      collation: r['collation'] === null || r['collation'] === undefined ? null : String(r['collation']),
    };
  });
  const i = tableIndexes(database, table);
  const byName = new Map<string, { unique: boolean; columns: string[]; lengths: (number | undefined)[]; partial: boolean }>();
  for (const r of await queryRows(conn, i.sql, i.params)) {
    const name = String(r['index_name']);
    const entry = byName.get(name) ?? { unique: String(r['non_unique']) === '0', columns: [], lengths: [], partial: false };
    const col = r['column_name'];
    if (col === null || col === undefined) entry.partial = true;
    else {
      entry.columns.push(String(col));
      entry.lengths.push(r['sub_part'] === null || r['sub_part'] === undefined ? undefined : Number(r['sub_part']));
    }
    if (r['sub_part'] !== null && r['sub_part'] !== undefined) entry.partial = true;
    byName.set(name, entry);
  }
  const indexes = [...byName.entries()].map(([name, e]): Index => ({ name, ...e }));
  // PRIMARY first, then the other indexes in name order: the shared-key choice is deterministic.
  indexes.sort((a, b) => (a.name === 'PRIMARY' ? -1 : b.name === 'PRIMARY' ? 1 : a.name.localeCompare(b.name)));
  const f = tableForeignKeys(database, table);
  const foreignKeys = (await queryRows(conn, f.sql, f.params)).map(
    (r): ForeignKey => ({ name: String(r['name']), childTable: String(r['child_table']), parentTable: String(r['parent_table']) }),
  );
  const t = tableTriggers(database, table);
  const triggers = (await queryRows(conn, t.sql, t.params)).map((r) => String(r['name']));
  return {
    database,
    name: table,
    engine: String(status['engine'] ?? ''),
    rowEstimate: Number(status['table_rows'] ?? 0),
    columns,
    indexes,
    foreignKeys,
    triggers,
  };
}
