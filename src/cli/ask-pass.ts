import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { ExitCode, OschangeError } from '../errors.js';

/** Prompts for a password on the terminal without echoing it. */
export async function askPassword(prompt = 'Password: '): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new OschangeError('ASK_PASS_NO_TTY', '--ask-pass needs a terminal; use OSCHANGE_PASSWORD or --conf in scripts', { exitCode: ExitCode.usage });
  }
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
