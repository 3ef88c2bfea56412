/**
 * The one place identifiers are quoted. MySQL and MariaDB both quote identifiers with backticks,
 * and a backtick inside a name is written twice.
 * https://dev.mysql.com/doc/refman/9.4/en/identifiers.html
 */
export function quoteId(name: string): string {
  if (name.length === 0) throw new Error('empty identifier');
  if (name.includes('\u0000')) throw new Error('identifier contains a NUL character');
  return '`' + name.replaceAll('`', '``') + '`';
}

/** `db`.`table` */
export function quoteTable(database: string, table: string): string {
  return `${quoteId(database)}.${quoteId(table)}`;
}

/** A compiled statement: SQL text with `?` placeholders and its values. */
export interface Statement {
  readonly sql: string;
  readonly params: readonly unknown[];
}

export function stmt(sql: string, params: readonly unknown[] = []): Statement {
  return { sql, params };
}
