import { readFileSync } from 'node:fs';
import type { MigrationConfig } from '../config.js';
import { ExitCode, OschangeError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { startMetricsServer, type MetricsServer } from '../metrics/server.js';
import { runMigration, type MigrationResult } from '../migrator.js';
import { storedArgs } from '../queue/args.js';
import { defaultRequestedBy, runRecorded } from '../queue/record.js';
import { WindowSchedule } from '../schedule/window-schedule.js';
import type { MigrationState } from '../state.js';
import { ProgressBar } from '../status/progress-bar.js';
import { askPassword } from './ask-pass.js';
import { parseMigrationOptions, type RawMigrationOptions } from './migration-options.js';

export interface MigrateCommandOptions {
  readonly raw: RawMigrationOptions & { readonly 'ask-pass': boolean; readonly 'requested-by'?: string | undefined };
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The command line, whose migration flags the history records. */
  readonly argv?: readonly string[];
  /** The terminal a progress bar would draw on (default: process.stdout). */
  readonly terminal?: NodeJS.WriteStream;
}

/** `oschange --database … --table … --alter … [--execute]` */
export async function migrateCommand(o: MigrateCommandOptions): Promise<MigrationResult> {
  const askedPassword = o.raw['ask-pass'] ? await askPassword() : undefined;
  const parsed = parseMigrationOptions(o.raw, { env: o.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8'), askedPassword });
  if ('errors' in parsed) {
    throw new OschangeError('USAGE', parsed.errors.join('; '), { exitCode: ExitCode.usage });
  }
  const config = parsed.config;
  const log = o.log ?? createLogger();
  if (!config.execute) return runMigration({ config, log, out: o.out, signal: o.signal });

  const terminal = o.terminal ?? process.stdout;
  // The plain line stays for logs and pipes: tests, cron and journald read it.
  const bar = config.progress === 'bar' || (config.progress === 'auto' && terminal.isTTY === true) ? new ProgressBar({ stream: terminal, table: config.table, now: Date.now }) : undefined;
  let state: MigrationState | undefined;
  let metrics: MetricsServer | undefined;
  const out = bar === undefined ? o.out : (line: string) => bar.log(line);
  try {
    metrics = await startMetrics(config, () => state, log);
    if (metrics !== undefined) out(`Metrics: ${metrics.url}`);
    return await runRecorded({
      config,
      log,
      out,
      signal: o.signal,
      args: storedArgs(o.argv ?? []),
      requestedBy: o.raw['requested-by'] ?? defaultRequestedBy(),
      // With a bar, status lines go to the log at debug level instead of scrolling.
      ...(bar === undefined ? {} : { status: (line: string) => log.debug({ status: line }, 'status') }),
      observe: (s) => {
        state = s;
        bar?.start(s);
      },
    });
  } finally {
    bar?.stop();
    await metrics?.close();
  }
}

/** `--metrics-port`: the exporter over this migration's live state. */
export async function startMetrics(config: MigrationConfig, state: () => MigrationState | undefined, log: Logger): Promise<MetricsServer | undefined> {
  if (config.metricsPort === undefined) return undefined;
  const copyWindow = config.windows.copy.length > 0 ? new WindowSchedule(config.windows.copy) : undefined;
  return startMetricsServer({
    port: config.metricsPort,
    address: config.metricsAddress,
    log: log.child({ module: 'metrics' }),
    source: () => {
      const s = state();
      return s === undefined ? undefined : { state: s, database: config.database, table: config.table, copyWindow, now: Date.now };
    },
  });
}
