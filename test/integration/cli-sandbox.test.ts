import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDsn } from '../../src/db/dsn.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { exited, isAlive, spawnCli, waitForLine, waitUntil } from '../helpers/processes.js';
import { testServers } from '../helpers/servers.js';

const run = promisify(execFile);
const flavors = testServers()
  .map((s) => s.name)
  .filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');
const registry = mkdtempSync(join(tmpdir(), 'oschange-registry-'));
afterAll(() => rmSync(registry, { recursive: true, force: true }));

describe.each(flavors)('oschange sandbox up --flavor %s', (flavor) => {
  it('prints a DSN the mysql client can use, with the rows asked for, and `sandbox down` stops it', async () => {
    const env = { OSCHANGE_SANDBOX_REGISTRY: join(registry, flavor) };
    const up = spawnCli(['sandbox', 'up', '--flavor', flavor, '--rows', '1000', '--json'], env);
    try {
      const info = JSON.parse(await waitForLine(up, (l) => l.startsWith('{'), 90_000)) as {
        version: string;
        primary: { dsn: string; pid: number };
        replica: { dsn: string; pid: number };
      };
      expect(info.version).toMatch(flavor === 'mysql' ? /^9\.7\./ : /^10\.11\..*MariaDB/);
      const dsn = parseDsn(info.primary.dsn);
      const { stdout } = await run('mysql', [
        `-h${dsn.host}`,
        `-P${dsn.port}`,
        `-u${dsn.user}`,
        `-p${dsn.password}`,
        '--default-character-set=utf8mb4',
        '-N',
        '-e',
        'SELECT COUNT(*), MIN(id), MAX(id) FROM users',
        dsn.database ?? '',
      ]);
      expect(stdout.trim().split('\t')).toEqual(['1000', '1', '1000']);

      const down = spawnCli(['sandbox', 'down'], env);
      let out = '';
      down.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      expect(await exited(down)).toBe(0);
      expect(out).toContain(`stopped ${flavor} sandbox`);
      expect(await exited(up)).toBe(0);
      await waitUntil(() => !isAlive(info.primary.pid) && !isAlive(info.replica.pid), 10_000, 'servers to stop');
    } finally {
      if (up.exitCode === null) up.kill('SIGKILL');
    }
  });
});

describe('oschange CLI basics', () => {
  it('prints its version and help, and rejects an unknown command with exit code 2', async () => {
    const version = spawnCli(['--version']);
    const v = await waitForLine(version, (l) => /^\d+\.\d+\.\d+/.test(l), 30_000);
    expect(v).toMatch(/^0\.\d+\.\d+$/);
    const bad = spawnCli(['sandbox', 'sideways']);
    let err = '';
    bad.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    expect(await exited(bad)).toBe(2);
    expect(err).toContain('oschange: Unknown argument: sideways');
  });
});
