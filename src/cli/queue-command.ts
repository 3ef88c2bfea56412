import { readFileSync } from 'node:fs';
import type { MigrationConfig } from '../config.js';
import { queryRows } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { startMetricsServer } from '../metrics/server.js';
import type { MetricsSource } from '../metrics/metrics.js';
import { storedArgs } from '../queue/args.js';
import { History, toRecord, type MigrationRecord } from '../queue/history.js';
import { defaultRequestedBy, primarySession } from '../queue/record.js';
import { runNextDue, runQueueDaemon, type QueueRunOutcome } from '../queue/runner.js';
import { MIGRATION_STATES, isMigrationStatus, transition, type MigrationStatus, type QueueAction } from '../queue/states.js';
import { parseDuration } from '../schedule/duration.js';
import { WindowSchedule } from '../schedule/window-schedule.js';
import { requestCancel, selectMigrations, type HistoryUpdate } from '../sql/history.js';
import { parseConnectionOptions, parseMigrationOptions, type RawConnectionOptions, type RawMigrationOptions } from './migration-options.js';
import { DEFAULTS } from '../config.js';

/** What every queue command takes: where the queue is (the server, and its schema). */
export type RawQueueOptions = RawConnectionOptions & {
  readonly 'history-schema'?: string | undefined;
  readonly 'assume-master-host'?: string | undefined;
};

interface QueueIo {
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The queue's server and schema from the connection flags (every problem at once). */
function queueEndpoint(raw: RawQueueOptions, env: Readonly<Record<string, string | undefined>>): { endpoint: Endpoint; schema: string } {
  const errors: string[] = [];
  const endpoint = parseConnectionOptions(raw, { env, readFile: (p) => readFileSync(p, 'utf8') }, errors);
  if (errors.length > 0) throw new OschangeError('USAGE', errors.join('; '), { exitCode: ExitCode.usage });
  return { endpoint, schema: raw['history-schema'] ?? DEFAULTS.historySchema };
}

/** A session on the primary holding the queue (a replica's primary is followed, as a migration does). */
async function openQueue(endpoint: Endpoint, schema: string, log: Logger): Promise<History> {
  const session = await primarySession(endpoint, undefined, log);
  try {
    const history = new History(session, schema);
    await history.ensure();
    return history;
  } catch (err) {
    await session.end();
    throw new OschangeError(
      'QUEUE_NO_ACCESS',
      `cannot use the queue table ${schema}.migrations (${describeError(err)}): grant CREATE, INSERT, UPDATE, SELECT ON \`${schema}\`.* to this user, or name another schema with --history-schema`,
      { exitCode: ExitCode.environment, cause: err },
    );
  }
}

async function withQueue<T>(raw: RawQueueOptions, io: QueueIo, body: (history: History, log: Logger) => Promise<T>): Promise<T> {
  const log = io.log ?? createLogger();
  const { endpoint, schema } = queueEndpoint(raw, io.env ?? process.env);
  const history = await openQueue(endpoint, schema, log);
  try {
    return await body(history, log);
  } finally {
    await history.session.end();
  }
}

/** `oschange queue add --database … --table … --alter … [migration flags]`: returns the new id. */
export async function queueAdd(o: QueueIo & { readonly raw: RawMigrationOptions & RawQueueOptions & { readonly 'requested-by'?: string | undefined }; readonly argv: readonly string[] }): Promise<number> {
  const parsed = parseMigrationOptions(o.raw, { env: o.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8') });
  if ('errors' in parsed) throw new OschangeError('USAGE', parsed.errors.join('; '), { exitCode: ExitCode.usage });
  const config = parsed.config;
  const args = storedArgs(o.argv);
  return withQueue(o.raw, o, async (history) => {
    const id = await history.insert({ database: config.database, table: config.table, alter: config.alter, args, source: 'queue', requestedBy: o.raw['requested-by'] ?? defaultRequestedBy(), state: 'queued', runner: undefined });
    o.out(`queue: added migration ${id} (${config.database}.${config.table}: ${config.alter}) to ${history.where}; oschange queue run runs it`);
    return id;
  });
}

/** `oschange queue list [--state …] [--table db.t] [--limit N] [--json]` */
export async function queueList(o: QueueIo & { readonly raw: RawQueueOptions & { readonly state?: string | undefined; readonly table?: string | undefined; readonly limit?: number | undefined; readonly json?: boolean | undefined } }): Promise<MigrationRecord[]> {
  const states = (o.raw.state ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = states.filter((s) => !isMigrationStatus(s));
  if (bad.length > 0) throw new OschangeError('USAGE', `--state: ${bad.join(', ')} is not a state; they are ${MIGRATION_STATES.join(', ')}`, { exitCode: ExitCode.usage });
  let table: { database: string; table: string } | undefined;
  if (o.raw.table !== undefined) {
    const m = /^([^.]+)\.(.+)$/.exec(o.raw.table);
    if (m === null) throw new OschangeError('USAGE', `--table must be database.table (got ${o.raw.table})`, { exitCode: ExitCode.usage });
    table = { database: m[1] as string, table: m[2] as string };
  }
  return withQueue(o.raw, o, async (history) => {
    const q = selectMigrations(history.schema, { states: states as MigrationStatus[], ...(table === undefined ? {} : { table }), limit: o.raw.limit ?? 50 });
    const records = (await queryRows(history.conn, q.sql, q.params)).map(toRecord);
    if (o.raw.json === true) o.out(JSON.stringify(records));
    else for (const line of formatList(records)) o.out(line);
    return records;
  });
}

/** The list as aligned columns, newest first; an error or an ALTER under its row. */
export function formatList(records: readonly MigrationRecord[]): string[] {
  if (records.length === 0) return ['queue: no migrations recorded'];
  const rows = records.map((r) => [
    String(r.id),
    r.state + (r.state === 'postponed' && r.notBefore !== null ? ` until ${r.notBefore}` : '') + (r.cancelRequested && r.state === 'running' ? ' (cancel asked)' : ''),
    `${r.database}.${r.table}`,
    r.source,
    r.requestedBy,
    r.createdAt.slice(0, 19),
    r.startedAt?.slice(0, 19) ?? '-',
    r.finishedAt?.slice(0, 19) ?? '-',
    r.rowsCopied === null ? '-' : String(r.rowsCopied),
    r.lockMs === null ? '-' : String(r.lockMs),
    r.checksum ?? '-',
  ]);
  const head = ['ID', 'STATE', 'TABLE', 'SOURCE', 'REQUESTED BY', 'CREATED (UTC)', 'STARTED', 'FINISHED', 'ROWS', 'LOCK MS', 'CHECKSUM'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  const out = [line(head)];
  records.forEach((r, i) => {
    out.push(line(rows[i] as string[]));
    out.push(`    alter: ${r.alter}`);
    if (r.error !== null) out.push(`    error: ${r.error}`);
  });
  return out;
}

/** `queue cancel|retry|postpone ID`: one state change, refused with the reason when it does not apply. */
async function change(o: QueueIo & { readonly raw: RawQueueOptions; readonly id: number }, action: QueueAction, options: { set?: HistoryUpdate } = {}): Promise<MigrationRecord> {
  return withQueue(o.raw, o, async (history) => {
    const before = await history.mustGet(o.id);
    if (action === 'cancel' && before.state === 'running') {
      const s = requestCancel(history.schema, o.id);
      await history.conn.query(s.sql, [...s.params]);
      o.out(`queue: asked the runner of migration ${o.id} (${before.runner ?? 'unknown'}) to stop it; it stops within seconds, the original table untouched, and shows as cancelled`);
      return history.mustGet(o.id);
    }
    const t = transition(before.state, action);
    if ('refused' in t) throw new OschangeError('QUEUE_REFUSED', `queue ${action} ${o.id}: ${t.refused}`);
    const done = await history.apply(o.id, action, { ...(options.set === undefined ? {} : { set: options.set }), ...(action === 'retry' ? { finished: false } : {}) });
    if (!done) throw new OschangeError('QUEUE_REFUSED', `queue ${action} ${o.id}: its state changed meanwhile; see oschange queue list`);
    const after = await history.mustGet(o.id);
    o.out(`queue: migration ${o.id} ${before.state} → ${after.state}${after.notBefore !== null && after.state === 'postponed' ? ` until ${after.notBefore} UTC` : ''}`);
    return after;
  });
}

export function queueCancel(o: QueueIo & { readonly raw: RawQueueOptions; readonly id: number }): Promise<MigrationRecord> {
  return change(o, 'cancel');
}

export function queueRetry(o: QueueIo & { readonly raw: RawQueueOptions; readonly id: number }): Promise<MigrationRecord> {
  return change(o, 'retry', { set: { not_before: null, cancel_requested: 0 } });
}

/** `queue postpone ID --for 2h | --until 2026-12-02T01:00Z`: not run before then. */
export function queuePostpone(o: QueueIo & { readonly raw: RawQueueOptions & { readonly for?: string | undefined; readonly until?: string | undefined }; readonly id: number; readonly now?: () => number }): Promise<MigrationRecord> {
  const now = (o.now ?? Date.now)();
  let at: number;
  if (o.raw.for !== undefined && o.raw.until === undefined) {
    const d = parseDuration(o.raw.for);
    if (typeof d !== 'number') throw new OschangeError('USAGE', `--for must be a duration like 4h, 90m or 1h30m (got ${o.raw.for})`, { exitCode: ExitCode.usage });
    at = now + d;
  } else if (o.raw.until !== undefined && o.raw.for === undefined) {
    at = Date.parse(o.raw.until);
    if (!Number.isFinite(at)) throw new OschangeError('USAGE', `--until must be a date and time such as 2026-12-02T01:00:00Z (got ${o.raw.until})`, { exitCode: ExitCode.usage });
  } else {
    throw new OschangeError('USAGE', 'queue postpone needs one of --for DURATION or --until TIME', { exitCode: ExitCode.usage });
  }
  // DATETIME(6) in UTC, as every oschange session reads and writes time.
  const notBefore = new Date(at).toISOString().replace('T', ' ').replace('Z', '');
  return change(o, 'postpone', { set: { not_before: notBefore } });
}

export interface RawQueueRunOptions extends RawQueueOptions {
  readonly daemon?: boolean | undefined;
  readonly 'max-running'?: number | undefined;
  readonly 'poll-interval-seconds'?: number | undefined;
  readonly 'metrics-port'?: number | undefined;
  readonly 'metrics-address'?: string | undefined;
}

/**
 * `oschange queue run [--daemon]`: the next due migration (or, as a daemon, one after another until
 * stopped). Exit code 1 when the migration it ran failed; 0 when it succeeded or nothing was due.
 */
export async function queueRun(o: QueueIo & { readonly raw: RawQueueRunOptions; readonly keepaliveMs?: number; readonly staleSeconds?: number }): Promise<QueueRunOutcome | undefined> {
  const maxRunning = o.raw['max-running'] ?? 1;
  const pollSeconds = o.raw['poll-interval-seconds'] ?? 30;
  if (!Number.isInteger(maxRunning) || maxRunning < 1 || maxRunning > 100) throw new OschangeError('USAGE', `--max-running must be a whole number from 1 to 100 (got ${maxRunning})`, { exitCode: ExitCode.usage });
  if (!(pollSeconds > 0 && pollSeconds <= 3600)) throw new OschangeError('USAGE', `--poll-interval-seconds must be from 0.1 to 3600 (got ${pollSeconds})`, { exitCode: ExitCode.usage });
  const errors: string[] = [];
  const endpoint = parseConnectionOptions(o.raw, { env: o.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8') }, errors);
  if (errors.length > 0) throw new OschangeError('USAGE', errors.join('; '), { exitCode: ExitCode.usage });
  const log = o.log ?? createLogger();
  let current: MetricsSource | undefined;
  const metrics =
    o.raw['metrics-port'] === undefined
      ? undefined
      : await startMetricsServer({ port: o.raw['metrics-port'], address: o.raw['metrics-address'] ?? DEFAULTS.metricsAddress, log, source: () => current });
  if (metrics !== undefined) o.out(`Metrics: ${metrics.url}`);
  try {
    return await withQueue(o.raw, { ...o, log }, async (history) => {
      const options = {
        history,
        connection: endpoint,
        assumeMasterHost: undefined,
        maxRunning,
        log,
        out: o.out,
        signal: o.signal,
        observe: (state: MetricsSource['state'], _record: MigrationRecord, config: MigrationConfig) => {
          const copyWindow = config.windows.copy.length > 0 ? new WindowSchedule(config.windows.copy) : undefined;
          current = { state, database: config.database, table: config.table, copyWindow, now: Date.now };
        },
        ...(o.keepaliveMs === undefined ? {} : { keepaliveMs: o.keepaliveMs }),
        ...(o.staleSeconds === undefined ? {} : { staleSeconds: o.staleSeconds }),
      };
      if (o.raw.daemon === true) {
        o.out(`queue: running due migrations from ${history.where} until stopped (at most ${maxRunning} at once on this server; looking every ${pollSeconds}s)`);
        await runQueueDaemon({ ...options, pollMs: pollSeconds * 1000 });
        return undefined;
      }
      const outcome = await runNextDue(options);
      if (outcome.kind === 'idle') o.out(`queue: nothing due in ${history.where}`);
      if (outcome.kind === 'busy') o.out(`queue: nothing started: ${outcome.reason}`);
      if (outcome.kind === 'ran' && !outcome.ok) throw new OschangeError('QUEUE_MIGRATION_FAILED', `migration ${outcome.id} did not finish: ${outcome.error ?? ''}`);
      return outcome;
    });
  } finally {
    await metrics?.close();
  }
}
