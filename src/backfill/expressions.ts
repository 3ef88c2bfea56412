import { AlterSyntaxError, isName, isPunct, isWord, tokenize, type Token } from '../alter/tokenize.js';
import type { Assignment, SqlExpression } from '../sql/backfill.js';

export type { Assignment, SqlExpression } from '../sql/backfill.js';

/**
 * The operator's --set and --where, read before anything reaches the server. oschange builds every
 * identifier and every key bound of a backfill statement itself; the operator's text goes in as
 * single expressions, each in its own parentheses (docs/design.md, "Backfill"). So the text must not
 * be able to leave its parentheses: no `;`, no comment (one could hide the key range after it, and
 * `/*! … *\/` is run by the server), no unbalanced parenthesis or quote, no `?` outside quotes (the
 * key bounds are the statement's only placeholders; mysql2 fills them and leaves a `?` inside quotes
 * alone). What is left is an
 * expression for the server to judge (src/backfill/plan.ts asks it with EXPLAIN UPDATE).
 */
export interface BackfillExpressions {
  readonly set: readonly Assignment[];
  readonly where: SqlExpression;
}

/** Reads --set and --where; every problem of both is reported at once. */
export function parseBackfillExpressions(set: string, where: string): { expressions: BackfillExpressions } | { errors: string[] } {
  const errors: string[] = [];
  const assignments = parseSet(set);
  if ('error' in assignments) errors.push(assignments.error);
  const condition = checkExpression('--where', where, 'the condition rows must meet, e.g. --where "phone IS NULL" (--where "TRUE" for every row)');
  if ('error' in condition) errors.push(condition.error);
  if ('error' in assignments || 'error' in condition) return { errors };
  return { expressions: { set: assignments, where: condition } };
}

/** `phone = '', name = TRIM(name)` → the assignments, each value a checked expression. */
export function parseSet(text: string): readonly Assignment[] | { readonly error: string } {
  const read = readTokens('--set', text, 'column = expression[, column = expression …], e.g. --set "phone = \'\'"');
  if ('error' in read) return read;
  const out: Assignment[] = [];
  for (const part of splitTopLevel(read.tokens)) {
    const [name, eq, ...rest] = part;
    const first = part[0];
    if (first === undefined) return { error: `--set has an empty assignment at character ${commaAfter(read.tokens, out.length) + 1}: write column = expression, separated by commas` };
    if (!isName(name) || !isPunct(eq, '=') || rest.length === 0) {
      const shown = text.slice(first.start, (part.at(-1) as Token).end);
      return { error: `--set must be column = expression[, column = expression …]; "${clip(shown)}" at character ${first.start + 1} is not (name the column alone, without its table)` };
    }
    if (out.some((a) => a.column.toLowerCase() === name.text.toLowerCase())) return { error: `--set assigns ${name.text} twice` };
    const start = (rest[0] as Token).start;
    const end = (rest.at(-1) as Token).end;
    const expression = rest.length === 1 && isWord(rest[0], 'DEFAULT') ? 'default' : asExpression(text.slice(start, end));
    out.push({ column: name.text, expression });
  }
  return out;
}

/** A single expression (as --where is): the text, checked, or what is wrong with it. */
export function checkExpression(flag: string, text: string, example: string): SqlExpression | { readonly error: string } {
  const read = readTokens(flag, text, example);
  if ('error' in read) return read;
  const comma = read.tokens.find((t, i) => isPunct(t, ',') && depthBefore(read.tokens, i) === 0);
  if (comma !== undefined) return { error: `${flag} must be a single expression; it has a "," at character ${comma.start + 1} outside any parentheses` };
  return asExpression(text.trim());
}

/**
 * The tokens of the text, refused when it holds what could take it out of its parentheses:
 * comments, `;`, unbalanced parentheses, an unclosed quote (src/alter/tokenize.ts reads quotes and
 * comments exactly as the server does in oschange's sql_mode).
 */
function readTokens(flag: string, text: string, example: string): { tokens: readonly Token[] } | { error: string } {
  if (text.trim() === '') return { error: `${flag} is empty: give ${example}` };
  let tokens: Token[];
  try {
    tokens = tokenize(text);
  } catch (err) {
    // The tokenizer speaks of "the ALTER"; here it is the flag's text.
    if (err instanceof AlterSyntaxError) return { error: `${flag} ${err.message.replace(/^the ALTER (has|holds) /, '$1 ')}` };
    throw err;
  }
  let at = 0;
  for (const t of [...tokens, undefined]) {
    const gap = text.slice(at, t?.start ?? text.length);
    const offset = gap.search(/\S/);
    // Whitespace is all a gap between tokens may hold: anything else is a comment the tokenizer skipped.
    if (offset >= 0) return { error: `${flag} holds a comment at character ${at + offset + 1}: comments are refused (one could hide the rest of the statement); write the expression without it` };
    if (t !== undefined) at = t.end;
  }
  const open: Token[] = [];
  for (const t of tokens) {
    if (isPunct(t, ';')) return { error: `${flag} holds a ";" at character ${t.start + 1}: give a single expression, not statements` };
    // Placeholders are oschange's (the key bounds); one of the operator's would take a bound's value.
    if (isPunct(t, '?')) return { error: `${flag} holds a placeholder "?" at character ${t.start + 1}: write the value itself (a "?" inside quotes is fine)` };
    if (isPunct(t, '(')) open.push(t);
    if (isPunct(t, ')') && open.pop() === undefined) return { error: `${flag} has a ")" at character ${t.start + 1} that closes no "("` };
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined) return { error: `${flag} has a "(" at character ${unclosed.start + 1} that is never closed` };
  return { tokens };
}

/** Parenthesis depth just before tokens[i]. */
function depthBefore(tokens: readonly Token[], i: number): number {
  let depth = 0;
  for (let j = 0; j < i; j++) {
    if (isPunct(tokens[j], '(')) depth++;
    if (isPunct(tokens[j], ')')) depth--;
  }
  return depth;
}

/** The token lists between top-level commas. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (isPunct(t, '(')) depth++;
    if (isPunct(t, ')')) depth--;
    if (depth === 0 && isPunct(t, ',')) parts.push([]);
    else (parts.at(-1) as Token[]).push(t);
  }
  return parts;
}

/** Where the n-th top-level comma is (0-based), for a message about the empty part after it. */
function commaAfter(tokens: readonly Token[], n: number): number {
  const commas = tokens.filter((t, i) => isPunct(t, ',') && depthBefore(tokens, i) === 0);
  return (n === 0 ? commas[0] : commas[n - 1])?.start ?? 0;
}

function asExpression(text: string): SqlExpression {
  return { text } as SqlExpression;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
