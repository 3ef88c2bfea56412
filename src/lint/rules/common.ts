import type { AlterAction, AlterStatement, ColumnDefinition, DataType } from '../../alter/model.js';
import { renderTokens } from '../../alter/render.js';
import type { TableName } from '../../alter/statement.js';
import { isWord } from '../../alter/tokenize.js';
import type { Column } from '../../inspect/table-info.js';
import type { StatementContext } from '../check.js';
import type { Finding, Severity } from '../finding.js';

/** What a rule reads of one statement that changes a table. */
export interface TableChange {
  readonly table: TableName;
  readonly alter: AlterStatement;
  /**
   * The table is new: created by this statement or earlier in the same input. It has no rows yet and
   * no code reads it, so the rules about existing rows and deployed code stay silent.
   */
  readonly isNew: boolean;
}

const sameTable = (a: TableName, b: TableName, database: string | undefined): boolean =>
  a.name === b.name && (a.database ?? database) === (b.database ?? database);

/** The statement as a change of one table: an ALTER (in any form), or a CREATE TABLE's definitions. */
export function tableChange(ctx: StatementContext): TableChange | undefined {
  const s = ctx.item.statement;
  if (s.kind === 'create-table') return s.alter === undefined || s.temporary ? undefined : { table: s.table, alter: s.alter, isNew: true };
  if (s.kind !== 'alter') return undefined;
  return { table: s.table, alter: s.alter, isNew: createdEarlier(ctx, s.table) };
}

/** True when an earlier statement of the input creates the table. */
export function createdEarlier(ctx: StatementContext, table: TableName): boolean {
  return ctx.batch.slice(0, ctx.index).some((b) => b.statement.kind === 'create-table' && sameTable(b.statement.table, table, ctx.database));
}

export { sameTable };

/** A finding of a lint rule. */
export function finding(check: string, severity: Severity, code: string, message: string, why: string, steps: readonly string[]): Finding {
  return { check, severity, code, message, why, steps };
}

/** Column definitions the ALTER writes (ADD, MODIFY, CHANGE), with the name the column has after it. */
export function definedColumns(alter: AlterStatement): { readonly action: AlterAction; readonly name: string; readonly definition: ColumnDefinition; readonly from: string | undefined }[] {
  const out: { action: AlterAction; name: string; definition: ColumnDefinition; from: string | undefined }[] = [];
  for (const a of alter.actions) {
    if (a.kind === 'add-column') out.push({ action: a, name: a.name, definition: a.definition, from: undefined });
    else if (a.kind === 'modify-column') out.push({ action: a, name: a.name, definition: a.definition, from: a.name });
    else if (a.kind === 'change-column') out.push({ action: a, name: a.to, definition: a.definition, from: a.from });
  }
  return out;
}

/** A column definition as written, without some of its words (`NOT NULL`, `FIRST`, `AFTER x`, …). */
export function definitionText(alter: AlterStatement, d: ColumnDefinition, o: { dropNotNull?: boolean; dropPosition?: boolean } = {}): string {
  const tokens = [...d.tokens];
  const kept = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (o.dropNotNull === true && isWord(t, 'NOT') && isWord(tokens[i + 1], 'NULL')) {
      i++;
      continue;
    }
    if (o.dropPosition === true && isWord(t, 'FIRST')) continue;
    if (o.dropPosition === true && isWord(t, 'AFTER')) {
      i++;
      continue;
    }
    kept.push(t);
  }
  return renderTokens(alter.source, kept.filter((t) => t !== undefined));
}

/** A data type as written: `VARCHAR(20)`, `ENUM('a','b')`, `INT UNSIGNED`. */
export function typeText(t: DataType): string {
  const enumLike = t.name === 'ENUM' || t.name === 'SET';
  const args = t.args.length === 0 ? '' : `(${t.args.map((a) => (enumLike ? `'${a.replaceAll("'", "''")}'` : a)).join(',')})`;
  return `${t.name}${args}${t.unsigned ? ' UNSIGNED' : ''}`;
}

/** A column of a known table shape, by name (case-insensitive, as the server compares column names). */
export function findColumn(columns: readonly Column[] | undefined, name: string): Column | undefined {
  return columns?.find((c) => c.name.toLowerCase() === name.toLowerCase());
}

/** "users.email" — the table as the statement named it, and the column. */
export function columnRef(t: TableName, column: string): string {
  return `${t.database === undefined ? '' : `${t.database}.`}${t.name}.${column}`;
}

/** The ALTER's actions as SQL (comments dropped), one of them replaced by other text, some left out. */
export function actionsText(alter: AlterStatement, o: { replace?: ReadonlyMap<AlterAction, string>; omit?: (a: AlterAction) => boolean } = {}): string {
  const parts: string[] = [];
  for (const a of alter.actions) {
    if (o.omit?.(a) === true) continue;
    const replaced = o.replace?.get(a);
    if (replaced !== undefined) parts.push(replaced);
    else if (a.tokens.length > 0) parts.push(renderTokens(alter.source, a.tokens));
  }
  return parts.join(', ');
}

/** The ALTER without its own ALGORITHM= and LOCK= (oschange chooses how it runs). */
export function actionsWithoutAlgorithm(alter: AlterStatement): string {
  return actionsText(alter, { omit: (a) => a.kind === 'algorithm' || a.kind === 'lock' });
}

/** One action as SQL. */
export function actionText(alter: AlterStatement, a: AlterAction): string {
  return renderTokens(alter.source, a.tokens);
}

/** A column definition with its data type replaced: `DECIMAL(19,4) NOT NULL DEFAULT 0` for `FLOAT NOT NULL DEFAULT 0`. */
export function withType(alter: AlterStatement, d: ColumnDefinition, type: string): string {
  const tokens = d.tokens;
  let i = 1;
  if (isWord(tokens[i], 'PRECISION', 'VARYING')) i++;
  if (tokens[i]?.kind === 'punct' && tokens[i]?.text === '(') {
    let depth = 0;
    for (; i < tokens.length; i++) {
      const t = tokens[i] as (typeof tokens)[number];
      if (t.kind === 'punct' && t.text === '(') depth++;
      if (t.kind === 'punct' && t.text === ')' && --depth === 0) {
        i++;
        break;
      }
    }
  }
  while (isWord(tokens[i], 'UNSIGNED', 'SIGNED', 'ZEROFILL')) i++;
  const rest = renderTokens(alter.source, tokens.slice(i));
  return rest === '' ? type : `${type} ${rest}`;
}

/** `ADD COLUMN c`, `MODIFY COLUMN c` or `CHANGE COLUMN a b`: how to write the column's definition again. */
export function columnClause(c: { readonly action: AlterAction; readonly name: string; readonly from: string | undefined }, quote: (n: string) => string): string {
  if (c.action.kind === 'add-column') return `ADD COLUMN ${quote(c.name)}`;
  if (c.action.kind === 'change-column') return `CHANGE COLUMN ${quote(c.from ?? c.name)} ${quote(c.name)}`;
  return `MODIFY COLUMN ${quote(c.name)}`;
}
