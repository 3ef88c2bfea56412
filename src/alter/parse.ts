import type { AlterAction, AlterStatement, ColumnDefinition, ColumnPosition, DataType, IndexKind, IndexPart } from './model.js';
import { AlterSyntaxError, isName, isPunct, isWord, tokenize, type Token } from './tokenize.js';

/**
 * Parses `--alter`: a bare clause (`ADD COLUMN c INT, DROP INDEX i`) or a whole `ALTER TABLE t …`
 * statement, with at most one trailing `;`. Every action of MySQL 8.0/9.x's and MariaDB 10.11's
 * ALTER TABLE is recognized by kind; those that matter to the copy (columns, keys) are parsed in
 * full, with MariaDB's IF [NOT] EXISTS. The server still validates the statement on the ghost.
 * https://dev.mysql.com/doc/refman/9.4/en/alter-table.html
 * https://mariadb.com/kb/en/alter-table/
 */
export function parseAlterStatement(sql: string): AlterStatement {
  let tokens = tokenize(sql);
  const semicolon = tokens.findIndex((t) => isPunct(t, ';'));
  if (semicolon >= 0) {
    if (tokens.slice(semicolon).some((t) => !isPunct(t, ';'))) {
      throw new AlterSyntaxError(`the ALTER holds more than one statement (a ";" at character ${(tokens[semicolon] as Token).start + 1}): give one ALTER TABLE`);
    }
    tokens = tokens.slice(0, semicolon);
  }
  let table: AlterStatement['table'];
  let ignore = false;
  // `ALTER [ONLINE] [IGNORE] TABLE …` is a statement; `ALTER [COLUMN] c …` is an action.
  let lead = 1;
  while (isWord(tokens[lead], 'ONLINE', 'IGNORE')) lead++;
  if (isWord(tokens[0], 'ALTER') && !isWord(tokens[lead], 'TABLE') && isWord(tokens[1], 'ONLINE', 'IGNORE', 'VIEW', 'DATABASE', 'SCHEMA', 'EVENT', 'FUNCTION', 'PROCEDURE', 'USER', 'SERVER', 'TABLESPACE', 'LOGFILE', 'INSTANCE', 'DEFINER', 'ALGORITHM', 'SQL', 'SEQUENCE', 'RESOURCE')) {
    throw new AlterSyntaxError('the statement is not an ALTER TABLE: give the ALTER TABLE clause, e.g. "ADD COLUMN c INT"');
  }
  if (isWord(tokens[0], 'ALTER') && isWord(tokens[lead], 'TABLE')) {
    let n = 1;
    for (; n < lead; n++) if (isWord(tokens[n], 'IGNORE')) ignore = true;
    n++;
    if (isWord(tokens[n], 'IF') && isWord(tokens[n + 1], 'EXISTS')) n += 2;
    const first = tokens[n];
    if (!isName(first)) throw new AlterSyntaxError('ALTER TABLE needs a table name');
    if (isPunct(tokens[n + 1], '.') && isName(tokens[n + 2])) {
      table = { database: first.text, name: (tokens[n + 2] as Token).text };
      n += 3;
    } else {
      table = { database: undefined, name: first.text };
      n += 1;
    }
    tokens = tokens.slice(n);
  }
  const actions: AlterAction[] = [];
  for (const group of splitActions(tokens)) actions.push(...parseAction(group));
  return { source: sql, table, ignore, actions };
}

/** Splits at top-level commas; a `PARTITION BY …` / `REMOVE PARTITIONING` tail (written without a comma) is its own action. */
function splitActions(tokens: readonly Token[]): Token[][] {
  const groups: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth < 0) throw new AlterSyntaxError(`the ALTER has an unmatched ")" at character ${t.start + 1}`);
    const current = groups[groups.length - 1] as Token[];
    if (depth === 0 && isPunct(t, ',')) {
      groups.push([]);
      continue;
    }
    const startsTail = depth === 0 && current.length > 0 && (isWord(t, 'PARTITION', 'REMOVE'));
    if (startsTail && isPartitionTail(tokens, t)) groups.push([t]);
    else current.push(t);
  }
  if (depth !== 0) throw new AlterSyntaxError('the ALTER has an unmatched "("');
  const empty = groups.findIndex((g) => g.length === 0);
  if (empty >= 0 && groups.length > 1) throw new AlterSyntaxError('the ALTER has an empty clause (two commas in a row, or one at either end)');
  return groups.filter((g) => g.length > 0);
}

function isPartitionTail(all: readonly Token[], t: Token): boolean {
  const next = all[all.indexOf(t) + 1];
  return (isWord(t, 'PARTITION') && isWord(next, 'BY')) || (isWord(t, 'REMOVE') && isWord(next, 'PARTITIONING'));
}

/** A cursor over one action's tokens. */
class Cursor {
  i = 0;
  constructor(readonly tokens: readonly Token[]) {}
  peek(k = 0): Token | undefined {
    return this.tokens[this.i + k];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Consumes the words in order if they are next; true when it did. */
  accept(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!isWord(this.peek(k), words[k] as string)) return false;
    this.i += words.length;
    return true;
  }
  acceptPunct(p: string): boolean {
    if (!isPunct(this.peek(), p)) return false;
    this.i++;
    return true;
  }
  name(what: string): string {
    const t = this.peek();
    if (t === undefined) throw new AlterSyntaxError(`${clauseText(this.tokens)}: expected ${what} at its end`);
    const seen = t.text;
    if (!isName(t)) throw new AlterSyntaxError(`${clauseText(this.tokens)}: expected ${what} at "${seen}"`);
    this.i++;
    return t.text;
  }
  /** A possibly qualified name `a` or `a.b`: the last part. */
  qualifiedName(what: string): string {
    let n = this.name(what);
    while (isPunct(this.peek(), '.') && isName(this.peek(1))) {
      this.i++;
      n = this.name(what);
    }
    return n;
  }
  /** Skips a balanced `( … )` group if one is next; returns its inner tokens. */
  group(): Token[] | undefined {
    if (!isPunct(this.peek(), '(')) return undefined;
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
    return inner.slice(1);
  }
  ifExists(): boolean {
    return this.accept('IF', 'EXISTS');
  }
  ifNotExists(): boolean {
    return this.accept('IF', 'NOT', 'EXISTS');
  }
}

function clauseText(tokens: readonly Token[]): string {
  const text = tokens.map((t) => t.text).join(' ');
  return `"${text.length > 60 ? `${text.slice(0, 60)}…` : text}"`;
}

function parseAction(tokens: readonly Token[]): AlterAction[] {
  const c = new Cursor(tokens);
  const base = { tokens };
  const first = (c.peek() as Token).text.toUpperCase();
  const rest = (): string => tokens.map((t) => t.text).join(' ');
  switch (first) {
    case 'ADD':
      c.i++;
      return parseAdd(c, tokens);
    case 'DROP':
      c.i++;
      return [parseDrop(c, tokens)];
    case 'MODIFY': {
      c.i++;
      c.accept('COLUMN');
      const ifExists = c.ifExists();
      const name = c.name('a column name');
      const { definition, position } = parseColumnDefinition(c);
      return [{ ...base, kind: 'modify-column', name, definition, ifExists, position }];
    }
    case 'CHANGE': {
      c.i++;
      c.accept('COLUMN');
      const ifExists = c.ifExists();
      const from = c.name('the column to change');
      const to = c.name('the new column name');
      const { definition, position } = parseColumnDefinition(c);
      return [{ ...base, kind: 'change-column', from, to, definition, ifExists, position }];
    }
    case 'RENAME': {
      c.i++;
      if (c.accept('COLUMN')) {
        const ifExists = c.ifExists();
        const from = c.name('the column to rename');
        if (!c.accept('TO')) throw new AlterSyntaxError(`${clauseText(tokens)}: expected RENAME COLUMN a TO b`);
        return [{ ...base, kind: 'rename-column', from, to: c.name('the new column name'), ifExists }];
      }
      if (c.accept('INDEX') || c.accept('KEY')) {
        const from = c.name('the index to rename');
        c.accept('TO');
        return [{ ...base, kind: 'rename-index', from, to: c.name('the new index name') }];
      }
      if (!c.accept('TO')) c.accept('AS');
      return [{ ...base, kind: 'rename-table', to: c.qualifiedName('the new table name') }];
    }
    case 'ALTER': {
      c.i++;
      if (c.accept('INDEX') || c.accept('KEY') || c.accept('CHECK') || c.accept('CONSTRAINT')) return [{ ...base, kind: 'other', what: rest() }];
      c.accept('COLUMN');
      c.ifExists();
      const name = c.name('a column name');
      const change = c.accept('SET', 'DEFAULT')
        ? 'set-default'
        : c.accept('DROP', 'DEFAULT')
          ? 'drop-default'
          : c.accept('SET', 'VISIBLE')
            ? 'visible'
            : c.accept('SET', 'INVISIBLE')
              ? 'invisible'
              : 'other';
      return [{ ...base, kind: 'alter-column', name, change }];
    }
    case 'CONVERT': {
      c.i++;
      c.accept('TO');
      if (!(c.accept('CHARACTER', 'SET') || c.accept('CHARSET'))) throw new AlterSyntaxError(`${clauseText(tokens)}: expected CONVERT TO CHARACTER SET name`);
      c.acceptPunct('=');
      const charset = c.name('a character set');
      let collation: string | undefined;
      if (c.accept('COLLATE')) {
        c.acceptPunct('=');
        collation = c.name('a collation');
      }
      return [{ ...base, kind: 'convert-charset', charset, collation }];
    }
    case 'ALGORITHM':
    case 'LOCK': {
      c.i++;
      c.acceptPunct('=');
      const value = c.name(`a value for ${first}`).toUpperCase();
      return [first === 'ALGORITHM' ? { ...base, kind: 'algorithm', value } : { ...base, kind: 'lock', value }];
    }
    case 'FORCE':
      return [{ ...base, kind: 'force' }];
    case 'PARTITION':
    case 'REMOVE':
    case 'COALESCE':
    case 'REORGANIZE':
    case 'EXCHANGE':
    case 'ANALYZE':
    case 'CHECK':
    case 'OPTIMIZE':
    case 'REBUILD':
    case 'REPAIR':
    case 'TRUNCATE':
    case 'DISCARD':
    case 'IMPORT':
      // CHECK PARTITION / DISCARD PARTITION …: partition maintenance; DISCARD/IMPORT TABLESPACE: other.
      if (tokens.some((t) => isWord(t, 'PARTITION', 'PARTITIONING'))) return [{ ...base, kind: 'partition', operation: rest() }];
      return [{ ...base, kind: 'other', what: rest() }];
    default:
      if (TABLE_OPTIONS.has(first) || (first === 'DEFAULT' && isWord(c.peek(1), 'CHARACTER', 'CHARSET', 'COLLATE'))) {
        return [{ ...base, kind: 'table-option', option: first === 'DEFAULT' ? (c.peek(1) as Token).text.toUpperCase() : first }];
      }
      return [{ ...base, kind: 'other', what: rest() }];
  }
}

const TABLE_OPTIONS = new Set([
  'ENGINE', 'TYPE', 'AUTO_INCREMENT', 'AVG_ROW_LENGTH', 'CHARACTER', 'CHARSET', 'CHECKSUM', 'TABLE_CHECKSUM', 'COLLATE', 'COMMENT',
  'COMPRESSION', 'CONNECTION', 'DATA', 'INDEX', 'DELAY_KEY_WRITE', 'ENCRYPTION', 'ENCRYPTION_KEY_ID', 'ENCRYPTED', 'INSERT_METHOD',
  'KEY_BLOCK_SIZE', 'MAX_ROWS', 'MIN_ROWS', 'PACK_KEYS', 'PAGE_CHECKSUM', 'PAGE_COMPRESSED', 'PAGE_COMPRESSION_LEVEL', 'PASSWORD',
  'ROW_FORMAT', 'STATS_AUTO_RECALC', 'STATS_PERSISTENT', 'STATS_SAMPLE_PAGES', 'STATS_SAMPLE_PAGES', 'TABLESPACE', 'TRANSACTIONAL',
  'UNION', 'ENGINE_ATTRIBUTE', 'SECONDARY_ENGINE', 'SECONDARY_ENGINE_ATTRIBUTE', 'AUTOEXTEND_SIZE', 'IETF_QUOTES', 'SEQUENCE',
]);

function parseAdd(c: Cursor, tokens: readonly Token[]): AlterAction[] {
  const base = { tokens };
  const rest = tokens.map((t) => t.text).join(' ');
  if (isWord(c.peek(), 'PARTITION')) return [{ ...base, kind: 'partition', operation: rest }];
  if (isWord(c.peek(), 'PERIOD', 'SYSTEM')) return [{ ...base, kind: 'other', what: rest }];
  // ADD [CONSTRAINT [symbol]] PRIMARY KEY | UNIQUE | FOREIGN KEY | CHECK
  let constraintName: string | undefined;
  if (c.accept('CONSTRAINT')) {
    c.ifNotExists();
    if (!isWord(c.peek(), 'PRIMARY', 'UNIQUE', 'FOREIGN', 'CHECK')) constraintName = c.name('a constraint name');
  }
  if (c.accept('PRIMARY', 'KEY')) return [{ ...base, kind: 'add-index', index: 'primary', name: 'PRIMARY', parts: indexParts(c, tokens), ifNotExists: false }];
  if (c.accept('FOREIGN', 'KEY')) {
    c.ifNotExists();
    const name = isName(c.peek()) ? c.name('a foreign key name') : constraintName;
    const columns = columnList(c, tokens);
    if (!c.accept('REFERENCES')) throw new AlterSyntaxError(`${clauseText(tokens)}: expected REFERENCES`);
    const parentTable = c.qualifiedName('the referenced table');
    return [{ ...base, kind: 'add-foreign-key', name, columns, parentTable, parentColumns: columnList(c, tokens) }];
  }
  if (isWord(c.peek(), 'CHECK')) return [{ ...base, kind: 'add-check', name: constraintName }];
  let index: IndexKind | undefined;
  if (c.accept('UNIQUE')) index = 'unique';
  else if (c.accept('FULLTEXT')) index = 'fulltext';
  else if (c.accept('SPATIAL')) index = 'spatial';
  else if (isWord(c.peek(), 'INDEX', 'KEY')) index = 'index';
  if (index !== undefined) {
    c.accept('INDEX') || c.accept('KEY');
    const ifNotExists = c.ifNotExists();
    let name = constraintName;
    if (isName(c.peek()) && !isWord(c.peek(), 'USING', 'TYPE')) name = c.name('an index name');
    if (c.accept('USING') || c.accept('TYPE')) c.name('an index type');
    return [{ ...base, kind: 'add-index', index, name, parts: indexParts(c, tokens), ifNotExists }];
  }
  if (constraintName !== undefined) throw new AlterSyntaxError(`${clauseText(tokens)}: expected PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT`);
  // ADD [COLUMN] [IF NOT EXISTS] name definition | ADD [COLUMN] (name definition, …)
  c.accept('COLUMN');
  const ifNotExists = c.ifNotExists();
  if (isPunct(c.peek(), '(')) {
    const columns: AlterAction[] = [];
    for (const part of splitTopLevel(c.group() ?? [])) {
      const pc = new Cursor(part);
      const name = pc.name('a column name');
      const { definition, position } = parseColumnDefinition(pc);
      // The whole `ADD (…)` clause is rebuilt once, from the first column's action.
      columns.push({ tokens: columns.length === 0 ? tokens : [], kind: 'add-column', name, definition, ifNotExists, position });
    }
    return columns;
  }
  const name = c.name('a column name');
  const { definition, position } = parseColumnDefinition(c);
  return [{ ...base, kind: 'add-column', name, definition, ifNotExists, position }];
}

function parseDrop(c: Cursor, tokens: readonly Token[]): AlterAction {
  const base = { tokens };
  const rest = tokens.map((t) => t.text).join(' ');
  if (c.accept('PRIMARY', 'KEY')) return { ...base, kind: 'drop-primary-key' };
  if (c.accept('INDEX') || c.accept('KEY')) {
    const ifExists = c.ifExists();
    return { ...base, kind: 'drop-index', name: c.name('an index name'), ifExists };
  }
  if (c.accept('FOREIGN', 'KEY')) {
    const ifExists = c.ifExists();
    return { ...base, kind: 'drop-foreign-key', name: c.name('a foreign key name'), ifExists };
  }
  if (c.accept('CONSTRAINT') || c.accept('CHECK')) {
    const ifExists = c.ifExists();
    return { ...base, kind: 'drop-constraint', name: c.name('a constraint name'), ifExists };
  }
  if (isWord(c.peek(), 'PARTITION')) return { ...base, kind: 'partition', operation: rest };
  if (isWord(c.peek(), 'SYSTEM', 'PERIOD')) return { ...base, kind: 'other', what: rest };
  c.accept('COLUMN');
  const ifExists = c.ifExists();
  const name = c.name('a column name');
  c.accept('RESTRICT') || c.accept('CASCADE');
  if (!c.done()) throw new AlterSyntaxError(`${clauseText(tokens)}: unexpected "${(c.peek() as Token).text}" after DROP COLUMN ${name}`);
  return { ...base, kind: 'drop-column', name, ifExists };
}

/** Splits tokens at commas outside parentheses; empty parts are dropped. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) parts.push([]);
    else (parts[parts.length - 1] as Token[]).push(t);
  }
  return parts.filter((p) => p.length > 0);
}

function columnList(c: Cursor, tokens: readonly Token[]): string[] {
  const inner = c.group();
  if (inner === undefined) throw new AlterSyntaxError(`${clauseText(tokens)}: expected a column list in parentheses`);
  return inner.filter((t) => isName(t)).map((t) => t.text);
}

function indexParts(c: Cursor, tokens: readonly Token[]): IndexPart[] {
  if (c.accept('USING') || c.accept('TYPE')) c.name('an index type');
  const inner = c.group();
  if (inner === undefined) throw new AlterSyntaxError(`${clauseText(tokens)}: expected the key's columns in parentheses`);
  const parts: IndexPart[] = [];
  for (const [head, open, len] of splitTopLevel(inner)) {
    if (head === undefined) continue;
    if (isPunct(head, '(')) parts.push({ column: undefined, length: undefined });
    else parts.push({ column: head.text, length: isPunct(open, '(') && len?.kind === 'number' ? Number(len.text) : undefined });
  }
  return parts;
}

const TYPE_PAIRS: Readonly<Record<string, readonly string[]>> = {
  DOUBLE: ['PRECISION'],
  CHARACTER: ['VARYING'],
  CHAR: ['VARYING'],
  LONG: ['VARCHAR', 'VARBINARY', 'CHAR', 'BINARY'],
};

function parseDataType(c: Cursor): DataType {
  c.accept('NATIONAL');
  let name = c.name('a data type').toUpperCase();
  const pair = TYPE_PAIRS[name];
  if (pair !== undefined && isWord(c.peek(), ...pair)) name = `${name} ${c.name("a data type").toUpperCase()}`;
  if (name === 'CHARACTER VARYING' || name === 'CHAR VARYING') name = 'VARCHAR';
  const inner = c.group();
  const args: string[] = [];
  if (inner !== undefined) {
    let current = '';
    for (const t of inner) {
      if (isPunct(t, ',')) {
        args.push(current);
        current = '';
      } else current += t.kind === 'string' ? unescapeString(t.text) : t.text;
    }
    args.push(current);
  }
  let unsigned = false;
  let charset: string | undefined;
  let collation: string | undefined;
  for (;;) {
    if (c.accept('UNSIGNED')) unsigned = true;
    else if (c.accept('SIGNED') || c.accept('ZEROFILL')) continue;
    else if (c.accept('CHARACTER', 'SET') || c.accept('CHARSET')) {
      c.acceptPunct('=');
      charset = c.name('a character set').toLowerCase();
    } else if (c.accept('COLLATE')) {
      c.acceptPunct('=');
      collation = c.name('a collation').toLowerCase();
    } else if (isWord(c.peek(), 'BINARY', 'ASCII', 'UNICODE', 'BYTE') && !isWord(c.peek(1), 'KEY')) c.i++;
    else break;
  }
  return { name, args, unsigned, charset, collation };
}

/** A column definition after its name: data type, then attributes in any order, then FIRST / AFTER. */
function parseColumnDefinition(c: Cursor): { definition: ColumnDefinition; position: ColumnPosition } {
  const from = c.i;
  const type = parseDataType(c);
  let { charset, collation } = type;
  let nullable: boolean | undefined;
  let def: ColumnDefinition['default'] = 'none';
  let autoIncrement = false;
  let generated: ColumnDefinition['generated'];
  let inlineKey: ColumnDefinition['inlineKey'];
  let position: ColumnPosition;
  while (!c.done()) {
    if (c.accept('NOT', 'NULL')) nullable = false;
    else if (c.accept('NULL')) nullable = true;
    else if (c.accept('DEFAULT')) def = parseDefault(c);
    else if (c.accept('AUTO_INCREMENT')) autoIncrement = true;
    else if (c.accept('PRIMARY', 'KEY') || c.accept('KEY')) inlineKey = 'primary';
    else if (c.accept('UNIQUE')) {
      c.accept('KEY') || c.accept('INDEX');
      inlineKey ??= 'unique';
    } else if (c.accept('GENERATED', 'ALWAYS', 'AS') || c.accept('AS')) {
      c.group();
      generated = 'virtual';
    } else if (c.accept('VIRTUAL')) generated = 'virtual';
    else if (c.accept('STORED') || c.accept('PERSISTENT')) generated = 'stored';
    else if (c.accept('CHARACTER', 'SET') || c.accept('CHARSET')) {
      c.acceptPunct('=');
      charset = c.name('a character set').toLowerCase();
    } else if (c.accept('COLLATE')) {
      c.acceptPunct('=');
      collation = c.name('a collation').toLowerCase();
    } else if (c.accept('FIRST')) position = { kind: 'first' };
    else if (c.accept('AFTER')) position = { kind: 'after', column: c.name('the column to place it after') };
    else if (c.accept('ON', 'UPDATE')) {
      c.i++;
      c.group();
    } else if (c.accept('REFERENCES')) {
      c.qualifiedName('the referenced table');
      c.group();
    } else {
      // COMMENT 'x', COLUMN_FORMAT, STORAGE, VISIBLE, CHECK (…), SRID n, ENGINE_ATTRIBUTE …: they do
      // not change which values the column holds; skipped with their parenthesized part.
      c.i++;
      c.group();
    }
  }
  const tokens = c.tokens.slice(from, c.i);
  return { definition: { type: { ...type, charset, collation }, nullable, default: def, autoIncrement, generated, inlineKey, tokens }, position };
}

function parseDefault(c: Cursor): ColumnDefinition['default'] {
  const t = c.peek();
  // `DEFAULT` with nothing after it: the server's error on the ghost says it best.
  if (t === undefined) return 'literal';
  if (isPunct(t, '(')) {
    c.group();
    return 'expression';
  }
  c.i++;
  if (isWord(t, 'NULL')) return 'null';
  if (isPunct(t, '-') || isPunct(t, '+')) {
    c.i++;
    return 'literal';
  }
  if (t.kind === 'string' || t.kind === 'number' || isWord(t, 'TRUE', 'FALSE')) return 'literal';
  // b'101', x'FF', _utf8mb4'…', N'…': a word glued to a string.
  if (t.kind === 'word' && c.peek()?.kind === 'string' && (c.peek() as Token).start === t.end) {
    c.i++;
    return 'literal';
  }
  // CURRENT_TIMESTAMP[(n)], NOW(), LOCALTIME …
  c.group();
  return 'expression';
}

/** The value of a string literal's text (as the tokenizer keeps it: escapes and doubled quotes resolved here). */
export function unescapeString(raw: string): string {
  const map: Readonly<Record<string, string>> = { '0': '\0', "'": "'", '"': '"', b: '\b', n: '\n', r: '\r', t: '\t', Z: '\x1a', '\\': '\\' };
  return raw.replace(/\\(.)/gsu, (_m, ch: string) => map[ch] ?? (ch === '%' || ch === '_' ? `\\${ch}` : ch));
}
