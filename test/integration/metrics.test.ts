import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../src/db/connect.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { exited, spawnCli, waitForLine, waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/** One command on the control socket, its one-line reply. */
function ask(path: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const s = net.connect({ path }, () => s.write(`${command}\n`));
    s.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        s.destroy();
        resolve(buf.slice(0, nl));
      }
    });
    s.on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Our metrics without their labels: `oschange_rows_copied` → 1200 (one table per scrape here). */
function scrape(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(oschange_[a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m === null) continue;
    const labels = m[2] ?? '';
    const extra = /(?:reason|phase)="([^"]*)"/.exec(labels);
    out.set(extra === null ? (m[1] as string) : `${m[1] as string}:${extra[1] as string}`, Number(m[3]));
  }
  return out;
}

describe.each(testServers().map((s) => [label(s), s] as const))('--metrics-port on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let dir: string;
  beforeAll(async () => {
    db = await freshDatabase(server, 'met');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await seedUsers(admin, { database: db.name, rows: 20_000 });
    dir = mkdtempSync(join(tmpdir(), 'oschange-metrics-'));
  });
  afterAll(async () => {
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  it('serves Prometheus metrics during a migration whose numbers are the status line\'s', async () => {
    const port = await freePort();
    const flag = join(dir, 'hold');
    const socket = join(dir, 'osc.sock');
    writeFileSync(flag, '');
    const app = server.primary.app;
    const child = spawnCli(
      [
        '--host', app.host, '--port', String(app.port), '--user', app.user, '--database', db.name, '--table', 'users',
        '--alter', 'ADD COLUMN phone VARCHAR(20)', '--execute', '--chunk-size', '200', '--throttle-flag-file', flag, '--serve-socket-file', socket,
        '--metrics-port', String(port), '--max-write-rate', '100000/s', '--no-history',
      ],
      { OSCHANGE_PASSWORD: app.password },
    );
    try {
      await waitForLine(child, (l) => l === `Metrics: http://127.0.0.1:${port}/metrics`, 30_000);
      await waitUntil(() => existsSync(socket), 30_000, 'the control socket');
      // Let it copy part of the table, then hold it still.
      rmSync(flag);
      await waitUntil(async () => Number(/^Copy: (\d+)\//.exec(await ask(socket, 'sup'))?.[1] ?? 0) >= 2000, 60_000, 'the copy to get going');
      writeFileSync(flag, '');
      let line = '';
      await waitUntil(async () => {
        const a = await ask(socket, 'sup');
        await new Promise((r) => setTimeout(r, 300));
        line = await ask(socket, 'sup');
        return line.includes('State: throttled, flag-file') && /^Copy: \S+/.exec(a)?.[0] === /^Copy: \S+/.exec(line)?.[0];
      }, 30_000, 'the copy to be held still');
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const m = scrape(await response.text());
      const after = await ask(socket, 'sup');

      const status = /^Copy: (\d+)\/(\d+) ([\d.]+)%; Applied: (\d+); Backlog: (\d+)\/(\d+); .*State: throttled, flag-file /.exec(line);
      expect(status, line).not.toBeNull();
      const [, copied, estimated, percent, applied, backlog, capacity] = (status as RegExpExecArray).map(Number);
      expect(/^Copy: \S+ \S+; Applied: \d+/.exec(after)?.[0]).toBe(/^Copy: \S+ \S+; Applied: \d+/.exec(line)?.[0]);
      expect(m.get('oschange_rows_copied')).toBe(copied);
      expect(m.get('oschange_rows_estimated')).toBe(estimated);
      expect(((m.get('oschange_copy_progress_ratio') ?? 0) * 100).toFixed(1)).toBe((percent as number).toFixed(1));
      expect(m.get('oschange_events_applied')).toBe(applied);
      expect(m.get('oschange_backlog_events')).toBeLessThanOrEqual((backlog as number) + 5);
      expect(m.get('oschange_backlog_capacity_events')).toBe(capacity);
      expect(m.get('oschange_throttled')).toBe(1);
      expect(m.get('oschange_throttle_reason:flag-file')).toBe(1);
      expect(m.get('oschange_throttle_reason:window')).toBe(0);
      expect(m.get('oschange_phase:copying')).toBe(1);
      expect(m.get('oschange_max_write_rate_rows_per_second')).toBe(100_000);
      expect(m.get('oschange_write_rate_rows_per_second')).toBe(0);
      expect(m.get('oschange_lag_seconds')).toBeLessThan(5);
      expect(m.get('oschange_chunk_last_seconds')).toBeGreaterThan(0);
      expect(m.get('oschange_process_resident_memory_bytes')).toBeGreaterThan(0);
      rmSync(flag);
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
