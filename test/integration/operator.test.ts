import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const run = promisify(execFile);

/** One command through the real unix socket with netcat, as an operator would type it. */
async function nc(socket: string, line: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', `printf '%s\\n' "$1" | nc -U -N "$2"`, 'nc', line, socket]);
  return stdout.trimEnd();
}

describe.each(testServers().map((s) => [label(s), s] as const))('a migration steered through its socket, with hooks, on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let dir: string;
  beforeAll(async () => {
    db = await freshDatabase(server, 'op');
    admin = await connect({ ...server.primary.admin, database: db.name });
    await seedUsers(admin, { database: db.name, rows: 5000 });
    dir = mkdtempSync(join(tmpdir(), 'oschange-op-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await admin?.end();
    await db?.drop();
  });

  it('obeys throttle, settings, unpostpone; runs every hook in order with its environment', async () => {
    const hooksDir = join(dir, 'hooks');
    const record = join(dir, 'hooks.log');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(hooksDir);
    for (const event of ['startup', 'validated', 'rowcount-complete', 'before-row-copy', 'interactive-command', 'row-copy-complete', 'begin-postponed', 'before-cut-over', 'success', 'failure']) {
      const file = join(hooksDir, `oschange-on-${event}`);
      writeFileSync(file, `#!/bin/sh\necho "$OSCHANGE_HOOK_EVENT|$OSCHANGE_DATABASE_NAME|$OSCHANGE_TABLE_NAME|$OSCHANGE_GHOST_TABLE_NAME|$OSCHANGE_COMMAND|\${OSCHANGE_PASSWORD:-no-password}" >> "${record}"\n`);
      chmodSync(file, 0o755);
    }
    const socket = join(dir, 'control.sock');
    const postpone = join(dir, 'postpone.flag');
    writeFileSync(postpone, '');
    const config = configFromFlags(server.primary.app, db.name, 'users', 'ADD COLUMN phone VARCHAR(20)', [
      '--chunk-size', '100', '--serve-socket-file', socket, '--postpone-cut-over-flag-file', postpone, '--hooks-path', hooksDir,
    ]);
    let state: MigrationState | undefined;
    const migration = runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal, observe: (s) => ((state = s), (s.commandedThrottle = true)) });
    const outcome = migration.then(() => undefined, (e: unknown) => e);
    await waitUntil(() => state?.phase === 'copying' && state.throttleReason === 'commanded by user', 20_000, 'the copy to start, held');
    const st = state as MigrationState;
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    expect(await nc(socket, 'sup')).toMatch(/^Copy: \d+\/\d+ [\d.]+%; .*State: throttled, commanded by user; ETA: /);
    expect(await nc(socket, 'chunk-size=bogus')).toBe('ERROR: chunk-size must be a whole number from 10 to 1000000 (got bogus)');
    expect(st.chunkSize).toBe(100);
    expect(await nc(socket, 'chunk-size=200')).toBe('chunk-size: 100 → 200');
    expect(await nc(socket, 'chunk-size=?')).toBe('200');
    expect(await nc(socket, 'max-lag-millis=2500')).toBe('max-lag-millis: 1500 → 2500');
    expect(st.maxLagMillis).toBe(2500);
    expect(await nc(socket, 'status')).toContain('# Chunk size: 200; DML batch size: 100; max lag: 2500ms');
    expect(await nc(socket, 'coordinates')).toMatch(/^\S+:\d+ \(applied: (N\/A|\S+:\d+)\)$/);
    expect(await nc(socket, 'no-throttle')).toBe('throttle: on → off');
    await waitUntil(() => st.phase === 'postponing cut-over', 60_000, 'the postponed cut-over');
    expect(await nc(socket, 'sup')).toContain('State: postponing cut-over');
    expect(await nc(socket, 'unpostpone')).toBe('unpostpone: the cut-over will proceed without waiting for the postpone flag file');
    await migration;
    expect(await outcome).toBeUndefined();

    const lines = readFileSync(record, 'utf8').trim().split('\n');
    const events = lines.map((l) => l.split('|')[0]).filter((e, i, all) => e !== 'interactive-command' || all[i - 1] !== 'interactive-command');
    expect(events).toEqual(['startup', 'validated', 'rowcount-complete', 'before-row-copy', 'interactive-command', 'row-copy-complete', 'begin-postponed', 'interactive-command', 'before-cut-over', 'success']);
    expect(lines[0]).toBe(`startup|${db.name}|users|_users_gho||no-password`);
    expect(lines).toContain(`interactive-command|${db.name}|users|_users_gho|chunk-size|no-password`);
  });
});
