import type { Argv } from 'yargs';
import { BACKFILL_DEFAULTS, type BackfillConfig } from '../backfill/config.js';
import { parseBackfillExpressions } from '../backfill/expressions.js';
import { DEFAULTS } from '../config.js';
import { HOST_PORT_FORM, parseHostPortList } from '../throttle/host-port.js';
import { LOAD_SPEC_FORM, parseLoadSpec } from '../throttle/load-spec.js';
import { connectionFlags, parseConnectionOptions, type ParseSources, type RawConnectionOptions } from './migration-options.js';

/** The flags of `oschange backfill`: the migration's names wherever the migration has the setting. */
export function backfillFlags<T>(y: Argv<T>) {
  return connectionFlags(y)
    .option('database', { type: 'string', describe: 'database of the table', group: 'Backfill:' })
    .option('table', { type: 'string', describe: 'table to update', group: 'Backfill:' })
    .option('set', { type: 'string', describe: 'what to set, as in UPDATE … SET: "phone = \'\'" or "a = 1, b = TRIM(b)" (each value one expression, read at update time)', group: 'Backfill:' })
    .option('where', { type: 'string', describe: 'which rows, one condition re-checked on each row as it is updated: "phone IS NULL" ("TRUE" for every row)', group: 'Backfill:' })
    .option('execute', { type: 'boolean', default: false, describe: 'really update (without it: check --set and --where, count the rows, print each chunk\'s statement, change nothing)', group: 'Backfill:' })
    .option('resume', { type: 'boolean', default: false, describe: 'go on with an interrupted backfill after its last committed chunk (checkpoint _T_bfk; same --set and --where)', group: 'Backfill:' })
    .option('chunk-size', { type: 'number', describe: `rows per chunk: the first chunk's size, and every chunk's when set without --chunk-time-millis (default ${DEFAULTS.chunkSize}, adapting)`, group: 'Tuning:' })
    .option('chunk-time-millis', { type: 'number', describe: `target time per chunk's transaction, which holds its rows' locks; the chunk size moves toward it (default ${BACKFILL_DEFAULTS.chunkTimeMillis} unless --chunk-size is set; 0 = fixed size)`, group: 'Tuning:' })
    .option('chunk-lock-wait-seconds', { type: 'number', default: BACKFILL_DEFAULTS.lockWaitSeconds, describe: 'longest a chunk waits for a row the application holds before it is rolled back and retried (innodb_lock_wait_timeout)', group: 'Tuning:' })
    .option('count-timeout-seconds', { type: 'number', default: BACKFILL_DEFAULTS.countTimeoutSeconds, describe: 'longest the row count at the start may take (past it, the plan says the count was not made)', group: 'Tuning:' })
    .option('heartbeat-interval-millis', { type: 'number', default: DEFAULTS.heartbeatIntervalMs, describe: 'how often to write the heartbeat that measures replica lag', group: 'Tuning:' })
    .option('max-lag-millis', { type: 'number', default: DEFAULTS.maxLagMillis, describe: 'throttle while a control replica lags this much or more', group: 'Throttling:' })
    .option('throttle-control-replicas', { type: 'string', describe: 'host:port,… replicas whose lag throttles (default: those registered with the primary)', group: 'Throttling:' })
    .option('max-load', { type: 'string', describe: "throttle at status values, e.g. 'Threads_running=25,Threads_connected=500'", group: 'Throttling:' })
    .option('critical-load', { type: 'string', describe: 'stop at these status values (the chunks done stay done; --resume goes on)', group: 'Throttling:' })
    .option('critical-load-interval-millis', { type: 'number', default: 0, describe: 'on critical load, look again after this long before stopping', group: 'Throttling:' })
    .option('throttle-flag-file', { type: 'string', describe: 'throttle while this file exists', group: 'Throttling:' })
    .option('throttle-additional-flag-file', { type: 'string', describe: 'a second throttle flag file', group: 'Throttling:' })
    .option('throttle-query', { type: 'string', describe: 'throttle while this query returns a non-zero value', group: 'Throttling:' })
    .option('throttle-http', { type: 'string', describe: 'throttle while this URL does not answer 200', group: 'Throttling:' })
    .option('nice-ratio', { type: 'number', default: 0, describe: 'after each chunk, sleep this fraction of its time (1 = half speed)', group: 'Throttling:' })
    .option('panic-flag-file', { type: 'string', describe: 'stop when this file appears (the chunks done stay done)', group: 'Control:' })
    .option('serve-socket-file', { type: 'string', describe: 'unix socket for commands (default /tmp/oschange.<db>.<table>.backfill.sock)', group: 'Control:' })
    .option('allow-socket-throttle-query-any', { type: 'boolean', default: false, describe: 'let socket users set any throttle-query (default: a single read-only SELECT only)', group: 'Control:' })
    .option('allow-socket-throttle-control-replicas-any', { type: 'boolean', default: false, describe: 'let socket users name any host in throttle-control-replicas (default: the primary\'s replicas and those given here)', group: 'Control:' })
    .option('status-interval-millis', { type: 'number', default: 0, describe: 'print the status line this often (0: every 1 s early on, less often later)', group: 'Output:' });
}

export interface RawBackfillOptions extends RawConnectionOptions {
  readonly database?: string | undefined;
  readonly table?: string | undefined;
  readonly set?: string | undefined;
  readonly where?: string | undefined;
  readonly execute: boolean;
  readonly resume: boolean;
  readonly 'chunk-size'?: number | undefined;
  readonly 'chunk-time-millis'?: number | undefined;
  readonly 'chunk-lock-wait-seconds': number;
  readonly 'count-timeout-seconds': number;
  readonly 'heartbeat-interval-millis': number;
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
  readonly 'allow-socket-throttle-query-any'?: boolean | undefined;
  readonly 'allow-socket-throttle-control-replicas-any'?: boolean | undefined;
  readonly 'status-interval-millis': number;
}

/** Validates raw flags into a BackfillConfig, reporting every problem at once (the migration's ranges and parsers). */
export function parseBackfillOptions(raw: RawBackfillOptions, sources: ParseSources): { config: BackfillConfig } | { errors: string[] } {
  const errors: string[] = [];
  const required = (name: string, value: string | undefined, missing: string): string => {
    // yargs gives an array for a flag given twice.
    if (Array.isArray(value)) {
      errors.push(`--${name} is given ${value.length} times: give it once`);
      return '';
    }
    if (value === undefined) errors.push(`--${name} is required: ${missing}`);
    return (value ?? '').trim();
  };
  const database = required('database', raw.database, 'the database of the table');
  const table = required('table', raw.table, 'the table to update');
  const setText = required('set', raw.set, 'what to set, e.g. --set "phone = \'\'"');
  const whereText = required('where', raw.where, 'which rows, e.g. --where "phone IS NULL" (--where "TRUE" for every row)');
  if (raw.database !== undefined && database === '') errors.push('--database is empty');
  if (raw.table !== undefined && table === '') errors.push('--table is empty');
  const expressions = raw.set === undefined || raw.where === undefined || Array.isArray(raw.set) || Array.isArray(raw.where) ? undefined : parseBackfillExpressions(setText, whereText);
  if (expressions !== undefined && 'errors' in expressions) errors.push(...expressions.errors);
  const connection = parseConnectionOptions(raw, sources, errors);
  const int = (name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    if (!Number.isInteger(value) || value < min || value > max) errors.push(`--${name} must be a whole number from ${min} to ${max} (got ${String(value)})`);
    return value;
  };
  // The same parsers as the socket's settings (src/control/settings.ts): one setting, one parser.
  function listOr<T>(name: string, value: string | undefined, parse: (v: string) => T | { readonly problem: string }, form: string, fallback: T): T {
    if (value === undefined) return fallback;
    const r = parse(value);
    if (typeof r === 'object' && r !== null && 'problem' in r) {
      errors.push(`--${name} must be ${form} (got ${value}${String(r.problem)})`);
      return fallback;
    }
    return r;
  }
  const niceRatio = raw['nice-ratio'];
  if (!Number.isFinite(niceRatio) || niceRatio < 0 || niceRatio > 100) errors.push(`--nice-ratio must be a number from 0 to 100 (got ${String(niceRatio)})`);
  const settings: Omit<BackfillConfig, 'expressions'> = {
    connection,
    database,
    table,
    setText,
    whereText,
    execute: raw.execute,
    resume: raw.resume,
    chunkSize: int('chunk-size', raw['chunk-size'] ?? DEFAULTS.chunkSize, 10, 1_000_000),
    // An explicit --chunk-size alone means a fixed size (as for a migration); otherwise the size adapts.
    chunkTimeMs: int('chunk-time-millis', raw['chunk-time-millis'] ?? (raw['chunk-size'] === undefined ? BACKFILL_DEFAULTS.chunkTimeMillis : 0), 0, 60_000),
    lockWaitSeconds: int('chunk-lock-wait-seconds', raw['chunk-lock-wait-seconds'], 1, 3600),
    countTimeoutMs: int('count-timeout-seconds', raw['count-timeout-seconds'], 1, 86_400) * 1000,
    heartbeatIntervalMs: int('heartbeat-interval-millis', raw['heartbeat-interval-millis'], 10, 60_000),
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
    niceRatio,
    panicFlagFile: raw['panic-flag-file'],
    serveSocketFile: raw['serve-socket-file'],
    allowSocketThrottleQueryAny: raw['allow-socket-throttle-query-any'] ?? false,
    allowSocketThrottleControlReplicasAny: raw['allow-socket-throttle-control-replicas-any'] ?? false,
  };
  if (expressions === undefined || 'errors' in expressions || errors.length > 0) return { errors };
  return { config: { ...settings, expressions: expressions.expressions } };
}
