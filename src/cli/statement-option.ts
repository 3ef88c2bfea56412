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
  const none: StatementTarget = { database: '', table: '', alter: '' };
  const given: unknown = raw.statement;
  if (Array.isArray(given)) {
    errors.push(`--statement is given ${given.length} times: give it once (one statement per run)`);
    return none;
  }
  const alsoGiven = [raw.table === undefined ? undefined : '--table', raw.alter === undefined ? undefined : '--alter'].filter((f) => f !== undefined);
  if (alsoGiven.length > 0) {
    errors.push(`--statement names its table and its change: give it without ${alsoGiven.join(' and ')}`);
    return none;
  }
  const text = String(given ?? '');
  let statement: MigrationStatement;
  let sql: string;
  try {
    const parts = splitStatements(text);
    if (parts.length !== 1) {
      errors.push(parts.length === 0 ? `--statement is empty: ${TAKES}` : `--statement holds ${parts.length} statements: ${TAKES} per run`);
      return none;
    }
    sql = (parts[0] as { text: string }).text;
    // The server runs an executable comment's content: refused here as in --alter (lint reads it unwrapped).
    tokenize(sql);
    statement = parseMigrationStatement(sql);
  } catch (err) {
    errors.push(`--statement: ${describeError(err)}`);
    return none;
  }
  if (statement.kind !== 'alter') {
    errors.push(`--statement: ${describeKind(statement)} is not a change oschange runs online; ${TAKES}`);
    return none;
  }
  const named = statement.table.database;
  if (named !== undefined && raw.database !== undefined && named !== raw.database) {
    errors.push(`--statement names table ${named}.${statement.table.name} but --database is ${raw.database}: give one database`);
    return none;
  }
  const database = named ?? raw.database;
  if (database === undefined || database.trim() === '') {
    errors.push(`--database is required (or name the table as database.table in --statement)`);
    return none;
  }
  return { database, table: statement.table.name, alter: statement.form === 'alter-table' ? sql : statement.alter.source };
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
