import yargs from 'yargs';
import { OschangeError, ExitCode, describeError } from '../errors.js';
import { ALL_FLAVORS, type AnyFlavor } from '../sandbox/start.js';
import { sandboxDown } from './sandbox-down.js';
import { sandboxUp } from './sandbox-up.js';
import { packageVersion } from './version.js';
import { migrationFlags } from './migration-options.js';
import { migrateCommand } from './migrate-command.js';
import { lintCommand } from './lint-command.js';
import { lintFlags } from './lint-options.js';
import { maskPasswordArgs, PASSWORD_ARG_WARNING } from './hide-password.js';
import { queueCommands } from './queue-options.js';
import { backfillCommand } from './backfill-command.js';
import { backfillFlags } from './backfill-options.js';
import { revertCommand } from './revert-command.js';
import { revertFlags } from './revert-options.js';

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
}

/**
 * Wires argv to the command functions. Returns the exit code; only cmd/oschange.ts exits.
 * Exit codes: 0 ok, 1 failure (lint: errors found), 2 usage, 3 environment not fit (lint: server unreachable), 130 interrupted.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = ExitCode.ok;
  if (maskPasswordArgs(argv) !== undefined) io.err(PASSWORD_ARG_WARNING);
  const parser = yargs([...argv])
    .scriptName('oschange')
    .usage('$0 --host H --database D --table T --alter "…" [--execute]\n\nOnline schema change for MySQL and MariaDB.')
    .command(
      '$0',
      'change a table\'s schema online (without --execute: check and print the plan only)',
      (y) => migrationFlags(y),
      async (args) => {
        await migrateCommand({ raw: args, out: io.out, signal: io.signal, argv });
      },
    )
    .command(
      'lint [files..]',
      'judge migrations before they run: which are dangerous, why, and the safe path (exit 0 clean, 1 errors found)',
      (y) => lintFlags(y),
      async (args) => {
        exitCode = await lintCommand({ raw: args, out: io.out, signal: io.signal });
      },
    )
    .command('backfill', 'update existing rows in throttled primary-key chunks: --set "c = …" --where "…" (without --execute: check and print the plan only)', (y) => backfillFlags(y), async (args) => {
      await backfillCommand({ raw: args, out: io.out, signal: io.signal });
    })
    .command('revert', 'swap a migrated table\'s old table (_T_del) back, after replaying every write since the cut-over into it (without --execute: check and say what it would do)', (y) => revertFlags(y), async (args) => {
      await revertCommand({ raw: args, out: io.out, signal: io.signal });
    })
    .command('queue', 'migrations queued on the server, run by oschange queue run, and the history of every migration', (y) => queueCommands(y, io, argv))
    .command('sandbox', 'throwaway local primary + replica servers for trying oschange', (y) =>
      y
        .command(
          'up',
          'start a primary + replica pair on loopback and keep it until Ctrl-C',
          (yy) =>
            yy
              .option('flavor', { choices: ALL_FLAVORS, default: 'mysql' as AnyFlavor, describe: 'mysql (9.7, chroot), mariadb (10.11), or mysql-8.0 / mysql-8.4 (Docker)' })
              .option('rows', { type: 'number', default: 0, describe: 'create app.users with this many rows' })
              .option('json', { type: 'boolean', default: false, describe: 'print connection details as one JSON line' }),
          async (args) => {
            if (!Number.isInteger(args.rows) || args.rows < 0) throw new OschangeError('USAGE', `--rows must be a whole number >= 0 (got ${args.rows})`, { exitCode: ExitCode.usage });
            await sandboxUp({ flavor: args.flavor, rows: args.rows, json: args.json, out: io.out, signal: io.signal });
          },
        )
        .command('down', 'stop every sandbox started with `sandbox up` on this machine', {}, async () => {
          await sandboxDown({ out: io.out });
        })
        .demandCommand(1, 'sandbox needs a subcommand: up or down'),
    )
    .version(packageVersion())
    .help()
    .strict()
    .exitProcess(false)
    .fail((msg: string | null, err: Error | undefined) => {
      if (err !== undefined) throw err;
      throw new OschangeError('USAGE', msg ?? 'bad usage', { exitCode: ExitCode.usage });
    })
    .wrap(Math.min(110, process.stdout.columns ?? 110));
  try {
    let helpShown = false;
    parser.showHelpOnFail(false);
    await parser.parseAsync([...argv], {}, (_err: unknown, _parsed: unknown, output: string) => {
      if (output !== '') {
        helpShown = true;
        io.out(output);
      }
    });
    void helpShown;
  } catch (err) {
    if (io.signal.aborted && !(err instanceof OschangeError)) return ExitCode.interrupted;
    io.err(`oschange: ${describeError(err)}`);
    exitCode = err instanceof OschangeError ? err.exitCode : ExitCode.failure;
  }
  return exitCode;
}
