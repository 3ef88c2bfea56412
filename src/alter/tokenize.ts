import { ExitCode, OschangeError } from '../errors.js';

/**
 * The lexer of MySQL/MariaDB SQL as oschange's own sessions read it (src/db/session.ts: no
 * ANSI_QUOTES, no NO_BACKSLASH_ESCAPES): `'…'` and `"…"` are strings with backslash escapes and
 * doubled quotes, `` `…` `` an identifier with doubled backticks, and `#…`, `-- …` (two dashes and
 * whitespace) and `/* … *\/` are comments. Every token keeps its place in the source, so a
 * statement can be rebuilt from its tokens without its comments (src/alter/render.ts).
 * https://dev.mysql.com/doc/refman/9.4/en/comments.html
 * https://dev.mysql.com/doc/refman/9.4/en/string-literals.html
 */
export type TokenKind = 'word' | 'ident' | 'string' | 'number' | 'punct';

export interface Token {
  readonly kind: TokenKind;
  /** Words and identifiers: the name (unquoted); strings: the value between the quotes, escapes kept; others: the text. */
  readonly text: string;
  /** Where the token starts and ends in the source (end exclusive). */
  readonly start: number;
  readonly end: number;
}

/** The --alter text cannot be read safely: where and why. */
export class AlterSyntaxError extends OschangeError {
  constructor(message: string) {
    super('ALTER_SYNTAX', message, { exitCode: ExitCode.usage });
    this.name = 'AlterSyntaxError';
  }
}

const WORD = /[\p{L}\p{N}_$]/u;
const SPACE = /\s/;
const DIGIT = /[0-9]/;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const at = (n: number): string => sql[n] ?? '';
  while (i < sql.length) {
    const ch = at(i);
    const start = i;
    if (SPACE.test(ch)) {
      i++;
    } else if (ch === '#' || (ch === '-' && at(i + 1) === '-' && (i + 2 >= sql.length || SPACE.test(at(i + 2)) || at(i + 2) < ' '))) {
      while (i < sql.length && at(i) !== '\n') i++;
    } else if (ch === '/' && at(i + 1) === '*') {
      // `/*! … */` (MySQL) and `/*M! … */` (MariaDB) are not comments: the server runs what is
      // inside. Stripping them would change the statement, keeping them would hide SQL from us.
      if (at(i + 2) === '!' || (at(i + 2) === 'M' && at(i + 3) === '!')) {
        throw new AlterSyntaxError(`the ALTER holds an executable comment (${sql.slice(i, i + 12)}…) at character ${i + 1}: write its content as plain SQL`);
      }
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new AlterSyntaxError(`the ALTER has a comment opened at character ${i + 1} (/*) that is never closed (*/)`);
      i = end + 2;
    } else if (ch === '`') {
      let text = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new AlterSyntaxError(`the ALTER has an identifier opened at character ${start + 1} (\`) that is never closed`);
        if (at(i) === '`') {
          if (at(i + 1) === '`') {
            text += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += at(i++);
      }
      tokens.push({ kind: 'ident', text, start, end: i });
    } else if (ch === "'" || ch === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw new AlterSyntaxError(`the ALTER has a string opened at character ${start + 1} (${ch}) that is never closed`);
        const c = at(i);
        if (c === '\\') {
          text += sql.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === ch) {
          if (at(i + 1) === ch) {
            text += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += c;
        i++;
      }
      tokens.push({ kind: 'string', text, start, end: i });
    } else if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(at(i + 1)))) {
      // 12, 1.5, .5, 1e3, 0x1F — a number, unless letters follow (`1abc` is an identifier in MySQL).
      while (i < sql.length && (WORD.test(at(i)) || (at(i) === '.' && DIGIT.test(at(i + 1))))) i++;
      if ((at(i - 1) === 'e' || at(i - 1) === 'E') && (at(i) === '+' || at(i) === '-') && DIGIT.test(at(i + 1))) {
        i++;
        while (i < sql.length && DIGIT.test(at(i))) i++;
      }
      const text = sql.slice(start, i);
      tokens.push({ kind: /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^0x[0-9a-fA-F]+$|^0b[01]+$/.test(text) ? 'number' : 'word', text, start, end: i });
    } else if (WORD.test(ch)) {
      while (i < sql.length && WORD.test(at(i))) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i), start, end: i });
    } else {
      tokens.push({ kind: 'punct', text: ch, start, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/** True when the token is one of these keywords (case-insensitive; quoted identifiers never are). */
export function isWord(t: Token | undefined, ...words: readonly string[]): boolean {
  return t !== undefined && t.kind === 'word' && words.includes(t.text.toUpperCase());
}

/** A name: a bare word or a quoted identifier. */
export function isName(t: Token | undefined): t is Token {
  return t !== undefined && (t.kind === 'ident' || t.kind === 'word');
}

export function isPunct(t: Token | undefined, text: string): boolean {
  return t !== undefined && t.kind === 'punct' && t.text === text;
}
