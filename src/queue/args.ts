import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../cli/migration-options.js';
import { DEFAULTS, type MigrationConfig } from '../config.js';
import type { Endpoint } from '../db/dsn.js';

/**
 * What a queued migration stores: its own flags, as typed — never where to connect or as whom (the
 * runner brings those, and a password never lands in a table), nor what the runner decides
 * (--execute, --resume) or owns (the history, the metrics port, how progress is shown).
 */
const RUNNER_VALUE_FLAGS = new Set(['host', 'port', 'user', 'password', 'conf', 'ssl-ca', 'ssl-cert', 'ssl-key', 'assume-master-host', 'history-schema', 'requested-by', 'metrics-port', 'metrics-address', 'progress']);
const RUNNER_BOOLEAN_FLAGS = new Set(['ssl', 'ssl-allow-insecure', 'ask-pass', 'execute', 'resume', 'history']);

/** The migration flags of an argv, without the runner's (above). */
export function storedArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    const m = /^--(no-)?([^=]+)(=.*)?$/.exec(token);
    if (m === null) {
      out.push(token);
      continue;
    }
    const name = m[2] as string;
    const inline = m[3] !== undefined;
    if (RUNNER_VALUE_FLAGS.has(name)) {
      if (!inline) i++;
      continue;
    }
    if (RUNNER_BOOLEAN_FLAGS.has(name)) {
      if (!inline && (argv[i + 1] === 'true' || argv[i + 1] === 'false')) i++;
      continue;
    }
    out.push(token);
  }
  return out;
}

/**
 * A queued migration's config: its stored flags read by the migration's own parser, then the
 * runner's connection, history schema, and --resume when an interrupted run left a checkpoint.
 * Several queued migrations may run at once on one server, each with its own binlog reader; two
 * readers with one server id drop each other (error 1236), so a migration whose flags name no
 * --replica-server-id reads as the default id plus its queue id.
 */
export function queuedConfig(o: {
  readonly id: number;
  readonly args: readonly string[];
  readonly connection: Endpoint;
  readonly assumeMasterHost: MigrationConfig['assumeMasterHost'];
  readonly historySchema: string;
  readonly resume: boolean;
  /** An earlier attempt of this migration died before its first checkpoint: its empty ghost tables are dropped. */
  readonly startOver?: boolean;
}): { config: MigrationConfig } | { errors: string[] } {
  const argv = [...o.args, '--execute', ...(o.resume ? ['--resume'] : []), ...(o.startOver === true ? ['--initially-drop-ghost-table'] : [])];
  let raw: ReturnType<typeof parseRaw>;
  try {
    raw = parseRaw(argv);
  } catch (err) {
    return { errors: [err instanceof Error ? err.message : String(err)] };
  }
  const parsed = parseMigrationOptions(raw, { env: {}, readFile: () => '' });
  if ('errors' in parsed) return parsed;
  const ownServerId = o.args.some((a) => a === '--replica-server-id' || a.startsWith('--replica-server-id='));
  return {
    config: {
      ...parsed.config,
      replicaServerId: ownServerId ? parsed.config.replicaServerId : queuedServerId(o.id),
      connection: o.connection,
      assumeMasterHost: o.assumeMasterHost,
      historySchema: o.historySchema,
      metricsPort: undefined,
      progress: 'plain',
    },
  };
}

function parseRaw(argv: readonly string[]) {
  return migrationFlags(yargs([...argv]))
    .strict()
    .exitProcess(false)
    .fail((msg: string | null, err: Error | undefined) => {
      throw err ?? new Error(msg ?? 'bad flags');
    })
    .parseSync();
}

/** The binlog reader's server id of queued migration `id` when its flags name none (see queuedConfig). */
export function queuedServerId(id: number): number {
  return DEFAULTS.replicaServerId + (id % 4_000_000_000);
}
