/**
 * Every failure the operator can see is an OschangeError: a stable `code` that tests and scripts
 * can grep, a message that names what went wrong and what to do, and the process exit code.
 * Only cmd/ turns these into process.exit.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The environment is not fit to run (server missing, setting wrong, privilege missing). */
  environment: 3,
  /** Stopped by a signal or an operator. */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class OschangeError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OschangeError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

export class UsageError extends OschangeError {
  constructor(message: string) {
    super('USAGE', message, { exitCode: ExitCode.usage });
    this.name = 'UsageError';
  }
}

/** A readable one-liner for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
