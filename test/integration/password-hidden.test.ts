import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD_ARG_WARNING } from '../../src/cli/hide-password.js';
import { exited, spawnCli } from '../helpers/processes.js';

const run = promisify(execFile);
const SECRET = 'pw-Zq81-never-in-ps';

describe.runIf(process.platform === 'linux')('--password on the command line', () => {
  // A "server" that accepts and never answers keeps oschange waiting in its connect, long enough to look at it.
  let silent: Server;
  let port = 0;
  const held: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((s) => void held.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const address = silent.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('is warned about once, and hidden from /proc/PID/cmdline and ps once oschange runs', async () => {
    const child = spawnCli(['--host', '127.0.0.1', '--port', String(port), '--user', 'u', '--password', SECRET, '--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT']);
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const deadline = Date.now() + 60_000;
      while (!err.includes(PASSWORD_ARG_WARNING) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(err.split('\n').filter((l) => l === PASSWORD_ARG_WARNING)).toHaveLength(1);
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').replace(/\0+/g, ' ').trim();
      expect(cmdline).not.toContain(SECRET);
      expect(cmdline).toContain('--password ***');
      expect(cmdline).toMatch(/^oschange --host 127\.0\.0\.1 /);
      const { stdout } = await run('ps', ['-o', 'args=', '-p', String(child.pid)]);
      expect(stdout).not.toContain(SECRET);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });
});
