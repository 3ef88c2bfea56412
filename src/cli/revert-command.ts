import { readFileSync } from 'node:fs';
import { ExitCode, OschangeError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { runRevert, type RevertResult } from '../revert/run.js';
import type { MigrationState } from '../state.js';
import { askPassword } from './ask-pass.js';
import { parseRevertOptions, type RawRevertOptions } from './revert-options.js';

export interface RevertCommandOptions {
  readonly raw: RawRevertOptions;
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly observe?: (state: MigrationState) => void;
}

/** `oschange revert --database … --table … [--execute] [--allow-inexact-revert]` */
export async function revertCommand(o: RevertCommandOptions): Promise<RevertResult> {
  const askedPassword = o.raw['ask-pass'] === true ? await askPassword() : undefined;
  const parsed = parseRevertOptions(o.raw, { env: o.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8'), askedPassword });
  if ('errors' in parsed) throw new OschangeError('USAGE', parsed.errors.join('; '), { exitCode: ExitCode.usage });
  return runRevert({ config: parsed.config, allowInexact: parsed.allowInexact, log: o.log ?? createLogger(), out: o.out, signal: o.signal, ...(o.observe === undefined ? {} : { observe: o.observe }) });
}
