import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import type { MigrationConfig } from '../../src/config.js';
import type { Endpoint } from '../../src/db/dsn.js';

/**
 * The tests' ALTERs (ADD COLUMN …) are ones the servers can do with ALGORITHM=INSTANT; the tests
 * that use them test the copy, so they copy unless the flags say something about instant DDL.
 */
export function copyUnlessInstantAsked(args: readonly string[]): string[] {
  return args.some((a) => a.includes('attempt-instant-ddl')) ? [...args] : [...args, '--no-attempt-instant-ddl'];
}

/** A MigrationConfig from CLI flags, exactly as the CLI would build it (copying: see copyUnlessInstantAsked). */
export function configFromFlags(app: Endpoint, database: string, table: string, alter: string, extra: readonly string[] = []): MigrationConfig {
  const argv = copyUnlessInstantAsked([
    '--host', app.host, '--port', String(app.port), '--user', app.user, '--password', app.password,
    '--database', database, '--table', table, '--alter', alter, '--execute',
    '--replica-server-id', String(10_000 + Math.floor(Math.random() * 50_000)), ...extra,
  ]);
  const parsed = parseMigrationOptions(migrationFlags(yargs(argv)).strict().parseSync(), { env: {}, readFile: (p) => readFileSync(p, 'utf8') });
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}
