/**
 * Just enough of ALTER TABLE's grammar to know what the ALTER does to columns: renames
 * (`CHANGE [COLUMN] old new …`, `RENAME COLUMN old TO new`) and drops. The server itself
 * validates the rest when the ALTER runs on the ghost table.
 */
export interface ParsedAlter {
  /** The clause to run after `ALTER TABLE ghost` (a leading `ALTER TABLE name` removed). */
  readonly clause: string;
  /** Old name → new name, for columns the ALTER renames. */
  readonly renames: ReadonlyMap<string, string>;
  readonly dropped: readonly string[];
  /** The ALTER renames the table itself (RENAME [TO|AS] x): not something oschange does. */
  readonly renamesTable: boolean;
  /** The table named by a leading `ALTER TABLE name`, if the operator wrote one. */
  readonly namedTable: string | undefined;
}

type Token = { kind: 'word' | 'ident' | 'string' | 'punct'; text: string };

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '#' || (ch === '-' && sql[i + 1] === '-' && /\s/.test(sql[i + 2] ?? ' '))) {
      while (i < sql.length && sql[i] !== '\n') i++;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (ch === '`') {
      let text = '';
      i++;
      while (i < sql.length) {
        if (sql[i] === '`') {
          if (sql[i + 1] === '`') {
            text += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i];
        i++;
      }
      tokens.push({ kind: 'ident', text });
    } else if (ch === "'" || ch === '"') {
      let text = '';
      i++;
      while (i < sql.length) {
        if (sql[i] === '\\') {
          text += sql.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (sql[i] === ch) {
          if (sql[i + 1] === ch) {
            text += ch;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += sql[i];
        i++;
      }
      tokens.push({ kind: 'string', text });
    } else if (/[\p{L}\p{N}_$]/u.test(ch)) {
      let text = '';
      while (i < sql.length && /[\p{L}\p{N}_$]/u.test(sql[i] as string)) text += sql[i++];
      tokens.push({ kind: 'word', text });
    } else {
      tokens.push({ kind: 'punct', text: ch });
      i++;
    }
  }
  return tokens;
}

/** Splits tokens at top-level commas (not inside parentheses). */
function splitClauses(tokens: readonly Token[]): Token[][] {
  const clauses: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === '(') depth++;
    if (t.kind === 'punct' && t.text === ')') depth--;
    if (t.kind === 'punct' && t.text === ',' && depth === 0) clauses.push([]);
    else (clauses[clauses.length - 1] as Token[]).push(t);
  }
  return clauses.filter((c) => c.length > 0);
}

const isWord = (t: Token | undefined, ...words: string[]): boolean => t !== undefined && t.kind === 'word' && words.includes(t.text.toUpperCase());
const isName = (t: Token | undefined): t is Token => t !== undefined && (t.kind === 'ident' || t.kind === 'word');

export function parseAlter(alter: string): ParsedAlter {
  let clause = alter.trim().replace(/;\s*$/, '');
  let namedTable: string | undefined;
  const lead = tokenize(clause);
  if (isWord(lead[0], 'ALTER') && isWord(lead[1], 'TABLE') && isName(lead[2])) {
    // `ALTER TABLE [db.]name rest`: keep only `rest`.
    let n = 3;
    namedTable = lead[2].text;
    if (lead[3]?.kind === 'punct' && lead[3].text === '.' && isName(lead[4])) {
      namedTable = lead[4].text;
      n = 5;
    }
    clause = stripLeadingTokens(clause, n);
  }
  const renames = new Map<string, string>();
  const dropped: string[] = [];
  let renamesTable = false;
  for (const c of splitClauses(tokenize(clause))) {
    if (isWord(c[0], 'CHANGE')) {
      const at = isWord(c[1], 'COLUMN') ? 2 : 1;
      const from = c[at];
      const to = c[at + 1];
      if (isName(from) && isName(to) && from.text.toLowerCase() !== to.text.toLowerCase()) renames.set(from.text, to.text);
    } else if (isWord(c[0], 'RENAME')) {
      if (isWord(c[1], 'COLUMN') && isName(c[2]) && isWord(c[3], 'TO') && isName(c[4])) {
        if (c[2].text.toLowerCase() !== c[4].text.toLowerCase()) renames.set(c[2].text, c[4].text);
      } else if (!isWord(c[1], 'INDEX', 'KEY')) {
        renamesTable = true;
      }
    } else if (isWord(c[0], 'DROP')) {
      if (isWord(c[1], 'INDEX', 'KEY', 'PRIMARY', 'FOREIGN', 'CONSTRAINT', 'CHECK', 'PARTITION', 'SYSTEM')) continue;
      const at = isWord(c[1], 'COLUMN') ? 2 : 1;
      const skipIfExists = isWord(c[at], 'IF') && isWord(c[at + 1], 'EXISTS') ? at + 2 : at;
      const name = c[skipIfExists];
      if (isName(name)) dropped.push(name.text);
    }
  }
  return { clause, renames, dropped, renamesTable, namedTable };
}

/** Removes the first `n` tokens' text from the SQL, keeping the rest verbatim. */
function stripLeadingTokens(sql: string, n: number): string {
  let rest = sql;
  for (let k = 0; k < n; k++) {
    rest = rest.trimStart();
    if (rest.startsWith('`')) {
      let i = 1;
      while (i < rest.length) {
        if (rest[i] === '`' && rest[i + 1] === '`') i += 2;
        else if (rest[i] === '`') break;
        else i++;
      }
      rest = rest.slice(i + 1);
    } else if (rest.startsWith('.')) {
      rest = rest.slice(1);
    } else {
      const m = /^[\p{L}\p{N}_$]+/u.exec(rest);
      rest = rest.slice(m ? m[0].length : 1);
    }
  }
  return rest.trim();
}
