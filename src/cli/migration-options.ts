import type { Argv } from 'yargs';
import { type ForeignKeysMethod, DEFAULTS, type MigrationConfig } from '../config.js';
import { GHOST_FLAGS } from './gh-ost-compat.js';
import type { Endpoint } from '../db/dsn.js';
import { DATA_LOSS_KINDS, type DataLossKind } from '../lint/finding.js';
import { LINT_RULES } from '../lint/registry.js';
import { parseMyCnf } from './my-cnf.js';
import { LOAD_SPEC_FORM, parseLoadSpec } from '../throttle/load-spec.js';
import { HOST_PORT_FORM, parseHostPortList } from '../throttle/host-port.js';
import { parseTlsOptions, TLS_FLAG_HELP, type RawTlsOptions } from './tls-options.js';
import { parseWindowOptions, type RawWindowOptions } from '../schedule/window-options.js';
import { parseWriteRate, WRITE_RATE_FORM, type WriteRateScope } from '../throttle/write-rate.js';
import { readStatementOption } from './statement-option.js';
import { checkSeveral, readTableChanges } from './table-changes.js';
import { parseKeepReverseSync } from './keep-reverse-sync.js';

/** Where to connect and as whom: the migration's flags, and oschange lint's (one parser, parseConnectionOptions). */
export function connectionFlags<T>(y: Argv<T>) {
  return y
    .option('host', { type: 'string', describe: 'MySQL host (the primary, or a replica whose primary is then used)', group: 'Connection:' })
    .option('port', { type: 'number', describe: `MySQL port (default ${DEFAULTS.port})`, group: 'Connection:' })
    .option('user', { type: 'string', describe: 'MySQL user', group: 'Connection:' })
    .option('password', { type: 'string', describe: 'MySQL password. On the command line other users can see it (ps) until oschange hides it; prefer OSCHANGE_PASSWORD or MYSQL_PWD in the environment, --conf FILE ([client] password=…), or --ask-pass', group: 'Connection:' })
    .option('ask-pass', { type: 'boolean', default: false, describe: 'prompt for the password', group: 'Connection:' })
    .option('conf', { type: 'string', describe: 'my.cnf-style file with a [client] section (user, password, host, port)', group: 'Connection:' })
    .option('ssl', { type: 'boolean', default: false, describe: TLS_FLAG_HELP.ssl, group: 'Connection:' })
    .option('ssl-ca', { type: 'string', describe: TLS_FLAG_HELP['ssl-ca'], group: 'Connection:' })
    .option('ssl-cert', { type: 'string', describe: TLS_FLAG_HELP['ssl-cert'], group: 'Connection:' })
    .option('ssl-key', { type: 'string', describe: TLS_FLAG_HELP['ssl-key'], group: 'Connection:' })
    .option('ssl-allow-insecure', { type: 'boolean', default: false, describe: TLS_FLAG_HELP['ssl-allow-insecure'], group: 'Connection:' });
}

/** The flags of the migration command (gh-ost's names where gh-ost has them). */
export function migrationFlags<T>(y: Argv<T>) {
  return ghostCompatFlags(connectionFlags(y))
    .option('assume-master-host', { type: 'string', describe: 'host[:port] of the primary, when --host is a replica', group: 'Connection:' })
    .option('allow-on-master', { type: 'boolean', default: true, describe: 'accepted for gh-ost compatibility: oschange runs on the primary', group: 'Connection:' })
    .option('database', { type: 'string', describe: 'database of the table', group: 'Migration:' })
    .option('table', { type: 'string', describe: 'table to alter (again, each with its --alter: several tables swapped in one cut-over)', group: 'Migration:' })
    .option('alter', { type: 'string', describe: 'the ALTER TABLE clause, e.g. "ADD COLUMN phone VARCHAR(20)"; one after each --table', group: 'Migration:' })
    .option('execute', { type: 'boolean', default: false, describe: 'really migrate (without it: validate and print the plan, change nothing)', group: 'Migration:' })
    .option('approve-renamed-columns', { type: 'boolean', default: false, describe: 'the ALTER renames columns (CHANGE COLUMN old new): copy old values into the new names', group: 'Migration:' })
    .option('allow-data-loss', { type: 'string', describe: `accept values changed by the ALTER, by kind (${DATA_LOSS_KINDS.join(', ')}); without it such an ALTER is refused (README, "What oschange refuses")`, group: 'Migration:' })
    .option('allow', { type: 'string', describe: 'run --execute despite error-level lint findings of these rules (ids, comma-separated; see oschange lint): the dry run lists them', group: 'Migration:' })
    .option('exact-rowcount', { type: 'boolean', default: false, describe: 'count rows with SELECT COUNT(*) for exact progress (slow on big tables)', group: 'Migration:' })
    .option('initially-drop-ghost-table', { type: 'boolean', default: false, describe: 'drop a leftover ghost/changelog table first', group: 'Tables:' })
    .option('initially-drop-old-table', { type: 'boolean', default: false, describe: 'drop a leftover _T_del table first', group: 'Tables:' })
    .option('resume', { type: 'boolean', default: false, describe: 'go on with an interrupted migration from its checkpoint (_T_ghk), reusing its ghost table', group: 'Tables:' })
    .option('ok-to-drop-table', { type: 'boolean', default: false, describe: 'drop the old table after the cut-over (default: keep it as _T_del)', group: 'Tables:' })
    .option('keep-reverse-sync', { type: 'string', describe: 'after the swap, keep the old table _T_del in sync with the new one for this long (e.g. 30m; 0: only record the cut-over), so `oschange revert` can swap it back (README, "Rolling back")', group: 'Tables:' })
    .option('chunk-size', { type: 'number', describe: `rows per copy chunk: the first chunk's size, and every chunk's when set without --chunk-time-millis (default ${DEFAULTS.chunkSize}, adapting)`, group: 'Tuning:' })
    .option('chunk-time-millis', { type: 'number', describe: `target time per copy chunk; the chunk size moves toward it (default ${DEFAULTS.chunkTimeMillis} unless --chunk-size is set; 0 = fixed size)`, group: 'Tuning:' })
    .option('copy-threads', { type: 'number', describe: 'copy workers over disjoint key ranges (default: half the cores for a server on this host, 1 to 4; 4 for a remote one)', group: 'Tuning:' })
    .option('attempt-instant-ddl', { type: 'boolean', default: true, describe: 'first try the ALTER as ALGORITHM=INSTANT, and skip the copy when the server can (--no-attempt-instant-ddl to always copy)', group: 'Tuning:' })
    .option('dml-batch-size', { type: 'number', default: DEFAULTS.dmlBatchSize, describe: 'binlog row events applied per transaction', group: 'Tuning:' })
    .option('heartbeat-interval-millis', { type: 'number', default: DEFAULTS.heartbeatIntervalMs, describe: 'how often to write the heartbeat that measures lag', group: 'Tuning:' })
    .option('replica-server-id', { type: 'number', default: DEFAULTS.replicaServerId, describe: 'server id of oschange\'s binlog reader (unique among replicas)', group: 'Tuning:' })
    .option('cut-over-lock-timeout-seconds', { type: 'number', default: DEFAULTS.cutOverLockTimeoutSeconds, describe: 'longest the original table may stay locked at cut-over', group: 'Cut-over:' })
    .option('default-retries', { type: 'number', default: DEFAULTS.defaultRetries, describe: 'attempts for cut-over and retryable errors', group: 'Cut-over:' })
    .option('checksum', { type: 'boolean', default: true, describe: 'before the cut-over, compare original and ghost chunk by chunk and repair differences (--no-checksum to skip)', group: 'Cut-over:' })
    .option('checksum-chunk-size', { type: 'number', default: DEFAULTS.checksumChunkSize, describe: 'rows per checksum chunk', group: 'Cut-over:' })
    .option('checkpoint-interval-seconds', { type: 'number', default: DEFAULTS.checkpointIntervalSeconds, alias: 'checkpoint-seconds', describe: 'how often progress is saved for --resume', group: 'Tuning:' })
    .option('reconnect-timeout-seconds', { type: 'number', default: DEFAULTS.reconnectTimeoutSeconds, describe: 'after a lost connection, keep trying to reconnect and go on for this long', group: 'Tuning:' })
    .option('postpone-cut-over-flag-file', { type: 'string', describe: 'while this file exists, keep the ghost in sync and do not cut over', group: 'Cut-over:' })
    .option('max-lag-millis', { type: 'number', default: DEFAULTS.maxLagMillis, describe: 'throttle while a control replica lags this much or more', group: 'Throttling:' })
    .option('throttle-control-replicas', { type: 'string', describe: 'host:port,… replicas whose lag throttles (default: those registered with the primary)', group: 'Throttling:' })
    .option('max-load', { type: 'string', describe: "throttle at status values, e.g. 'Threads_running=25,Threads_connected=500'", group: 'Throttling:' })
    .option('critical-load', { type: 'string', describe: 'abort at these status values (original table untouched)', group: 'Throttling:' })
    .option('critical-load-interval-millis', { type: 'number', default: 0, describe: 'on critical load, look again after this long before aborting', group: 'Throttling:' })
    .option('throttle-flag-file', { type: 'string', describe: 'throttle while this file exists', group: 'Throttling:' })
    .option('throttle-additional-flag-file', { type: 'string', describe: 'a second throttle flag file', group: 'Throttling:' })
    .option('throttle-query', { type: 'string', describe: 'throttle while this query returns a non-zero value', group: 'Throttling:' })
    .option('throttle-http', { type: 'string', describe: 'throttle while this URL does not answer 200', group: 'Throttling:' })
    .option('nice-ratio', { type: 'number', default: 0, describe: 'after each chunk, sleep this fraction of its time (1 = half speed)', group: 'Throttling:' })
    .option('panic-flag-file', { type: 'string', describe: 'abort when this file appears (original table untouched)', group: 'Control:' })
    .option('serve-socket-file', { type: 'string', describe: 'unix socket for commands (default /tmp/oschange.<db>.<table>.sock)', group: 'Control:' })
    .option('serve-tcp-port', { type: 'number', describe: 'also take commands on 127.0.0.1:PORT (needs --serve-tcp-token-file)', group: 'Control:' })
    .option('serve-tcp-token-file', { type: 'string', describe: 'file (mode 600) holding the token a TCP client must send first, as "auth TOKEN"', group: 'Control:' })
    .option('allow-socket-throttle-query-any', { type: 'boolean', default: false, describe: 'let socket users set any throttle-query (default: a single read-only SELECT only)', group: 'Control:' })
    .option('allow-socket-throttle-control-replicas-any', { type: 'boolean', default: false, describe: 'let socket users name any host in throttle-control-replicas (default: the primary\'s replicas and those given here)', group: 'Control:' })
    .option('hooks-path', { type: 'string', describe: 'directory of oschange-on-<event>* executables', group: 'Control:' })
    .option('hooks-status-interval', { type: 'number', default: DEFAULTS.hooksStatusIntervalSeconds, describe: 'seconds between on-status hooks', group: 'Control:' })
    .option('status-interval-millis', { type: 'number', default: 0, describe: 'print the status line this often (0: every 1 s early on, less often later)', group: 'Output:' })
    .option('analyze-ghost-table-before-cutover', { type: 'boolean', default: false, describe: 'ANALYZE TABLE the ghost before the swap, so the optimizer starts with fresh statistics', group: 'Cut-over:' })
    // --- triggers and foreign keys (docs/design.md, "Triggers" and "Foreign keys")
    .option('include-triggers', { type: 'boolean', default: false, describe: 'migrate a table with triggers: they move to the new table inside the cut-over lock, with their names, bodies, order and definer', group: 'Triggers and foreign keys:' })
    .option('alter-foreign-keys-method', { choices: ['rebuild_constraints', 'drop_swap', 'none'] as const, describe: 'how child tables\' foreign keys follow the swap (pt-osc\'s names): re-pointed after it, the old table dropped inside it, or left on the old table', group: 'Triggers and foreign keys:' })
    .option('discard-foreign-keys', { type: 'boolean', default: false, describe: 'the new table does not get the table\'s own foreign keys (gh-ost\'s flag): they are gone after the swap', group: 'Triggers and foreign keys:' })
    .option('window', { type: 'string', array: true, describe: 'copy only inside these windows: a cron expression (5 fields, or 6 with seconds first) that opens one; repeat for several, e.g. --window "0 1 * * 1-5"', group: 'Windows:' })
    .option('window-duration', { type: 'string', describe: 'how long each window stays open, e.g. 4h, 90m, 1h30m', group: 'Windows:' })
    .option('window-tz', { type: 'string', describe: 'the time zone the windows are read in, e.g. Europe/Berlin (default: this machine\'s, as cron)', group: 'Windows:' })
    .option('cut-over-window', { type: 'string', array: true, describe: 'cut over only inside these windows (default: the --window ones); the checksum and cut-over start only when they can end before the window does', group: 'Windows:' })
    .option('cut-over-window-duration', { type: 'string', describe: 'how long each cut-over window stays open (default: --window-duration)', group: 'Windows:' })
    .option('max-write-rate', { type: 'string', describe: 'hold the copy while the application writes more rows per second than this, e.g. 500/s (see --max-write-rate-scope)', group: 'Throttling:' })
    .option('max-write-rate-scope', { choices: ['table', 'server'] as const, default: 'table' as const, describe: 'whose writes --max-write-rate counts: the table\'s (from the binlog) or the server\'s (InnoDB row counters, less oschange\'s own)', group: 'Throttling:' })
    .option('write-rate-window-seconds', { type: 'number', default: DEFAULTS.writeRateWindowSeconds, describe: 'the moving window --max-write-rate is measured over', group: 'Throttling:' })
    .option('metrics-port', { type: 'number', describe: 'serve Prometheus metrics on http://ADDRESS:PORT/metrics', group: 'Output:' })
    .option('metrics-address', { type: 'string', default: DEFAULTS.metricsAddress, describe: 'the address --metrics-port listens on (0.0.0.0 in a container)', group: 'Output:' })
    .option('progress', { choices: ['auto', 'bar', 'plain'] as const, default: 'auto' as const, describe: 'a progress bar on a terminal (auto), or the plain status line (always, when output is not a terminal)', group: 'Output:' })
    // --- cut-over under pressure, and statements (issue 14)
    .option('statement', { type: 'string', describe: 'the change as a statement instead of --table/--alter: "ALTER TABLE t …", "CREATE [UNIQUE] INDEX i ON t (…)" or "DROP INDEX i ON t" (t or db.t); several, separated by ";", change several tables in one cut-over', group: 'Migration:' })
    .option('force-kill-blockers-after', { type: 'number', describe: 'after N cut-over attempts whose lock timed out (--cut-over-lock-timeout-seconds), kill the sessions holding a lock on the table (each named in the log first); needs performance_schema (MySQL) or the metadata_lock_info plugin (MariaDB)', group: 'Cut-over:' })
    .option('timestamp-old-table', { type: 'boolean', default: false, describe: 'keep the old table as _T_<yyyymmddhhmmss>_del (UTC, when the migration started) instead of _T_del, so repeated migrations do not collide', group: 'Tables:' })
    .option('history', { type: 'boolean', default: true, describe: 'record the migration in the history table (--no-history: do not)', group: 'History:' })
    .option('history-schema', { type: 'string', default: DEFAULTS.historySchema, describe: 'the schema of the history and queue table `migrations`', group: 'History:' })
    .option('requested-by', { type: 'string', describe: 'who asks for this migration, as the history records it (default: user@host)', group: 'History:' });
}

/**
 * gh-ost's flags oschange reads under another name or explains (src/cli/gh-ost-compat.ts): taken on
 * the command line so that gh-ost invocations run unchanged, and kept out of --help (the README
 * lists them all).
 */
export function ghostCompatFlags<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const [name, f] of GHOST_FLAGS) {
    if (f.kind === 'same') continue;
    out = out.option(name, { type: f.value ? 'string' : 'boolean', hidden: true });
  }
  return out;
}

/** What gh-ost flags given on the command line mean here: notes to print, and refusals. */
export function readGhostFlags(raw: Readonly<Record<string, unknown>>): { notes: string[]; errors: string[] } {
  const notes: string[] = [];
  const errors: string[] = [];
  for (const [name, f] of GHOST_FLAGS) {
    const v = raw[name];
    if (v === undefined || v === false || f.kind === 'same') continue;
    if (f.kind === 'noted') notes.push(`--${name} (gh-ost): ${f.why}`);
    else errors.push(`--${name} (gh-ost) is not taken: ${f.why}`);
  }
  return { notes, errors };
}

export interface RawMigrationOptions extends RawTlsOptions, RawWindowOptions {
  readonly 'max-write-rate'?: string | undefined;
  readonly 'max-write-rate-scope'?: WriteRateScope | undefined;
  readonly 'write-rate-window-seconds'?: number | undefined;
  readonly 'metrics-port'?: number | undefined;
  readonly 'metrics-address'?: string | undefined;
  readonly progress?: 'auto' | 'bar' | 'plain' | undefined;
  readonly history?: boolean | undefined;
  readonly 'history-schema'?: string | undefined;
  readonly 'analyze-ghost-table-before-cutover'?: boolean;
  readonly 'include-triggers'?: boolean | undefined;
  readonly 'alter-foreign-keys-method'?: ForeignKeysMethod | undefined;
  readonly 'discard-foreign-keys'?: boolean | undefined;
  readonly host?: string | undefined;
  readonly port?: number | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly conf?: string | undefined;
  readonly 'assume-master-host'?: string | undefined;
  readonly database?: string | undefined;
  readonly table?: string | undefined;
  readonly alter?: string | undefined;
  readonly allow?: string | undefined;
  readonly execute: boolean;
  readonly 'approve-renamed-columns': boolean;
  readonly 'allow-data-loss'?: string | undefined;
  readonly 'exact-rowcount': boolean;
  readonly 'initially-drop-ghost-table': boolean;
  readonly 'initially-drop-old-table': boolean;
  readonly resume: boolean;
  readonly checksum: boolean;
  readonly 'checksum-chunk-size': number;
  readonly 'checkpoint-interval-seconds': number;
  readonly 'reconnect-timeout-seconds': number;
  readonly 'ok-to-drop-table': boolean;
  readonly 'keep-reverse-sync'?: string | undefined;
  readonly 'chunk-size'?: number | undefined;
  readonly 'chunk-time-millis'?: number | undefined;
  readonly 'copy-threads'?: number | undefined;
  readonly 'attempt-instant-ddl': boolean;
  readonly 'dml-batch-size': number;
  readonly 'heartbeat-interval-millis': number;
  readonly 'replica-server-id': number;
  readonly 'cut-over-lock-timeout-seconds': number;
  readonly 'default-retries': number;
  readonly 'postpone-cut-over-flag-file'?: string | undefined;
  readonly 'status-interval-millis': number;
  readonly 'max-lag-millis': number;
  readonly 'throttle-control-replicas'?: string | undefined;
  readonly 'max-load'?: string | undefined;
  readonly 'critical-load'?: string | undefined;
  readonly 'critical-load-interval-millis': number;
  readonly 'throttle-flag-file'?: string | undefined;
  readonly 'throttle-additional-flag-file'?: string | undefined;
  readonly 'throttle-query'?: string | undefined;
  readonly 'throttle-http'?: string | undefined;
  readonly 'nice-ratio': number;
  readonly 'panic-flag-file'?: string | undefined;
  readonly 'serve-socket-file'?: string | undefined;
  readonly 'serve-tcp-port'?: number | undefined;
  readonly 'serve-tcp-token-file'?: string | undefined;
  readonly 'allow-socket-throttle-query-any'?: boolean | undefined;
  readonly 'allow-socket-throttle-control-replicas-any'?: boolean | undefined;
  readonly 'hooks-path'?: string | undefined;
  readonly 'hooks-status-interval': number;
  // --- cut-over under pressure, and statements (issue 14)
  readonly statement?: string | undefined;
  readonly 'force-kill-blockers-after'?: number | undefined;
  readonly 'timestamp-old-table'?: boolean | undefined;
}

export interface ParseSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  /** The password typed at --ask-pass's prompt, if asked. */
  readonly askedPassword?: string | undefined;
}

/** Validates raw flags into a MigrationConfig, reporting every problem at once. */
export function parseMigrationOptions(raw: RawMigrationOptions, sources: ParseSources): { config: MigrationConfig } | { errors: string[] } {
  const ghost = readGhostFlags(raw as unknown as Readonly<Record<string, unknown>>);
  const errors: string[] = [...ghost.errors];
  const required = (name: string, value: string | undefined): string => {
    // yargs gives an array for a flag given twice (`--database a --database b`).
    if (Array.isArray(value)) {
      errors.push(`--${name} is given ${value.length} times: give it once`);
      return '';
    }
    if (value === undefined || value.trim() === '') errors.push(`--${name} is required`);
    return value ?? '';
  };
  // --statement "CREATE INDEX i ON t (a)" names the table and the change itself (src/cli/statement-option.ts).
  const fromStatement = raw.statement === undefined ? undefined : readStatementOption(raw, errors);
  const database = fromStatement?.database ?? required('database', raw.database);
  // `--table a --alter … --table b --alter …`: several tables, one cut-over (src/cli/table-changes.ts).
  const changes = fromStatement === undefined ? readTableChanges(raw, errors) : [{ table: fromStatement.table, alter: fromStatement.alter }, ...fromStatement.also];
  const [{ table, alter } = { table: '', alter: '' }, ...alsoTables] = changes;
  checkSeveral(changes, raw, errors);
  const connection = parseConnectionOptions(raw, sources, errors);
  const int = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (!Number.isInteger(value) || value < min || value > max) errors.push(`--${name} must be a whole number from ${min} to ${max} (got ${String(value)})`);
    return value;
  };
  const port = connection.port;
  let assumeMasterHost: MigrationConfig['assumeMasterHost'];
  if (raw['assume-master-host'] !== undefined) {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw['assume-master-host']);
    if (m === null) errors.push(`--assume-master-host must be host or host:port (got ${raw['assume-master-host']})`);
    else assumeMasterHost = { host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port: m[2] === undefined ? port : Number(m[2]) };
  }
  // The same parsers as the socket's settings (src/control/settings.ts): one setting, one parser.
  function listOr<T>(name: string, value: string | undefined, parse: (v: string) => T | { readonly problem: string }, form: string, fallback: T): T {
    if (value === undefined) return fallback;
    const r = parse(value);
    if (isProblem(r)) {
      errors.push(`--${name} must be ${form} (got ${value}${r.problem})`);
      return fallback;
    }
    return r;
  }
  const ratio = (v: number): number => {
    if (!Number.isFinite(v) || v < 0 || v > 100) errors.push(`--nice-ratio must be a number from 0 to 100 (got ${String(v)})`);
    return v;
  };
  const dataLoss = (spec: string | undefined): ReadonlySet<DataLossKind> => {
    if (spec === undefined) return new Set();
    const kinds = parseDataLossKinds(spec);
    if ('error' in kinds) {
      errors.push(`--allow-data-loss: ${kinds.error}`);
      return new Set();
    }
    return kinds;
  };
  const config: MigrationConfig = {
    connection,
    assumeMasterHost,
    database,
    table,
    alter,
    execute: raw.execute,
    chunkSize: int('chunk-size', raw['chunk-size'] ?? DEFAULTS.chunkSize, 10, 1_000_000),
    // An explicit --chunk-size alone means a fixed size (gh-ost's meaning); otherwise the size adapts.
    chunkTimeMs: int('chunk-time-millis', raw['chunk-time-millis'] ?? (raw['chunk-size'] === undefined ? DEFAULTS.chunkTimeMillis : 0), 0, 60_000),
    copyThreads: raw['copy-threads'] === undefined ? undefined : int('copy-threads', raw['copy-threads'], 1, 64),
    // --keep-reverse-sync needs an old table to revert to, which an in-place (instant) ALTER does not leave.
    attemptInstantDdl: raw['attempt-instant-ddl'] && raw['keep-reverse-sync'] === undefined,
    dmlBatchSize: int('dml-batch-size', raw['dml-batch-size'], 1, 10_000),
    heartbeatIntervalMs: int('heartbeat-interval-millis', raw['heartbeat-interval-millis'], 10, 60_000),
    replicaServerId: int('replica-server-id', raw['replica-server-id'], 1, 4_294_967_295),
    initiallyDropGhostTable: raw['initially-drop-ghost-table'],
    initiallyDropOldTable: raw['initially-drop-old-table'],
    okToDropTable: raw['ok-to-drop-table'],
    keepReverseSyncMs: parseKeepReverseSync(raw, errors),
    resume: raw.resume,
    checksum: raw.checksum,
    checksumChunkSize: int('checksum-chunk-size', raw['checksum-chunk-size'], 100, 10_000_000),
    checkpointIntervalMs: int('checkpoint-interval-seconds', raw['checkpoint-interval-seconds'], 1, 3600) * 1000,
    reconnectTimeoutMs: int('reconnect-timeout-seconds', raw['reconnect-timeout-seconds'], 0, 86_400) * 1000,
    approveRenamedColumns: raw['approve-renamed-columns'],
    allowDataLoss: dataLoss(raw['allow-data-loss']),
    allowRules: listOr('allow', raw.allow, parseRuleIds, 'lint rule ids, comma-separated', new Set<string>()),
    cutOverLockTimeoutSeconds: int('cut-over-lock-timeout-seconds', raw['cut-over-lock-timeout-seconds'], 1, 3600),
    defaultRetries: int('default-retries', raw['default-retries'], 1, 10_000),
    exactRowcount: raw['exact-rowcount'],
    postponeCutOverFlagFile: raw['postpone-cut-over-flag-file'],
    statusIntervalMs: int('status-interval-millis', raw['status-interval-millis'], 0, 3_600_000),
    maxLagMillis: int('max-lag-millis', raw['max-lag-millis'], 100, 3_600_000),
    throttleControlReplicas: listOr('throttle-control-replicas', raw['throttle-control-replicas'], parseHostPortList, HOST_PORT_FORM, []),
    maxLoad: listOr('max-load', raw['max-load'], parseLoadSpec, LOAD_SPEC_FORM, new Map()),
    criticalLoad: listOr('critical-load', raw['critical-load'], parseLoadSpec, LOAD_SPEC_FORM, new Map()),
    criticalLoadIntervalMs: int('critical-load-interval-millis', raw['critical-load-interval-millis'], 0, 3_600_000),
    throttleFlagFile: raw['throttle-flag-file'],
    throttleAdditionalFlagFile: raw['throttle-additional-flag-file'],
    throttleQuery: raw['throttle-query'],
    throttleHttp: raw['throttle-http'],
    niceRatio: ratio(raw['nice-ratio']),
    panicFlagFile: raw['panic-flag-file'],
    serveSocketFile: raw['serve-socket-file'],
    serveTcpPort: raw['serve-tcp-port'] === undefined ? undefined : int('serve-tcp-port', raw['serve-tcp-port'], 0, 65535),
    serveTcpTokenFile: raw['serve-tcp-token-file'],
    allowSocketThrottleQueryAny: raw['allow-socket-throttle-query-any'] ?? false,
    allowSocketThrottleControlReplicasAny: raw['allow-socket-throttle-control-replicas-any'] ?? false,
    hooksPath: raw['hooks-path'],
    hooksStatusIntervalSeconds: int('hooks-status-interval', raw['hooks-status-interval'], 1, 86_400),
    // --- cut-over under pressure, and statements (issue 14)
    forceKillBlockersAfter: raw['force-kill-blockers-after'] === undefined ? undefined : int('force-kill-blockers-after', raw['force-kill-blockers-after'], 0, 10_000),
    timestampOldTable: raw['timestamp-old-table'] ?? false,
    statement: fromStatement === undefined ? undefined : Array.isArray(raw.statement) ? (raw.statement as readonly string[]).join('; ') : raw.statement,
    alsoTables,
    analyzeGhostTableBeforeCutOver: raw['analyze-ghost-table-before-cutover'] ?? false,
    includeTriggers: raw['include-triggers'] ?? false,
    alterForeignKeysMethod: raw['alter-foreign-keys-method'],
    discardForeignKeys: raw['discard-foreign-keys'] ?? false,
    notes: ghost.notes,
    windows: parseWindowOptions(raw, errors),
    maxWriteRate: listOr('max-write-rate', raw['max-write-rate'], parseWriteRate, WRITE_RATE_FORM, undefined),
    writeRateScope: raw['max-write-rate-scope'] ?? 'table',
    writeRateWindowMs: int('write-rate-window-seconds', raw['write-rate-window-seconds'] ?? DEFAULTS.writeRateWindowSeconds, 1, 3600) * 1000,
    metricsPort: raw['metrics-port'] === undefined ? undefined : int('metrics-port', raw['metrics-port'], 0, 65535),
    metricsAddress: raw['metrics-address'] ?? DEFAULTS.metricsAddress,
    historySchema: raw.history === false ? undefined : raw['history-schema'] ?? DEFAULTS.historySchema,
    progress: raw.progress ?? 'auto',
  };
  // Any local user can connect to a TCP port: without a token it would hand them the migration.
  if (raw['serve-tcp-port'] !== undefined && raw['serve-tcp-token-file'] === undefined) {
    errors.push('--serve-tcp-port needs --serve-tcp-token-file FILE: any local user can connect to a TCP port, so TCP clients must first send the token from that file (mode 600)');
  }
  if (raw['serve-tcp-token-file'] !== undefined && raw['serve-tcp-port'] === undefined) errors.push('--serve-tcp-token-file is only used with --serve-tcp-port');
  // --- cut-over under pressure (issue 14)
  const killAfter = raw['force-kill-blockers-after'];
  if (killAfter !== undefined && Number.isInteger(killAfter) && killAfter >= raw['default-retries']) {
    errors.push(`--force-kill-blockers-after ${killAfter} never takes effect: the cut-over is tried --default-retries ${raw['default-retries']} times at most`);
  }
  return errors.length > 0 ? { errors } : { config };
}

export type RawConnectionOptions = Pick<RawMigrationOptions, 'host' | 'port' | 'user' | 'password' | 'conf' | keyof RawTlsOptions>;

/**
 * Where to connect: --host/--port/--user, the password (as asked, --password, --conf's [client],
 * OSCHANGE_PASSWORD, MYSQL_PWD — in that order), and the TLS flags (files read here). Problems go
 * to `errors`. Shared by the migration and oschange lint.
 */
export function parseConnectionOptions(raw: RawConnectionOptions, sources: ParseSources, errors: string[]): Endpoint {
  let cnf: ReturnType<typeof parseMyCnf> = {};
  if (raw.conf !== undefined) {
    try {
      cnf = parseMyCnf(sources.readFile(raw.conf));
    } catch (err) {
      errors.push(`--conf ${raw.conf}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  const port = raw.port ?? cnf.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) errors.push(`--port must be a whole number from 1 to 65535 (got ${String(port)})`);
  const password = sources.askedPassword ?? raw.password ?? cnf.password ?? sources.env['OSCHANGE_PASSWORD'] ?? sources.env['MYSQL_PWD'] ?? '';
  const { tls, errors: tlsErrors } = parseTlsOptions(raw, sources.readFile);
  errors.push(...tlsErrors);
  return { host: raw.host ?? cnf.host ?? '127.0.0.1', port, user: raw.user ?? cnf.user ?? sources.env['USER'] ?? 'root', password, ...(tls === undefined ? {} : { tls }) };
}

/** `drop-column,rename-column` → the set of lint rule ids, or what is wrong with it. */
export function parseRuleIds(spec: string): ReadonlySet<string> | { readonly problem: string } {
  const ids = new Set<string>();
  for (const part of spec.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    if (!LINT_RULES.some((r) => r.id === part)) return { problem: `: "${part}" is not a lint rule; they are ${LINT_RULES.map((r) => r.id).join(', ')}` };
    ids.add(part);
  }
  return ids;
}

function isProblem(r: unknown): r is { readonly problem: string } {
  return typeof r === 'object' && r !== null && 'problem' in r;
}

/** `truncate,null-to-default` → the set of kinds, or what is wrong with it. */
export function parseDataLossKinds(spec: string): ReadonlySet<DataLossKind> | { error: string } {
  const kinds = new Set<DataLossKind>();
  for (const part of spec.split(',').map((p) => p.trim())) {
    const kind = DATA_LOSS_KINDS.find((k) => k === part);
    if (kind === undefined) return { error: `"${part}" is not a kind of data loss oschange can accept (${DATA_LOSS_KINDS.join(', ')}; rows dropped by a new unique key never are)` };
    kinds.add(kind);
  }
  return kinds;
}
