import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { silentLogger } from '../../src/log.js';
import { runMigration } from '../../src/migrator.js';
import { seedUsers } from '../../src/sandbox/seed.js';
import { WindowSchedule } from '../../src/schedule/window-schedule.js';
import type { MigrationState } from '../../src/state.js';
import { configFromFlags } from '../helpers/migration.js';
import { waitUntil } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const COLUMNS = ['id', 'email', 'name', 'score', 'balance', 'created_at', 'updated_at', 'bio'];
const ALTER = 'ADD COLUMN phone VARCHAR(20)';
const CHUNK = 200;
/** Open 5 s of every 10 (cron with a seconds field), in UTC. */
const CRON = '*/10 * * * * *';
const WINDOW = ['--window', CRON, '--window-duration', '5s', '--window-tz', 'UTC'];
const schedule = new WindowSchedule([{ cron: CRON, durationMs: 5000, timeZone: 'UTC' }]);

interface Sample {
  readonly t: number;
  readonly rows: number;
  readonly phase: string;
  readonly reason: string | undefined;
}

/** Samples the state every 25 ms until stopped: what a user watching the status line would see, finer. */
function sampler(get: () => MigrationState | undefined): { samples: Sample[]; stop: () => void } {
  const samples: Sample[] = [];
  const timer = setInterval(() => {
    const s = get();
    if (s !== undefined) samples.push({ t: Date.now(), rows: s.rowsCopied, phase: s.phase, reason: s.throttleReason });
  }, 25);
  return { samples, stop: () => clearInterval(timer) };
}

/**
 * The copy does not advance while the window is shut: between the first and the last sample of a
 * period in which the throttle says "outside window", at most the one chunk already running lands.
 * (Measured up to the period's last shut sample, not its first open one: the sampler runs in the
 * migration's own process and can be late, and rows copied once the window opened again are fine.)
 */
function rowsCopiedWhileShut(samples: readonly Sample[]): number[] {
  const out: number[] = [];
  let from: Sample | undefined;
  let last: Sample | undefined;
  for (const s of samples) {
    const shut = s.phase === 'copying' && s.reason?.startsWith('outside window') === true;
    if (shut) {
      from ??= s;
      last = s;
    } else if (from !== undefined && last !== undefined) {
      out.push(last.rows - from.rows);
      from = undefined;
    }
  }
  if (from !== undefined && last !== undefined) out.push(last.rows - from.rows);
  return out;
}

/** Resolves at the start of a shut period with at least `ms` of it left. */
async function shutFor(ms: number): Promise<void> {
  for (;;) {
    const state = schedule.stateAt(Date.now());
    if (state.kind === 'closed' && state.opensAtMs - Date.now() >= ms) return;
    await sleep(50);
  }
}

/** A steady application load: updates, inserts and deletes of random rows, one every 20 ms. */
function writeLoad(conn: Connection): { stop: () => Promise<number> } {
  let running = true;
  let writes = 0;
  const loop = (async () => {
    let next = 1_000_000;
    while (running) {
      const r = Math.random();
      const id = 1 + Math.floor(Math.random() * 20_000);
      if (r < 0.5) await conn.query("UPDATE users SET score = score + 1, name = CONCAT(name, '+') WHERE id = ?", [id]);
      else if (r < 0.8) await conn.query("INSERT INTO users (id, email, name, created_at) VALUES (?, CONCAT('new', ?, '@example.com'), 'new', '2026-12-01 00:00:00.000001')", [next, next++]);
      else await conn.query('DELETE FROM users WHERE id = ?', [id]);
      writes++;
      await sleep(20);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return writes;
    },
  };
}

describe.each(testServers().map((s) => [label(s), s] as const))('windows on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  beforeAll(async () => {
    db = await freshDatabase(server, 'win');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it('copies only inside the windows, resumes after a restart between two of them, cuts over inside one, and loses nothing', async () => {
    await seedUsers(admin, { database: db.name, rows: 20_000 });
    const loadConn = await connect({ ...server.primary.admin, database: db.name });
    const load = writeLoad(loadConn);
    const flags = [...WINDOW, '--chunk-size', String(CHUNK), '--copy-threads', '1', '--nice-ratio', '1', '--cut-over-lock-timeout-seconds', '1', '--serve-socket-file', `/tmp/oschange-win-${server.name}-${process.pid}.sock`];
    try {
      // --- run 1 starts while the window is shut: it waits, then copies inside it, and is stopped mid-copy.
      await shutFor(3000);
      const firstOpening = (schedule.stateAt(Date.now()) as { opensAtMs: number }).opensAtMs;
      let state1: MigrationState | undefined;
      const stop1 = new AbortController();
      const watch1 = sampler(() => state1);
      const run1 = runMigration({ config: configFromFlags(db.app, db.name, 'users', ALTER, flags), log: silentLogger(), out: () => undefined, signal: stop1.signal, observe: (s) => (state1 = s) });
      const ended1 = run1.then(() => undefined, (e: unknown) => e);
      await waitUntil(() => state1?.phase === 'copying' && state1.throttleReason !== undefined, 20_000, 'run 1 to reach the copy, held back');
      expect(state1?.throttleReason).toMatch(/^outside window; next opens \w{3} \d\d:\d\d(:\d0)? UTC \(in \d+s\)$/);
      await waitUntil(() => (state1?.rowsCopied ?? 0) >= 2000, 60_000, 'run 1 to copy inside the window');
      stop1.abort();
      const err1 = await ended1;
      watch1.stop();
      expect(String(err1)).toContain('stopped by signal; the original table is untouched');
      // Nothing was copied before the window first opened.
      expect(watch1.samples.filter((s) => s.t < firstOpening - 50).every((s) => s.rows === 0)).toBe(true);

      // --- run 2 (--resume) starts between two windows: it waits for the next one, then goes on.
      await shutFor(4000);
      let state2: MigrationState | undefined;
      const lines: { t: number; line: string }[] = [];
      const watch2 = sampler(() => state2);
      let loadStopped = false;
      const result = await runMigration({
        config: configFromFlags(db.app, db.name, 'users', ALTER, [...flags, '--resume']),
        log: silentLogger(),
        out: (line) => lines.push({ t: Date.now(), line }),
        signal: new AbortController().signal,
        observe: (s) => (state2 = s),
        // The application stops writing before the swap, so both tables can be compared row for row.
        beforeCutOver: async (gate) => {
          if (!loadStopped) {
            loadStopped = true;
            await load.stop();
          }
          await gate.waitCaughtUp();
        },
      });
      watch2.stop();
      const resumedFrom = state2?.rowsCopiedBefore ?? 0;
      expect(resumedFrom).toBeGreaterThanOrEqual(2000);
      // The resumed copy waited for the window too.
      const beforeOpen = watch2.samples.filter((s) => s.phase === 'copying' && !schedule.isOpen(s.t) && s.t < (watch2.samples.find((x) => schedule.isOpen(x.t))?.t ?? 0));
      expect(beforeOpen.length).toBeGreaterThan(0);
      expect(beforeOpen.every((s) => s.rows === resumedFrom)).toBe(true);
      // In every shut period the copy moved by at most the chunk that was running as it shut.
      for (const moved of [...rowsCopiedWhileShut(watch1.samples), ...rowsCopiedWhileShut(watch2.samples)]) expect(moved).toBeLessThanOrEqual(CHUNK);
      // The swap happened inside a window.
      const cutOver = lines.filter((l) => l.line.includes('State: cutting over')).at(-1);
      expect(cutOver).toBeDefined();
      expect(schedule.isOpen(cutOver?.t ?? 0)).toBe(true);
      expect(result.lockMs).toBeLessThan(1000);
      expect(lines.at(-1)?.line).toMatch(/^Done: .* rows copied: \d+ \(\d+ of them before the resume\), .*checksum equal/);
    } finally {
      await load.stop();
      await loadConn.end();
    }
    // Nothing lost: the migrated table holds exactly the original's rows, value for value.
    const cols = COLUMNS.join(', ');
    const now = await queryRows(admin, `SELECT ${cols} FROM users ORDER BY id`);
    const old = await queryRows(admin, `SELECT ${cols} FROM _users_del ORDER BY id`);
    expect(now.length).toBeGreaterThan(19_000);
    expect(now).toEqual(old);
  });

  it('with only a cut-over window: copies at once, then the checksum and the swap wait for the window', async () => {
    await admin.query('DROP TABLE IF EXISTS users, _users_del');
    await seedUsers(admin, { database: db.name, rows: 1000 });
    const cutOverCron = '*/20 * * * * *';
    const cutOverSchedule = new WindowSchedule([{ cron: cutOverCron, durationMs: 6000, timeZone: 'UTC' }]);
    // Start just after a cut-over window shut: the next opens in 14 s or more.
    for (;;) {
      const s = cutOverSchedule.stateAt(Date.now());
      if (s.kind === 'closed' && s.opensAtMs - Date.now() >= 13_000) break;
      await sleep(50);
    }
    const opensAt = (cutOverSchedule.stateAt(Date.now()) as { opensAtMs: number }).opensAtMs;
    let state: MigrationState | undefined;
    const waiting: string[] = [];
    const lines: { t: number; line: string }[] = [];
    const watch = setInterval(() => {
      if (state?.cutOverWaitReason !== undefined) waiting.push(`${state.phase}: ${state.cutOverWaitReason}`);
    }, 25);
    try {
      await runMigration({
        config: configFromFlags(db.app, db.name, 'users', ALTER, ['--cut-over-window', cutOverCron, '--window-duration', '6s', '--window-tz', 'UTC', '--cut-over-lock-timeout-seconds', '1', '--serve-socket-file', `/tmp/oschange-win2-${server.name}-${process.pid}.sock`]),
        log: silentLogger(),
        out: (line) => lines.push({ t: Date.now(), line }),
        signal: new AbortController().signal,
        observe: (s) => (state = s),
      });
    } finally {
      clearInterval(watch);
    }
    expect(waiting.length).toBeGreaterThan(0);
    expect(waiting[0]).toMatch(/^waiting for cut-over: outside window; next opens \w{3} \d\d:\d\d(:[024]0)? UTC \(in \d+s\)$/);
    expect(lines.some((l) => /State: waiting for cut-over, outside window; next opens /.test(l.line))).toBe(true);
    // The checksum ran inside the window, and so did the swap.
    const verifying = lines.find((l) => l.line.includes('Verify:'));
    expect(verifying?.t ?? 0).toBeGreaterThanOrEqual(opensAt);
    const cutOver = lines.filter((l) => l.line.includes('State: cutting over')).at(-1);
    expect(cutOverSchedule.isOpen(cutOver?.t ?? 0)).toBe(true);
    expect(lines.at(-1)?.line).toMatch(/^Done: .*rows copied: 1000, .*checksum equal/);
  });
});
