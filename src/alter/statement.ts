import type { AlterStatement } from './model.js';
import { parseAlterStatement } from './parse.js';
import { unwrapExecutableComments } from './split.js';
import { AlterSyntaxError, isName, isPunct, isWord, tokenize, type Token } from './tokenize.js';

export interface TableName {
  readonly database: string | undefined;
  readonly name: string;
}

/**
 * One statement of a migration, as lint reads it. Everything that changes a table's columns or
 * keys becomes an ALTER TABLE model (src/alter/model.ts), whatever its form: `CREATE INDEX i ON t
 * (…)` is `ALTER TABLE t ADD INDEX i (…)`, `DROP INDEX i ON t` is `ALTER TABLE t DROP INDEX i`, and
 * a CREATE TABLE's definitions are ADD actions — so each rule is written once, against the model.
 */
export type MigrationStatement =
  | {
      readonly kind: 'alter';
      /** How it was written: `clause` is a bare `--alter` clause for `--table`. */
      readonly form: 'alter-table' | 'create-index' | 'drop-index' | 'clause';
      readonly table: TableName;
      readonly alter: AlterStatement;
    }
  | {
      readonly kind: 'create-table';
      readonly table: TableName;
      readonly temporary: boolean;
      /** Its column and key definitions as ADD actions; undefined for `LIKE other` / `AS SELECT …`. */
      readonly alter: AlterStatement | undefined;
    }
  | { readonly kind: 'drop-table'; readonly tables: readonly TableName[]; readonly temporary: boolean; readonly ifExists: boolean }
  | { readonly kind: 'rename-table'; readonly pairs: readonly { readonly from: TableName; readonly to: TableName }[] }
  /** Anything else (INSERT, UPDATE, SET, CREATE VIEW, …): its first word and every name it mentions (lower case). */
  | { readonly kind: 'other'; readonly verb: string; readonly names: ReadonlySet<string> };

/** Reads one statement of a migration file (as splitStatements gives it). Throws AlterSyntaxError on an ALTER it cannot read. */
export function parseMigrationStatement(text: string): MigrationStatement {
  const sql = unwrapExecutableComments(text);
  const tokens = tokenize(sql).filter((t, i, all) => !(isPunct(t, ';') && i === all.length - 1));
  const c = new Reader(tokens);
  if (c.accept('ALTER')) {
    while (c.accept('ONLINE') || c.accept('IGNORE'));
    if (c.accept('TABLE')) {
      const alter = parseAlterStatement(sql);
      return { kind: 'alter', form: 'alter-table', table: alter.table as TableName, alter };
    }
  }
  c.i = 0;
  if (c.accept('CREATE')) {
    c.accept('OR', 'REPLACE');
    c.accept('ONLINE') || c.accept('OFFLINE');
    const kind = c.accept('UNIQUE') ? 'UNIQUE ' : c.accept('FULLTEXT') ? 'FULLTEXT ' : c.accept('SPATIAL') ? 'SPATIAL ' : '';
    if (c.accept('INDEX')) return createIndex(sql, c, kind);
    c.i = 1;
    c.accept('OR', 'REPLACE');
    const temporary = c.accept('TEMPORARY');
    if (c.accept('TABLE')) return createTable(sql, c, temporary);
  }
  c.i = 0;
  if (c.accept('DROP')) {
    if (c.accept('INDEX')) return dropIndex(sql, c);
    const temporary = c.accept('TEMPORARY');
    if (c.accept('TABLE') || c.accept('TABLES')) {
      const ifExists = c.accept('IF', 'EXISTS');
      const tables: TableName[] = [c.table()];
      while (c.acceptPunct(',')) tables.push(c.table());
      return { kind: 'drop-table', tables, temporary, ifExists };
    }
  }
  c.i = 0;
  if (c.accept('RENAME') && (c.accept('TABLE') || c.accept('TABLES'))) {
    const pairs: { from: TableName; to: TableName }[] = [];
    do {
      const from = c.table();
      if (!c.accept('TO')) throw new AlterSyntaxError('RENAME TABLE: expected "a TO b"');
      pairs.push({ from, to: c.table() });
    } while (c.acceptPunct(','));
    return { kind: 'rename-table', pairs };
  }
  const names = new Set(tokens.filter((t) => isName(t)).map((t) => t.text.toLowerCase()));
  return { kind: 'other', verb: (tokens[0]?.text ?? '').toUpperCase(), names };
}

/** `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX [IF NOT EXISTS] i [USING t] ON tbl (…) [options] [ALGORITHM=…] [LOCK=…]` */
function createIndex(sql: string, c: Reader, kind: string): MigrationStatement {
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS') ? 'IF NOT EXISTS ' : '';
  const name = c.next('an index name');
  const using = c.accept('USING') || c.accept('TYPE') ? ` USING ${c.next('an index type').text}` : '';
  if (!c.accept('ON')) throw new AlterSyntaxError('CREATE INDEX: expected "ON table"');
  const tableFrom = c.i;
  const table = c.table();
  const tableText = c.source(sql, tableFrom, c.i);
  const { clause, options } = splitOptions(sql, c);
  const alter = `ALTER TABLE ${tableText} ADD ${kind}INDEX ${ifNotExists}${sql.slice(name.start, name.end)}${using} ${clause}${options}`;
  return { kind: 'alter', form: 'create-index', table, alter: parseAlterStatement(alter) };
}

/** `DROP INDEX [IF EXISTS] i ON tbl [ALGORITHM=…] [LOCK=…]` */
function dropIndex(sql: string, c: Reader): MigrationStatement {
  const ifExists = c.accept('IF', 'EXISTS') ? 'IF EXISTS ' : '';
  const name = c.next('an index name');
  if (!c.accept('ON')) throw new AlterSyntaxError('DROP INDEX: expected "ON table"');
  const tableFrom = c.i;
  const table = c.table();
  const tableText = c.source(sql, tableFrom, c.i);
  const { clause, options } = splitOptions(sql, c);
  const alter = `ALTER TABLE ${tableText} DROP INDEX ${ifExists}${sql.slice(name.start, name.end)}${clause === '' ? '' : ` ${clause}`}${options}`;
  return { kind: 'alter', form: 'drop-index', table, alter: parseAlterStatement(alter) };
}

/** The rest of a CREATE/DROP INDEX: its own text, and its ALGORITHM/LOCK options as ALTER actions (`, ALGORITHM=INPLACE`). */
function splitOptions(sql: string, c: Reader): { clause: string; options: string } {
  const runs: string[] = [];
  let run: { start: number; end: number } | undefined;
  let options = '';
  const flush = (): void => {
    if (run !== undefined) runs.push(sql.slice(run.start, run.end));
    run = undefined;
  };
  while (!c.done()) {
    if (isWord(c.peek(), 'ALGORITHM', 'LOCK')) {
      flush();
      const word = (c.peek() as Token).text.toUpperCase();
      c.i++;
      c.acceptPunct('=');
      options += `, ${word}=${c.next(`a value for ${word}`).text}`;
    } else if (isWord(c.peek(), 'WAIT', 'NOWAIT')) {
      // MariaDB's WAIT n / NOWAIT: how long to wait for the lock, not part of the change.
      flush();
      c.i += isWord(c.peek(), 'WAIT') ? 2 : 1;
    } else {
      const t = c.peek() as Token;
      run = { start: run?.start ?? t.start, end: t.end };
      c.i++;
    }
  }
  flush();
  return { clause: runs.join(' '), options };
}

const KEY_DEFINITION = ['PRIMARY', 'UNIQUE', 'KEY', 'INDEX', 'FULLTEXT', 'SPATIAL', 'CONSTRAINT', 'FOREIGN', 'CHECK'];

/**
 * `CREATE TABLE t (a INT, …, PRIMARY KEY (a)) …`: the definitions become `ALTER TABLE t ADD COLUMN a
 * INT, …, ADD PRIMARY KEY (a)`, so the column rules read them as they read an ALTER. A definition the
 * model cannot read leaves `alter` undefined: the statement is then judged as a new table only.
 */
function createTable(sql: string, c: Reader, temporary: boolean): MigrationStatement {
  c.accept('IF', 'NOT', 'EXISTS');
  const tableFrom = c.i;
  const table = c.table();
  const tableText = c.source(sql, tableFrom, c.i);
  if (!isPunct(c.peek(), '(')) return { kind: 'create-table', table, temporary, alter: undefined };
  const inner = c.group();
  if (isWord(inner[0], 'LIKE')) return { kind: 'create-table', table, temporary, alter: undefined };
  const defs: string[] = [];
  let depth = 0;
  let start: Token | undefined;
  let last: Token | undefined;
  const flush = (): void => {
    if (start === undefined || last === undefined) return;
    const text = sql.slice(start.start, last.end);
    // PERIOD FOR SYSTEM_TIME (…) (MariaDB): neither a column nor a key.
    if (isWord(start, 'PERIOD') && isWord(inner[inner.indexOf(start) + 1], 'FOR')) return;
    // The words that start a key are reserved: a column of that name is always quoted.
    defs.push(isWord(start, ...KEY_DEFINITION) ? `ADD ${text}` : `ADD COLUMN ${text}`);
  };
  for (const t of inner) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) {
      flush();
      start = undefined;
      continue;
    }
    start ??= t;
    last = t;
  }
  flush();
  try {
    const alter = parseAlterStatement(`ALTER TABLE ${tableText} ${defs.join(', ')}`);
    return { kind: 'create-table', table, temporary, alter };
  } catch {
    return { kind: 'create-table', table, temporary, alter: undefined };
  }
}

/** A cursor over a statement's tokens. */
class Reader {
  i = 0;
  constructor(readonly tokens: readonly Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!isWord(this.tokens[this.i + k], words[k] as string)) return false;
    this.i += words.length;
    return true;
  }
  acceptPunct(p: string): boolean {
    if (!isPunct(this.peek(), p)) return false;
    this.i++;
    return true;
  }
  next(what: string): Token {
    const t = this.peek();
    if (t === undefined) throw new AlterSyntaxError(`expected ${what} at the end`);
    const seen = t.text;
    if (!isName(t)) throw new AlterSyntaxError(`expected ${what} at "${seen}"`);
    this.i++;
    return t;
  }
  /** `name` or `db.name`. */
  table(): TableName {
    const first = this.next('a table name');
    if (isPunct(this.peek(), '.') && isName(this.tokens[this.i + 1])) {
      this.i++;
      return { database: first.text, name: this.next('a table name').text };
    }
    return { database: undefined, name: first.text };
  }
  /** The balanced `( … )` group next: its inner tokens. */
  group(): Token[] {
    const inner: Token[] = [];
    let depth = 0;
    for (; !this.done(); this.i++) {
      const t = this.peek() as Token;
      if (isPunct(t, '(')) depth++;
      if (isPunct(t, ')')) depth--;
      if (depth === 0) {
        this.i++;
        return inner.slice(1);
      }
      inner.push(t);
    }
    throw new AlterSyntaxError('unmatched "("');
  }
  /** The source text of tokens [from, to). */
  source(sql: string, from: number, to: number): string {
    const a = this.tokens[from];
    const b = this.tokens[to - 1];
    return a === undefined || b === undefined ? '' : sql.slice(a.start, b.end);
  }
}
