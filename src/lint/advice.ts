import type { TableName } from '../alter/statement.js';
import { quoteId } from '../sql/quote.js';

/**
 * Text for a finding's steps: SQL and oschange commands the operator can copy and run. oschange
 * never runs any of it (what oschange runs is built in src/sql/).
 */

/** Words that must be quoted to be a name (the reserved words a column or table is most often called). */
const RESERVED = new Set([
  'add', 'all', 'alter', 'and', 'as', 'asc', 'between', 'by', 'change', 'check', 'column', 'condition', 'constraint', 'create', 'cross', 'current_date',
  'current_time', 'current_timestamp', 'database', 'default', 'delete', 'desc', 'describe', 'distinct', 'drop', 'else', 'exists', 'explain', 'false',
  'for', 'force', 'foreign', 'from', 'fulltext', 'group', 'having', 'if', 'ignore', 'in', 'index', 'inner', 'insert', 'interval', 'into', 'is', 'join',
  'key', 'keys', 'kill', 'left', 'like', 'limit', 'lines', 'load', 'lock', 'match', 'modify', 'natural', 'not', 'null', 'on', 'option', 'or', 'order',
  'outer', 'primary', 'range', 'read', 'references', 'regexp', 'rename', 'replace', 'require', 'right', 'rows', 'schema', 'select', 'set', 'show',
  'spatial', 'table', 'then', 'to', 'trigger', 'true', 'union', 'unique', 'unsigned', 'update', 'usage', 'use', 'using', 'values', 'when', 'where',
  'with', 'write', 'rank', 'groups', 'function', 'window', 'system', 'lag', 'lead', 'row', 'member', 'of', 'div', 'mod', 'xor', 'int',
]);

/** A name as the operator would write it: bare when that is safe, else in backticks. */
export function ident(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !RESERVED.has(name.toLowerCase()) ? name : quoteId(name);
}

/** `users` or `app.users`, as the statement named it. */
export function tableRef(t: TableName): string {
  return t.database === undefined ? ident(t.name) : `${ident(t.database)}.${ident(t.name)}`;
}

/** One shell word: double quotes (as the README writes --alter), or single quotes when the text needs no escaping there. */
export function shellQuote(s: string): string {
  if (!/["$`\\]/.test(s)) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return `"${s.replace(/["$`\\]/g, (c) => `\\${c}`)}"`;
}

/** The database to name in a command: the statement's own, else --database, else a placeholder. */
function databaseOf(t: TableName, database: string | undefined): string {
  return t.database ?? database ?? 'DB';
}

/** `oschange --database app --table users --alter "…" --execute`, with the flags given. */
export function oschangeRun(o: { table: TableName; database: string | undefined; alter: string; flags?: readonly string[] }): string {
  return ['oschange', '--database', databaseOf(o.table, o.database), '--table', o.table.name, '--alter', shellQuote(o.alter), ...(o.flags ?? []), '--execute'].join(' ');
}

/** `oschange backfill --database app --table users --set "c = …" --where "c IS NULL" --execute`: fill existing rows in throttled chunks. */
export function oschangeBackfill(o: { table: TableName; database: string | undefined; set: string; where: string }): string {
  return ['oschange backfill', '--database', databaseOf(o.table, o.database), '--table', o.table.name, '--set', shellQuote(o.set), '--where', shellQuote(o.where), '--execute'].join(' ');
}

/** `oschange lint --host PRIMARY --database app --table users --alter "…"`: lint against the server. */
export function oschangeLint(o: { table: TableName; database: string | undefined; alter: string }): string {
  return ['oschange lint --host PRIMARY', '--database', databaseOf(o.table, o.database), '--table', o.table.name, '--alter', shellQuote(o.alter)].join(' ');
}

/** `oschange lint --host PRIMARY --database app --statement "…"`. */
export function oschangeLintStatement(o: { database: string | undefined; statement: string }): string {
  return ['oschange lint --host PRIMARY', '--database', o.database ?? 'DB', '--statement', shellQuote(o.statement)].join(' ');
}
