import type { Argv } from 'yargs';
import type { Endpoint } from '../db/dsn.js';
import type { LintInput } from '../lint/inputs.js';
import { LINT_IDS } from '../lint/registry.js';
import { DEFAULT_CONFIG_FILE, NO_SETTINGS, parseLintConfig, withDisabled, type LintSettings } from '../lint/settings.js';
import { connectionFlags, parseConnectionOptions, type ParseSources, type RawConnectionOptions } from './migration-options.js';

export const LINT_FORMATS = ['text', 'json', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

/** The flags of `oschange lint`: what to read, how to report, and (optionally) the server to check against. */
export function lintFlags<T>(y: Argv<T>) {
  return connectionFlags(y)
    .positional('files', { type: 'string', array: true, describe: 'SQL migration files (statements separated by ;, DELIMITER lines understood)' })
    .option('host', { type: 'string', describe: 'MySQL host to check against (without --host, --port, --user or --conf: the static rules only)', group: 'Connection:' })
    .option('database', { type: 'string', describe: 'database of the tables the statements name without one', group: 'Lint:' })
    .option('table', { type: 'string', describe: 'the table --alter changes', group: 'Lint:' })
    .option('alter', { type: 'string', describe: 'one ALTER TABLE clause, as for a migration: "DROP COLUMN c"', group: 'Lint:' })
    .option('statement', { type: 'string', describe: 'SQL statements: "ALTER TABLE t …; CREATE INDEX i ON t (c)"', group: 'Lint:' })
    .option('format', { choices: LINT_FORMATS, default: 'text' as LintFormat, describe: 'text (grouped by statement), json, or github (workflow annotations)', group: 'Lint:' })
    .option('disable', { type: 'string', describe: 'rules not to run, comma-separated', group: 'Lint:' })
    .option('config', { type: 'string', describe: `JSON file of per-team choices (default: ${DEFAULT_CONFIG_FILE} in the current directory, if there is one)`, group: 'Lint:' });
}

export interface RawLintOptions extends RawConnectionOptions {
  readonly files?: readonly string[] | undefined;
  readonly database?: string | undefined;
  readonly table?: string | undefined;
  readonly alter?: string | undefined;
  readonly statement?: string | undefined;
  readonly format: LintFormat;
  readonly disable?: string | undefined;
  readonly config?: string | undefined;
  readonly 'ask-pass'?: boolean | undefined;
}

export interface LintOptions {
  readonly input: LintInput;
  readonly database: string | undefined;
  /** Where to check the statements; undefined: the static rules only. */
  readonly server: Endpoint | undefined;
  readonly format: LintFormat;
  readonly settings: LintSettings;
}

/** Validates lint's flags and reads its config file, reporting every problem at once. */
export function parseLintOptions(raw: RawLintOptions, sources: ParseSources & { readonly exists: (path: string) => boolean }): { options: LintOptions } | { errors: string[] } {
  const errors: string[] = [];
  const files = (raw.files ?? []).filter((f) => f !== '');
  const given = [files.length > 0 ? 'files' : undefined, raw.statement !== undefined ? '--statement' : undefined, raw.alter !== undefined ? '--alter' : undefined].filter((g) => g !== undefined);
  let input: LintInput | undefined;
  if (given.length !== 1) errors.push(given.length === 0 ? 'give what to lint: migration files, --statement "SQL", or --table T --alter "…"' : `give one of files, --statement or --alter (got ${given.join(' and ')})`);
  else if (raw.alter !== undefined) {
    if (raw.table === undefined || raw.table.trim() === '') errors.push('--alter needs --table, the table it changes');
    else input = { kind: 'alter', table: raw.table, alter: raw.alter };
  } else if (raw.statement !== undefined) input = { kind: 'statement', sql: raw.statement };
  else input = { kind: 'files', files };
  if (raw.table !== undefined && raw.alter === undefined) errors.push('--table is used with --alter only (statements and files name their tables)');
  const wantsServer = raw.host !== undefined || raw.port !== undefined || raw.user !== undefined || raw.conf !== undefined || raw['ask-pass'] === true || raw.ssl === true;
  const server = wantsServer ? parseConnectionOptions(raw, sources, errors) : undefined;
  let settings = NO_SETTINGS;
  const configFile = raw.config ?? (sources.exists(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (configFile !== undefined) {
    let text: string | undefined;
    try {
      text = sources.readFile(configFile);
    } catch (err) {
      errors.push(`--config ${configFile}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
    }
    if (text !== undefined) {
      const parsed = parseLintConfig(text, configFile, LINT_IDS);
      if ('errors' in parsed) errors.push(...parsed.errors);
      else settings = parsed.settings;
    }
  }
  const disabled = withDisabled(settings, raw.disable, LINT_IDS);
  if ('errors' in disabled) errors.push(...disabled.errors);
  else settings = disabled.settings;
  if (errors.length > 0 || input === undefined) return { errors };
  return { options: { input, database: raw.database, server, format: raw.format, settings } };
}
