import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import type { MigrationConfig } from '../../src/config.js';
import type { Endpoint } from '../../src/db/dsn.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import type { MigrationState } from '../../src/state.js';
import { waitUntil } from './processes.js';

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

/**
 * Runs a migration in this process, as the CLI would, and returns what it printed and the error it
 * ended with (undefined when it succeeded); with `stopAfterRows`, stops it (as SIGTERM would) once it
 * has copied that many rows, which leaves a checkpoint for --resume.
 */
export async function runTestMigration(
  config: MigrationConfig,
  o: { stopAfterRows?: number } = {},
): Promise<{ out: string[]; error: Error | undefined; state: MigrationState | undefined }> {
  const out: string[] = [];
  const stop = new AbortController();
  let state: MigrationState | undefined;
  const running = runMigration({ config, log: silentLogger(), out: (l) => out.push(l), signal: stop.signal, observe: (s) => (state = s) });
  if (o.stopAfterRows !== undefined) {
    const rows = o.stopAfterRows;
    await waitUntil(() => (state?.rowsCopied ?? 0) >= rows, 30_000, 'the copy to get going');
    stop.abort();
  }
  const outcome = await running.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out, error: outcome === undefined ? undefined : outcome instanceof Error ? outcome : new Error(String(outcome)), state };
}
