import { readFileSync } from 'node:fs';
import { runBackfill, type BackfillResult } from '../backfill/run.js';
import type { BackfillState } from '../backfill/state.js';
import { ExitCode, OschangeError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { askPassword } from './ask-pass.js';
import { parseBackfillOptions, type RawBackfillOptions } from './backfill-options.js';

export interface BackfillCommandOptions {
  readonly raw: RawBackfillOptions & { readonly 'ask-pass'?: boolean | undefined };
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly log?: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives the live state (tests). */
  readonly observe?: (state: BackfillState) => void;
}

/** `oschange backfill --database … --table … --set … --where … [--execute] [--resume]` */
export async function backfillCommand(o: BackfillCommandOptions): Promise<BackfillResult> {
  const askedPassword = o.raw['ask-pass'] === true ? await askPassword() : undefined;
  const parsed = parseBackfillOptions(o.raw, { env: o.env ?? process.env, readFile: (p) => readFileSync(p, 'utf8'), askedPassword });
  if ('errors' in parsed) throw new OschangeError('USAGE', parsed.errors.join('; '), { exitCode: ExitCode.usage });
  return runBackfill({ config: parsed.config, log: o.log ?? createLogger(), out: o.out, signal: o.signal, ...(o.observe === undefined ? {} : { observe: o.observe }) });
}
