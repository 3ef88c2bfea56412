import { existsSync, readFileSync } from 'node:fs';
import type { MigrationStatement, TableName } from '../alter/statement.js';
import { connect, queryValue, type Connection } from '../db/connect.js';
import { parseServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import { readInput } from '../lint/inputs.js';
import { lint, tally } from '../lint/lint.js';
import { githubReport } from '../lint/report-github.js';
import { jsonReport } from '../lint/report-json.js';
import { textReport } from '../lint/report-text.js';
import { askPassword } from './ask-pass.js';
import { parseLintOptions, type RawLintOptions } from './lint-options.js';

export interface LintCommandOptions {
  readonly raw: RawLintOptions;
  readonly out: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly readFile?: (path: string) => string;
  readonly exists?: (path: string) => boolean;
  /** Colour the text report (default: stdout is a terminal and NO_COLOR is not set). */
  readonly colour?: boolean;
  readonly now?: () => number;
}

/**
 * `oschange lint [files…] | --statement "…" | --table T --alter "…" [--host …]`. Returns the exit
 * code: 0 no error-level finding, 1 errors found; bad usage (2) and a server it cannot reach (3)
 * are thrown as OschangeErrors with those codes.
 */
export async function lintCommand(o: LintCommandOptions): Promise<number> {
  const env = o.env ?? process.env;
  const readFile = o.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const askedPassword = o.raw['ask-pass'] === true ? await askPassword() : undefined;
  const parsed = parseLintOptions(o.raw, { env, readFile, exists: o.exists ?? existsSync, askedPassword });
  if ('errors' in parsed) throw new OschangeError('USAGE', parsed.errors.join('; '), { exitCode: ExitCode.usage });
  const options = parsed.options;
  const input = readInput(options.input, readFile);
  if ('errors' in input) throw new OschangeError('USAGE', input.errors.join('; '), { exitCode: ExitCode.usage });
  let conn: Connection | undefined;
  try {
    let server;
    if (options.server !== undefined) {
      const unqualified = input.batch.some((s) => tablesOf(s.statement).some((t) => t.database === undefined));
      if (unqualified && options.database === undefined) {
        throw new OschangeError('USAGE', 'with a server, give --database: the statements name tables without their database', { exitCode: ExitCode.usage });
      }
      const where = `${options.server.host}:${options.server.port}`;
      try {
        conn = await connect(options.server);
      } catch (err) {
        if (err instanceof OschangeError) throw err;
        throw new OschangeError('SERVER_UNREACHABLE', `cannot connect to ${where} as ${options.server.user}: ${describeError(err)}`, { exitCode: ExitCode.environment, cause: err });
      }
      const version = parseServerVersion(String(await queryValue(conn, 'SELECT VERSION()')));
      server = { conn, version, endpoint: options.server, where };
    }
    const report = await lint({ batch: input.batch, database: options.database, settings: options.settings, server, ...(o.now === undefined ? {} : { now: o.now }), ...(o.signal === undefined ? {} : { signal: o.signal }) });
    const lines =
      options.format === 'json' ? [jsonReport(report)] : options.format === 'github' ? githubReport(report) : textReport(report, { colour: o.colour ?? (process.stdout.isTTY === true && env['NO_COLOR'] === undefined) });
    for (const line of lines) o.out(line);
    return tally(report).errors > 0 ? ExitCode.failure : ExitCode.ok;
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

/** The tables a statement names. */
function tablesOf(s: MigrationStatement): readonly TableName[] {
  switch (s.kind) {
    case 'alter':
    case 'create-table':
      return [s.table];
    case 'drop-table':
      return s.tables;
    case 'rename-table':
      return s.pairs.flatMap((p) => [p.from, p.to]);
    case 'other':
      return [];
  }
}
