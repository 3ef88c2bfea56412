import { AlterSyntaxError } from './tokenize.js';

/** One statement of a migration file: its text (without the delimiter) and where it starts. */
export interface SqlStatement {
  readonly text: string;
  /** Offset of its first character in the file. */
  readonly start: number;
  /** 1-based line and column of its first character. */
  readonly line: number;
  readonly column: number;
}

/**
 * Splits a migration file into statements as the mysql client does: at the delimiter (`;`, or
 * what a `DELIMITER $$` line sets, as files with procedures and triggers use), never inside a
 * string, a quoted identifier or a comment. A `/*! … *\/` executable comment is code to the
 * server, so it is kept, whole, in its statement. Comments between statements are dropped; an
 * unclosed quote or comment is an error that names its line.
 * https://dev.mysql.com/doc/refman/9.4/en/mysql-commands.html (delimiter)
 */
export function splitStatements(sql: string): SqlStatement[] {
  const lines = lineStarts(sql);
  const out: SqlStatement[] = [];
  let delimiter = ';';
  let first = -1; // offset of the current statement's first code character
  let i = 0;
  const at = (n: number): string => sql[n] ?? '';
  const finish = (end: number): void => {
    if (first >= 0) {
      const text = sql.slice(first, end).trimEnd();
      if (text !== '') out.push({ text, start: first, ...position(lines, first) });
    }
    first = -1;
  };
  while (i < sql.length) {
    // `DELIMITER x` is a client command, alone on its line, between statements.
    if (first < 0 && (i === 0 || at(i - 1) === '\n')) {
      const m = /^[ \t]*delimiter[ \t]+(\S+)[ \t]*(?:\r?\n|$)/i.exec(sql.slice(i, sql.indexOf('\n', i) < 0 ? sql.length : sql.indexOf('\n', i) + 1));
      if (m !== null) {
        delimiter = m[1] as string;
        i += m[0].length;
        continue;
      }
    }
    const ch = at(i);
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const skipped = skipNonCode(sql, i, lines);
    if (skipped.kind === 'comment') {
      i = skipped.end;
      continue;
    }
    if (sql.startsWith(delimiter, i)) {
      finish(i);
      i += delimiter.length;
      continue;
    }
    if (first < 0) first = i;
    i = skipped.end;
  }
  finish(sql.length);
  return out;
}

/**
 * From `i`: a comment (skipped by the splitter), or a string, quoted identifier or executable
 * comment (code: kept whole), or one ordinary character. Returns where it ends.
 */
function skipNonCode(sql: string, i: number, lines: readonly number[]): { kind: 'comment' | 'code'; end: number } {
  const at = (n: number): string => sql[n] ?? '';
  const ch = at(i);
  const where = (): string => `line ${position(lines, i).line}`;
  if (ch === '#' || (ch === '-' && at(i + 1) === '-' && (i + 2 >= sql.length || /\s/.test(at(i + 2)) || at(i + 2) < ' '))) {
    const nl = sql.indexOf('\n', i);
    return { kind: 'comment', end: nl < 0 ? sql.length : nl };
  }
  if (ch === '/' && at(i + 1) === '*') {
    const executable = at(i + 2) === '!' || (at(i + 2) === 'M' && at(i + 3) === '!');
    const end = closeOfComment(sql, i + 2);
    if (end < 0) throw new AlterSyntaxError(`${where()}: a comment opened here (/*) is never closed (*/)`);
    return { kind: executable ? 'code' : 'comment', end };
  }
  if (ch === "'" || ch === '"' || ch === '`') {
    let j = i + 1;
    for (;;) {
      if (j >= sql.length) throw new AlterSyntaxError(`${where()}: a ${ch === '`' ? 'quoted identifier' : 'string'} opened here (${ch}) is never closed`);
      const c = at(j);
      if (c === '\\' && ch !== '`') {
        j += 2;
        continue;
      }
      if (c === ch) {
        if (at(j + 1) === ch) {
          j += 2;
          continue;
        }
        return { kind: 'code', end: j + 1 };
      }
      j++;
    }
  }
  return { kind: 'code', end: i + 1 };
}

/** The offset just past the first `*\/` after `from` (the comment's end, as the server's lexer finds it); -1 when none. */
function closeOfComment(sql: string, from: number): number {
  const end = sql.indexOf('*/', from);
  return end < 0 ? -1 : end + 2;
}

function lineStarts(sql: string): number[] {
  const starts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') starts.push(i + 1);
  return starts;
}

function position(starts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

/**
 * `/*!80023 INVISIBLE *\/` and `/*M!100301 … *\/` as the server reads them: their content is code.
 * The markers are blanked (same length, so positions stay), and the content is then read as plain
 * SQL. For lint only: `--alter` refuses executable comments outright (src/alter/tokenize.ts).
 */
export function unwrapExecutableComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === '/' && sql[i + 1] === '*' && (sql[i + 2] === '!' || (sql[i + 2] === 'M' && sql[i + 3] === '!'))) {
      const m = /^\/\*M?!\d*/.exec(sql.slice(i)) as RegExpExecArray;
      const end = sql.indexOf('*/', i + m[0].length);
      if (end < 0) return out + sql.slice(i);
      out += ' '.repeat(m[0].length) + sql.slice(i + m[0].length, end) + '  ';
      i = end + 2;
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`' || (ch === '/' && sql[i + 1] === '*') || ch === '#' || (ch === '-' && sql[i + 1] === '-')) {
      let end: number;
      try {
        const skipped = skipNonCode(sql, i, [0]);
        end = skipped.end;
      } catch {
        return out + sql.slice(i);
      }
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
