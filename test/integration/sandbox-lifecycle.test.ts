import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connect, queryValue } from '../../src/db/connect.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { exited, isAlive, REPO, serverPidsMentioning, waitForLine, waitUntil } from '../helpers/processes.js';
import { testServers } from '../helpers/servers.js';

const flavors = testServers()
  .map((s) => s.name)
  .filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

describe.each(flavors)('%s sandbox lifecycle', (flavor) => {
  it('stops both servers on teardown and leaves no mysqld and no files', async () => {
    const sandbox = await startSandbox({ flavor });
    const pids = [sandbox.primary.pid, sandbox.replica.pid];
    try {
      expect(pids.every(isAlive)).toBe(true);
      expect(serverPidsMentioning(sandbox.dir.slice(sandbox.dir.lastIndexOf('/')))).toHaveLength(2);
      const conn = await connect(sandbox.replica.app);
      expect(String(await queryValue(conn, 'SELECT 1'))).toBe('1');
      await conn.end();
    } finally {
      await sandbox.stop();
    }
    expect(pids.filter(isAlive)).toEqual([]);
    expect(serverPidsMentioning(sandbox.dir.slice(sandbox.dir.lastIndexOf('/')))).toEqual([]);
    expect(existsSync(sandbox.dir)).toBe(false);
  });

  it('leaves no mysqld behind when its owner is killed with SIGKILL', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/sandbox-child.ts', flavor], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const line = await waitForLine(child, (l) => l.startsWith('{'), 90_000);
    const info = JSON.parse(line) as { dir: string; pids: number[] };
    expect(info.pids.every(isAlive)).toBe(true);
    child.kill('SIGKILL');
    await exited(child);
    // No handler of the owner ran: the watchdog notices within a second and cleans up.
    await waitUntil(() => info.pids.every((p) => !isAlive(p)) && !existsSync(info.dir), 15_000, 'the watchdog to kill the servers');
    expect(serverPidsMentioning(info.dir.slice(info.dir.lastIndexOf('/')))).toEqual([]);
  });
});
