import { splitStatements } from '../alter/split.js';
import { parseMigrationStatement, type MigrationStatement } from '../alter/statement.js';
import { tokenize } from '../alter/tokenize.js';
import { describeError } from '../errors.js';

/** What `--statement` stands for: the table (and its database) and the change, as an ALTER TABLE. */
export interface StatementTarget {
  readonly database: string;
  readonly table: string;
  /** The change as `ALTER TABLE [db.]t …`: what --alter would hold (src/inspect/plan.ts reads it the same way). */
  readonly alter: string;
  /** A statement list's further statements: more tables, swapped with the first in one cut-over. */
  readonly also: readonly { readonly table: string; readonly alter: string }[];
}

const TAKES = 'give one ALTER TABLE, CREATE [UNIQUE] INDEX or DROP INDEX statement';

/**
 * `--statement "CREATE INDEX i ON t (a)"` instead of `--table t --alter "ADD INDEX i (a)"`: the
 * statement people write, read as lint reads it (src/alter/statement.ts) — CREATE INDEX and DROP
 * INDEX are the ALTER TABLE they are — and then run exactly as that ALTER. The database comes from a
 * qualified name `db.t`, or else --database. Problems go to `errors` (every one at once); the
 * returned target is then empty.
 */
export function readStatementOption(
  raw: { readonly statement?: string | undefined; readonly database?: string | undefined; readonly table?: string | undefined; readonly alter?: string | undefined },
  errors: string[],
): StatementTarget {
  const none: StatementTarget = { database: '', table: '', alter: '', also: [] };
  // `--statement A --statement B` is the list `A; B`: several tables, one cut-over.
  const given: unknown = raw.statement;
  const alsoGiven = [raw.table === undefined ? undefined : '--table', raw.alter === undefined ? undefined : '--alter'].filter((f) => f !== undefined);
  if (alsoGiven.length > 0) {
    errors.push(`--statement names its table and its change: give it without ${alsoGiven.join(' and ')}`);
    return none;
  }
  const text = Array.isArray(given) ? given.map(String).join(';\n') : String(given ?? '');
  const targets: { database: string | undefined; table: string; alter: string }[] = [];
  try {
    const parts = splitStatements(text);
    if (parts.length === 0) {
      errors.push(`--statement is empty: ${TAKES}`);
      return none;
    }
    for (const part of parts) {
      const sql = part.text;
      // The server runs an executable comment's content: refused here as in --alter (lint reads it unwrapped).
      tokenize(sql);
      const statement: MigrationStatement = parseMigrationStatement(sql);
      if (statement.kind !== 'alter') {
        errors.push(`--statement: ${describeKind(statement)} is not a change oschange runs online; ${TAKES}`);
        return none;
      }
      targets.push({ database: statement.table.database, table: statement.table.name, alter: statement.form === 'alter-table' ? sql : statement.alter.source });
    }
  } catch (err) {
    errors.push(`--statement: ${describeError(err)}`);
    return none;
  }
  const named = [...new Set(targets.flatMap((t) => (t.database === undefined ? [] : [t.database])))];
  if (named.length > 1) {
    errors.push(`--statement names tables in ${named.join(' and ')}: the tables of one run are in one database`);
    return none;
  }
  const first = named[0];
  const qualified = targets.find((t) => t.database !== undefined);
  if (first !== undefined && raw.database !== undefined && first !== raw.database) {
    errors.push(`--statement names table ${first}.${qualified?.table ?? ''} but --database is ${raw.database}: give one database`);
    return none;
  }
  const database = first ?? raw.database;
  if (database === undefined || database.trim() === '') {
    errors.push(`--database is required (or name the table as database.table in --statement)`);
    return none;
  }
  const [head, ...rest] = targets as [(typeof targets)[number], ...typeof targets];
  return { database, table: head.table, alter: head.alter, also: rest.map((t) => ({ table: t.table, alter: t.alter })) };
}

/** `DROP TABLE`, `CREATE TABLE`, … for a message. */
function describeKind(s: Exclude<MigrationStatement, { kind: 'alter' }>): string {
  switch (s.kind) {
    case 'create-table':
      return s.temporary ? 'CREATE TEMPORARY TABLE' : 'CREATE TABLE';
    case 'drop-table':
      return s.temporary ? 'DROP TEMPORARY TABLE' : 'DROP TABLE';
    case 'rename-table':
      return 'RENAME TABLE';
    case 'other':
      return s.verb === '' ? 'this statement' : s.verb;
  }
}
