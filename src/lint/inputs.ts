import { parseAlterStatement } from '../alter/parse.js';
import { splitStatements } from '../alter/split.js';
import { parseMigrationStatement } from '../alter/statement.js';
import { describeError } from '../errors.js';
import type { LintStatement } from './check.js';

/** What oschange lint reads: one ALTER of a table, statements given on the command line, or migration files. */
export type LintInput =
  | { readonly kind: 'alter'; readonly table: string; readonly alter: string }
  | { readonly kind: 'statement'; readonly sql: string }
  | { readonly kind: 'files'; readonly files: readonly string[] };

/**
 * The input as statements lint can judge, each with where it came from. Every statement that cannot
 * be read is reported (file and line), all at once.
 */
export function readInput(input: LintInput, readFile: (path: string) => string): { batch: LintStatement[] } | { errors: string[] } {
  const errors: string[] = [];
  const batch: LintStatement[] = [];
  const read = (sql: string, file: string | undefined): void => {
    let parts;
    try {
      parts = splitStatements(sql);
    } catch (err) {
      errors.push(`${file ?? '--statement'}: ${describeError(err)}`);
      return;
    }
    for (const p of parts) {
      try {
        batch.push({ statement: parseMigrationStatement(p.text), text: p.text, file, line: p.line });
      } catch (err) {
        errors.push(`${file ?? '--statement'}:${p.line}: cannot read "${oneLine(p.text, 60)}": ${describeError(err)}`);
      }
    }
  };
  switch (input.kind) {
    case 'alter':
      try {
        const alter = parseAlterStatement(input.alter);
        if (alter.table !== undefined && alter.table.name !== input.table) errors.push(`--alter names table ${alter.table.name}, but --table is ${input.table}`);
        const table = { database: alter.table?.database, name: input.table };
        const text = alter.table === undefined ? `ALTER TABLE ${input.table} ${input.alter}` : input.alter;
        batch.push({ statement: { kind: 'alter', form: alter.table === undefined ? 'clause' : 'alter-table', table, alter }, text, file: undefined, line: 1 });
      } catch (err) {
        errors.push(`--alter: ${describeError(err)}`);
      }
      break;
    case 'statement':
      read(input.sql, undefined);
      break;
    case 'files':
      for (const file of input.files) {
        let text: string;
        try {
          text = readFile(file);
        } catch (err) {
          errors.push(`${file}: cannot read it (${describeError(err)})`);
          continue;
        }
        read(text, file);
      }
      break;
  }
  return errors.length > 0 ? { errors } : { batch };
}

/** A statement on one line, cut to `max` characters. */
export function oneLine(sql: string, max: number): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
