import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
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
    expect(await nc(socket, 'status')).toContain('# Chunk size: 200; DML batch size: 4000; max lag: 2500ms');
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

  it('refuses what a failing interactive-command hook refuses, SQL that is not a read-only SELECT, and unknown replicas; TCP needs the token; panic stops at once', async () => {
    const hooksDir = join(dir, 'refusing-hooks');
    mkdirSync(hooksDir);
    const hook = join(hooksDir, 'oschange-on-interactive-command');
    writeFileSync(hook, '#!/bin/sh\nif [ "$OSCHANGE_COMMAND" = chunk-size ]; then echo "chunk-size is frozen" >&2; exit 3; fi\n');
    chmodSync(hook, 0o755);
    await admin.query('CREATE TABLE throttle_ctl (v INT NOT NULL)');
    await admin.query('INSERT INTO throttle_ctl VALUES (0)');
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'op-test-token-0123456789\n', { mode: 0o600 });
    const tcpPort = await freePort();
    const socket = join(dir, 'refusing.sock');
    const before = await checksum();
    const config = configFromFlags(server.primary.app, db.name, 'users', 'ADD COLUMN x INT', [
      '--chunk-size', '100', '--serve-socket-file', socket, '--hooks-path', hooksDir, '--initially-drop-ghost-table', '--initially-drop-old-table',
      '--serve-tcp-port', String(tcpPort), '--serve-tcp-token-file', tokenFile,
    ]);
    let state: MigrationState | undefined;
    const migration = runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal, observe: (s) => ((state = s), (s.commandedThrottle = true)) });
    const outcome = migration.then(() => undefined, (e: unknown) => e);
    await waitUntil(() => state?.phase === 'copying' && state.throttleReason === 'commanded by user', 20_000, 'the copy to start, held');
    const st = state as MigrationState;

    expect(await nc(socket, 'chunk-size=200')).toBe(`ERROR: chunk-size refused: hook ${hook} failed on event interactive-command: exited with status 3; last stderr line: chunk-size is frozen`);
    expect(st.chunkSize).toBe(100);
    expect(await nc(socket, 'nice-ratio=0.5')).toBe('nice-ratio: 0 → 0.5');

    expect(await nc(socket, 'throttle-query=SELECT SLEEP(10)')).toBe(
      'ERROR: throttle-query refused: it must not call SLEEP() (locks, waits, sleeps and file reads are refused); the socket accepts only a single read-only SELECT ' +
        '(give other queries with --throttle-query, or start oschange with --allow-socket-throttle-query-any)',
    );
    expect(await nc(socket, `throttle-query=SELECT v FROM ${db.name}.throttle_ctl; DROP TABLE ${db.name}.users`)).toMatch(/^ERROR: throttle-query refused: it must be a single statement \(no ";"\); /);
    expect(st.throttleQuery).toBeUndefined();
    expect(await nc(socket, `throttle-query=SELECT v FROM ${db.name}.throttle_ctl`)).toBe(`throttle-query: (none) → SELECT v FROM ${db.name}.throttle_ctl`);

    const replica = server.replica;
    if (replica !== undefined) {
      const known = `127.0.0.1:${replica.app.port}`;
      expect(await nc(socket, 'throttle-control-replicas=10.9.9.9:3306')).toBe(
        `ERROR: throttle-control-replicas refused: 10.9.9.9:3306 is not a replica this migration knows; accepted: ${known} ` +
          "(the primary's replicas and those given with --throttle-control-replicas; --allow-socket-throttle-control-replicas-any accepts any)",
      );
      expect(st.throttleControlReplicas).toEqual([]);
      expect(await nc(socket, `throttle-control-replicas=${known}`)).toBe(`throttle-control-replicas: (none) → ${known}`);
    }

    // TCP: nothing before "auth <token>".
    const tcp = async (input: string): Promise<string> => (await run('sh', ['-c', 'printf "$1" | nc -N 127.0.0.1 "$2"', 'nc', input, String(tcpPort)])).stdout;
    expect(await tcp('panic\\n')).toBe('ERROR: authentication required: send "auth <token>" first (the token in the --serve-tcp-token-file file); closing\n');
    expect(await tcp('auth wrong-wrong-wrong-wrong\\npanic\\n')).toBe('ERROR: authentication failed: wrong token; closing\n');
    expect(st.panicReason).toBeUndefined();
    expect(await tcp('auth op-test-token-0123456789\\nnice-ratio=?\\n')).toBe('auth: ok\n0.5\n');

    const panicAt = Date.now();
    expect(await nc(socket, 'panic')).toBe('panic: the migration is being stopped');
    const err = await outcome;
    expect(Date.now() - panicAt).toBeLessThan(10_000);
    expect(err).toMatchObject({ code: 'PANIC', message: 'stopped: panic command; the original table is untouched' });
    expect(await checksum()).toEqual(before);
  });

  it('refuses --serve-tcp-port with a token file others can read, before touching the server', async () => {
    const tokenFile = join(dir, 'open-token');
    writeFileSync(tokenFile, 'op-test-token-0123456789\n', { mode: 0o644 });
    chmodSync(tokenFile, 0o644);
    const before = await checksum();
    const config = configFromFlags(server.primary.app, db.name, 'users', 'ADD COLUMN y INT', ['--serve-tcp-port', '0', '--serve-tcp-token-file', tokenFile]);
    await expect(runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'CONTROL_TOKEN_FILE',
      message: `--serve-tcp-token-file ${tokenFile} is readable or writable by group or others (mode 0644); run: chmod 600 ${tokenFile}`,
    });
    expect(await checksum()).toEqual(before);
  });

  async function checksum(): Promise<unknown> {
    return (await queryRows(admin, tableChecksum(db.name, 'users', COLUMNS).sql))[0];
  }
});

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
