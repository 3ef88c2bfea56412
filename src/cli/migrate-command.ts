import { readFileSync } from 'node:fs';
import { ExitCode, OschangeError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { runMigration, type MigrationResult } from '../migrator.js';
import { askPassword } from './ask-pass.js';
import { parseMigrationOptions, type RawMigrationOptions } from './migration-options.js';

export interface MigrateCommandOptions {
  readonly raw: RawMigrationOptions & { readonly 'ask-pass': boolean };
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** `oschange --database … --table … --alter … [--execute]` */
export async function migrateCommand(o: MigrateCommandOptions): Promise<MigrationResult> {
  const askedPassword = o.raw['ask-pass'] ? await askPassword() : undefined;
  const parsed = parseMigrationOptions(o.raw, { env: o.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8'), askedPassword });
  if ('errors' in parsed) {
    throw new OschangeError('USAGE', parsed.errors.join('; '), { exitCode: ExitCode.usage });
  }
  const log = o.log ?? createLogger();
  return runMigration({ config: parsed.config, log, out: o.out, signal: o.signal });
}
