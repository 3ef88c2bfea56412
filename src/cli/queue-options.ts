import type { Argv } from 'yargs';
import { DEFAULTS } from '../config.js';
import { ExitCode, OschangeError } from '../errors.js';
import { MIGRATION_STATES } from '../queue/states.js';
import { connectionFlags, migrationFlags } from './migration-options.js';
import { queueAdd, queueCancel, queueList, queuePostpone, queueRetry, queueRun } from './queue-command.js';

interface Io {
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
}

/** Where the queue is: the server (the migration's connection flags) and the schema of its table. */
function queueFlags<T>(y: Argv<T>) {
  return connectionFlags(y).option('history-schema', { type: 'string', default: DEFAULTS.historySchema, describe: 'the schema of the queue and history table `migrations`', group: 'Queue:' });
}

const idArg = <T>(y: Argv<T>) =>
  queueFlags(y).positional('id', { type: 'number', demandOption: true, describe: 'the migration\'s id (oschange queue list)' });

function id(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OschangeError('USAGE', `the migration id must be a whole number (got ${String(value)})`, { exitCode: ExitCode.usage });
  return n;
}

/**
 * `oschange queue …`: the migrations the server is to run, and the history of all that ran. Wiring
 * only; each command is a function in queue-command.ts. `setExit` takes the command's exit code.
 */
export function queueCommands<T>(y: Argv<T>, io: Io, argv: readonly string[]) {
  return y
    .command(
      'add',
      'queue a migration (the same flags as a migration; --execute is implied): oschange queue run runs it',
      (yy) => migrationFlags(yy),
      async (args) => {
        // The flags after `queue add`, as typed; the connection flags among them are not stored.
        const at = argv.indexOf('add', argv.indexOf('queue'));
        await queueAdd({ raw: args, argv: argv.slice(at + 1), out: io.out, signal: io.signal });
      },
    )
    .command(
      'list',
      'the queue and the history, newest first',
      (yy) =>
        queueFlags(yy)
          .option('state', { type: 'string', describe: `only these states, comma-separated (${MIGRATION_STATES.join(', ')})` })
          .option('table', { type: 'string', describe: 'only this table\'s migrations: database.table' })
          .option('limit', { type: 'number', default: 50, describe: 'at most this many' })
          .option('json', { type: 'boolean', default: false, describe: 'one JSON array' }),
      async (args) => {
        await queueList({ raw: args, out: io.out, signal: io.signal });
      },
    )
    .command('cancel <id>', 'cancel a waiting migration, or ask a running one to stop (its original table untouched)', idArg, async (args) => {
      await queueCancel({ raw: args, id: id(args.id), out: io.out, signal: io.signal });
    })
    .command('retry <id>', 'queue a failed, cancelled, interrupted or postponed migration again (an interrupted one resumes)', idArg, async (args) => {
      await queueRetry({ raw: args, id: id(args.id), out: io.out, signal: io.signal });
    })
    .command(
      'postpone <id>',
      'do not run a waiting migration before a time',
      (yy) =>
        idArg(yy)
          .option('for', { type: 'string', describe: 'from now, e.g. 2h or 1d' })
          .option('until', { type: 'string', describe: 'a date and time, e.g. 2026-12-02T01:00:00Z' }),
      async (args) => {
        await queuePostpone({ raw: args, id: id(args.id), out: io.out, signal: io.signal });
      },
    )
    .command(
      'run',
      'run the next due migration (--daemon: one after another until stopped)',
      (yy) =>
        queueFlags(yy)
          .option('daemon', { type: 'boolean', default: false, describe: 'keep going: look for due migrations every --poll-interval-seconds until SIGTERM' })
          .option('max-running', { type: 'number', default: 1, describe: 'at most this many queued migrations run on the server at once (across all schedulers)' })
          .option('poll-interval-seconds', { type: 'number', default: 30, describe: 'with --daemon: how often to look for due migrations' })
          .option('metrics-port', { type: 'number', describe: 'serve Prometheus metrics of the running migration on http://ADDRESS:PORT/metrics' })
          .option('metrics-address', { type: 'string', default: DEFAULTS.metricsAddress, describe: 'the address --metrics-port listens on (0.0.0.0 in a container)' }),
      async (args) => {
        await queueRun({ raw: args, out: io.out, signal: io.signal });
      },
    )
    .demandCommand(1, 'queue needs a subcommand: add, list, cancel, retry, postpone or run');
}
