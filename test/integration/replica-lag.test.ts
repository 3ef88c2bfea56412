import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { connect, queryRows } from '../../src/db/connect.js';
import { OschangeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import { startReplica, stopReplica } from '../../src/sql/replication.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { testServers } from '../helpers/servers.js';

const run = promisify(execFile);
const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];
// Its own pair per flavor: stopping a replica must not disturb the other tests.
const flavors = testServers().map((s) => s.name).filter((n): n is SandboxFlavor => n === 'mysql' || n === 'mariadb');

describe.each(flavors)('replica lag on a %s pair', (flavor) => {
  it('stops the copy within 2 s when the replica SQL thread stops, says lag= and which replica, and resumes', async () => {
    const sandbox = await startSandbox({ flavor });
    try {
      const admin = await connect(sandbox.primary.admin);
      const replicaAdmin = await connect(sandbox.replica.admin);
      await seedUsers(admin, { database: 'app', rows: 30_000 });
      const config = configFromFlags(sandbox.primary.app, 'app', 'users', 'ADD COLUMN phone VARCHAR(20)', ['--chunk-size', '100', '--nice-ratio', '1', '--serve-socket-file', `/tmp/oschange-lag-${flavor}-${process.pid}.sock`]);
      let state: MigrationState | undefined;
      const migration = runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal, observe: (s) => (state = s) });
      const outcome = migration.then(() => undefined, (e: unknown) => e);
      await waitUntil(() => (state?.rowsCopied ?? 0) > 500, 30_000, 'the copy to get going');
      const st = state as MigrationState;
      expect(st.throttleReason).toBeUndefined();
      await replicaAdmin.query(stopReplica(sandbox.version, 'sql').sql);
      const stoppedAt = Date.now();
      await waitUntil(() => /lag=/.test(st.throttleReason ?? ''), 2000, 'the throttle to name the lag');
      const copiedAt = st.rowsCopied;
      await new Promise((r) => setTimeout(r, 800));
      // At most the chunk in flight when the throttle began.
      expect(st.rowsCopied - copiedAt).toBeLessThanOrEqual(100);
      expect(Date.now() - stoppedAt).toBeLessThan(3000);
      expect(st.throttleReason).toMatch(new RegExp(`^lag=[\\d.]+s on replica 127\\.0\\.0\\.1:${sandbox.replica.port}: replication stopped \\(IO thread Yes, SQL thread No\\)$`));
      await replicaAdmin.query(startReplica(sandbox.version).sql);
      await migration;
      expect(await outcome).toBeUndefined();
      const sum = async (t: string) => (await queryRows(admin, tableChecksum('app', t, COLUMNS).sql))[0];
      expect(await sum('users')).toEqual(await sum('_users_del'));
      await admin.end();
      await replicaAdmin.end();
    } finally {
      await sandbox.stop({ graceMs: 3000 });
    }
  });

  it('counts a replica whose lag read hangs as lagging within seconds, and a panic still stops the migration at once', async () => {
    const sandbox = await startSandbox({ flavor });
    const socket = `/tmp/oschange-hang-${flavor}-${process.pid}.sock`;
    try {
      const admin = await connect(sandbox.primary.admin);
      const replicaAdmin = await connect(sandbox.replica.admin);
      await seedUsers(admin, { database: 'app', rows: 30_000 });
      const sum = async () => (await queryRows(admin, tableChecksum('app', 'users', COLUMNS).sql))[0];
      const before = await sum();
      const config = configFromFlags(sandbox.primary.app, 'app', 'users', 'ADD COLUMN phone VARCHAR(20)', ['--chunk-size', '100', '--nice-ratio', '1', '--serve-socket-file', socket]);
      let state: MigrationState | undefined;
      // Held from the start: a copy this small would otherwise be over before the lag check times out.
      const migration = runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal, observe: (s) => ((state = s), (s.commandedThrottle = true)) });
      const outcome = migration.then(() => undefined, (e: unknown) => e);
      await waitUntil(() => state?.phase === 'copying' && state.throttleReason === 'commanded by user', 30_000, 'the copy to start, held');
      const st = state as MigrationState;
      // The heartbeat read on the replica now waits for this table lock, with no end of its own.
      await replicaAdmin.query('LOCK TABLES app._users_ghc WRITE');
      st.commandedThrottle = false;
      const lockedAt = Date.now();
      await waitUntil(() => /did not answer/.test(st.throttleReason ?? ''), 15_000, `the hung read to throttle (now: ${st.phase}, ${st.rowsCopied} rows copied, reason ${String(st.throttleReason)})`);
      expect(Date.now() - lockedAt).toBeLessThan(15_000);
      expect(st.throttleReason).toBe(`replica 127.0.0.1:${sandbox.replica.port} did not answer the lag check within 3s (counted as lagging)`);
      // The copy never went on: the reason went straight from the command to the hung replica.
      await new Promise((r) => setTimeout(r, 1000));
      expect(st.rowsCopied).toBe(0);

      // The lag read still hangs (the lock is held): panic must not wait for it.
      const panicAt = Date.now();
      expect(await nc(socket, 'panic')).toBe('panic: the migration is being stopped');
      const err = await outcome;
      expect(Date.now() - panicAt).toBeLessThan(10_000);
      expect(err).toBeInstanceOf(OschangeError);
      expect(err).toMatchObject({ code: 'PANIC', message: 'stopped: panic command; the original table is untouched' });
      await replicaAdmin.query('UNLOCK TABLES');
      expect(await sum()).toEqual(before);
      const columns = await queryRows(admin, "SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'users' AND COLUMN_NAME = 'phone'");
      expect(columns).toEqual([{ n: '0' }]);
      await admin.end();
      await replicaAdmin.end();
    } finally {
      await sandbox.stop({ graceMs: 3000 });
    }
  });
});

/** One command through the real unix socket with netcat, as an operator would type it. */
async function nc(socket: string, line: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', `printf '%s\\n' "$1" | nc -U -N "$2"`, 'nc', line, socket]);
  return stdout.trimEnd();
}
