import { readFile, stat } from 'node:fs/promises';
import { describeError, ExitCode, OschangeError } from '../errors.js';

/** Shorter tokens are too easy to guess. */
export const MIN_TOKEN_CHARS = 16;

/**
 * The TCP control token from --serve-tcp-token-file: the file's first line. The file must be the
 * owner's alone (like ~/.ssh keys): a token other users can read protects nothing.
 */
export async function readTokenFile(path: string | undefined): Promise<string> {
  if (path === undefined) {
    throw tokenError('--serve-tcp-port needs --serve-tcp-token-file FILE: any local user can connect to a TCP port, so TCP clients must first send the token from that file (mode 600)');
  }
  let mode: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw tokenError(`--serve-tcp-token-file ${path} is not a regular file`);
    mode = st.mode & 0o777;
  } catch (err) {
    if (err instanceof OschangeError) throw err;
    throw tokenError(`--serve-tcp-token-file ${path}: cannot read it (${describeError(err)})`, err);
  }
  if ((mode & 0o077) !== 0) {
    throw tokenError(`--serve-tcp-token-file ${path} is readable or writable by group or others (mode 0${mode.toString(8)}); run: chmod 600 ${path}`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw tokenError(`--serve-tcp-token-file ${path}: cannot read it (${describeError(err)})`, err);
  }
  const token = (text.split('\n')[0] ?? '').trim();
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    throw tokenError(`--serve-tcp-token-file ${path} must hold a token of at least ${MIN_TOKEN_CHARS} characters without spaces on its first line (e.g. head -c 24 /dev/urandom | base64 > ${path}; chmod 600 ${path})`);
  }
  return token;
}

function tokenError(message: string, cause?: unknown): OschangeError {
  return new OschangeError('CONTROL_TOKEN_FILE', message, { exitCode: ExitCode.usage, cause });
}
