import type { Argv } from 'yargs';
import yargs from 'yargs';
import type { MigrationConfig } from '../config.js';
import { DEFAULTS } from '../config.js';
import { connectionFlags, migrationFlags, parseMigrationOptions, type ParseSources, type RawMigrationOptions } from './migration-options.js';

/** The flags of `oschange revert`: the migration's names for every setting the two share. */
export function revertFlags<T>(y: Argv<T>) {
  return connectionFlags(y)
    .option('assume-master-host', { type: 'string', describe: 'host[:port] of the primary, when --host is a replica', group: 'Connection:' })
    .option('database', { type: 'string', describe: 'database of the table', group: 'Revert:' })
    .option('table', { type: 'string', describe: 'the migrated table to swap its old table back into', group: 'Revert:' })
    .option('execute', { type: 'boolean', default: false, describe: 'really revert (without it: check, say what would happen and whether it is exact, change nothing)', group: 'Revert:' })
    .option('allow-inexact-revert', { type: 'boolean', default: false, describe: 'swap back even when rows hold what the old schema cannot (values of added columns, values too long or out of range): they are lost or changed', group: 'Revert:' })
    .option('checksum', { type: 'boolean', default: true, describe: 'before the swap back, compare the table and the old table row for row (--no-checksum to skip)', group: 'Revert:' })
    .option('checksum-chunk-size', { type: 'number', default: DEFAULTS.checksumChunkSize, describe: 'rows per checksum chunk', group: 'Revert:' })
    .option('cut-over-lock-timeout-seconds', { type: 'number', default: DEFAULTS.cutOverLockTimeoutSeconds, describe: 'longest the table may stay locked at the swap back', group: 'Revert:' })
    .option('default-retries', { type: 'number', default: DEFAULTS.defaultRetries, describe: 'attempts for the swap and retryable errors', group: 'Revert:' })
    .option('postpone-cut-over-flag-file', { type: 'string', describe: 'while this file exists, keep the old table in sync and do not swap back', group: 'Revert:' })
    .option('dml-batch-size', { type: 'number', default: DEFAULTS.dmlBatchSize, describe: 'binlog row events applied per transaction', group: 'Tuning:' })
    .option('heartbeat-interval-millis', { type: 'number', default: DEFAULTS.heartbeatIntervalMs, describe: 'how often to write the heartbeat that measures lag', group: 'Tuning:' })
    .option('replica-server-id', { type: 'number', default: DEFAULTS.replicaServerId, describe: 'server id of oschange\'s binlog reader (unique among replicas)', group: 'Tuning:' })
    .option('checkpoint-interval-seconds', { type: 'number', default: DEFAULTS.checkpointIntervalSeconds, describe: 'how often the replay\'s progress is saved', group: 'Tuning:' })
    .option('max-lag-millis', { type: 'number', default: DEFAULTS.maxLagMillis, describe: 'throttle while a control replica lags this much or more', group: 'Throttling:' })
    .option('throttle-control-replicas', { type: 'string', describe: 'host:port,… replicas whose lag throttles (default: those registered with the primary)', group: 'Throttling:' })
    .option('max-load', { type: 'string', describe: "throttle at status values, e.g. 'Threads_running=25'", group: 'Throttling:' })
    .option('critical-load', { type: 'string', describe: 'abort at these status values (the table untouched)', group: 'Throttling:' })
    .option('throttle-flag-file', { type: 'string', describe: 'throttle while this file exists', group: 'Throttling:' })
    .option('throttle-query', { type: 'string', describe: 'throttle while this query returns a non-zero value', group: 'Throttling:' })
    .option('panic-flag-file', { type: 'string', describe: 'abort when this file appears (the table untouched)', group: 'Control:' })
    .option('serve-socket-file', { type: 'string', describe: 'unix socket for commands (default /tmp/oschange.<db>.<table>.sock)', group: 'Control:' })
    .option('hooks-path', { type: 'string', describe: 'directory of oschange-on-<event>* executables', group: 'Control:' })
    .option('status-interval-millis', { type: 'number', default: 0, describe: 'print the status line this often (0: every 1 s early on, less often later)', group: 'Output:' });
}

export interface RawRevertOptions {
  readonly 'allow-inexact-revert'?: boolean | undefined;
  readonly [flag: string]: unknown;
}

/**
 * The revert's flags read by the migration's own parser (one setting, one parser): every migration
 * flag at its default, the revert's given ones over them. The ALTER comes from the server's record,
 * so a stand-in satisfies the parser and is replaced there.
 */
export function parseRevertOptions(raw: RawRevertOptions, sources: ParseSources): { config: MigrationConfig; allowInexact: boolean } | { errors: string[] } {
  const defaults = migrationFlags(yargs([])).parseSync();
  const given = Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== undefined && k !== '_' && k !== '$0'));
  const merged = { ...defaults, ...given, alter: 'revert', 'attempt-instant-ddl': false } as RawMigrationOptions;
  const parsed = parseMigrationOptions(merged, sources);
  if ('errors' in parsed) return parsed;
  return { config: parsed.config, allowInexact: raw['allow-inexact-revert'] === true };
}
