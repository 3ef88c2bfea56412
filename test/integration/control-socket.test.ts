import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlTarget } from '../../src/control/commands.js';
import { startControlServer, type ControlServer } from '../../src/control/server.js';
import { OschangeError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { MigrationState } from '../../src/state.js';
import { statusLine } from '../../src/status/format.js';

// No database here: a real MigrationState behind a fake target, a real socket, real clients.
const NOW = 1_700_000_000_000;

function makeTarget(): ControlTarget & { commands: string[] } {
  const state = new MigrationState({ nowMs: NOW - 5000, chunkSize: 1000, dmlBatchSize: 100 });
  state.phase = 'copying';
  state.rowsEstimate = 100_000;
  state.rowsCopied = 12_000;
  state.copyStartedAtMs = NOW - 4000;
  state.streamerPosition = { file: 'binlog.000002', position: 4711 };
  const commands: string[] = [];
  return {
    state,
    commands,
    statusLine: () => statusLine(state, NOW),
    statusText: () => `# Migrating \`app\`.\`users\`\n# chunk-size: ${state.chunkSize}\n${statusLine(state, NOW)}\n`,
    coordinates: () => 'binlog.000002:4711 (applied: binlog.000002:4700)',
    policy: { allowAnyThrottleQuery: false, allowAnyReplicas: false, acceptedReplicas: () => [{ host: 'r1', port: 3306 }, { host: 'r2', port: 3307 }] },
    onCommand: (name) => void commands.push(name),
  };
}

const TOKEN = 'T0ken-For-The-Tests-0123456789';

const SUP = 'Copy: 12000/100000 12.0%; Applied: 0; Backlog: 0/0; Time: 5s(total), 4s(copy); streamer: binlog.000002:4711; Lag: N/A, State: copying; ETA: 29s';

/** Sends `text` (in pieces, with a pause between), half-closes, and returns everything received. */
function exchange(where: { path: string } | { port: number }, ...pieces: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = 'path' in where ? net.connect({ path: where.path }) : net.connect({ host: '127.0.0.1', port: where.port });
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (got += d));
    c.on('error', reject);
    c.on('close', () => resolve(got));
    c.on('connect', async () => {
      for (const [i, p] of pieces.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 30));
        c.write(p);
      }
      c.end();
    });
  });
}

/** A client that keeps its connection and reads replies as they come. */
class Client {
  private buffered = '';
  private waiter: (() => void) | undefined;
  private constructor(readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffered += d;
      this.waiter?.();
    });
  }
  static connect(path: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ path }, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  /** Waits until `n` reply lines arrived and takes them. */
  async lines(n: number): Promise<string[]> {
    while (this.buffered.split('\n').length - 1 < n) await new Promise<void>((r) => (this.waiter = r));
    const all = this.buffered.split('\n');
    this.buffered = all.slice(n).join('\n');
    return all.slice(0, n);
  }
  closed(): Promise<void> {
    return new Promise((r) => (this.socket.destroyed ? r() : this.socket.once('close', () => r())));
  }
}

function run(cmd: string, args: readonly string[], input: string): Promise<{ stdout: string; code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (stdout += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ stdout, code, ms: Date.now() - started }));
    p.stdin.end(input);
  });
}

let dir: string;
let socketPath: string;
let server: ControlServer | undefined;
let target: ReturnType<typeof makeTarget>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oschange-ctl-'));
  socketPath = join(dir, 'oschange.app.users.sock');
  target = makeTarget();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('control socket', () => {
  it('answers each line with one reply, several commands in one write, and half lines', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger() });
    expect(server.socketPath).toBe(socketPath);
    expect(server.tcpPort).toBeUndefined();
    expect(await exchange({ path: socketPath }, 'sup\nchunk-size=500\nchunk-size=?\nbogus\nchunk-size=abc\nmax-load=Threads_running=25\nmax-load=?\n')).toBe(
      [
        SUP,
        'chunk-size: 1000 → 500',
        '500',
        'ERROR: unknown command "bogus"; try "help"',
        'ERROR: chunk-size must be a whole number from 10 to 1000000 (got abc)',
        'max-load: (none) → Threads_running=25',
        'Threads_running=25',
        '',
      ].join('\n'),
    );
    expect(target.state.chunkSize).toBe(500);
    expect(await exchange({ path: socketPath }, 'dml-batch', '-size=7\nco', 'ordinates\r\n', 'pause')).toBe(
      'dml-batch-size: 100 → 7\nbinlog.000002:4711 (applied: binlog.000002:4700)\nthrottle: off → on; "no-throttle" resumes\n',
    );
    expect(target.state.commandedThrottle).toBe(true);
    expect(await exchange({ path: socketPath }, 'status\n')).toBe(`# Migrating \`app\`.\`users\`\n# chunk-size: 500\n${SUP}\n`);
    expect(target.commands).toEqual(['sup', 'chunk-size', 'chunk-size', 'max-load', 'max-load', 'dml-batch-size', 'coordinates', 'pause', 'status']);
  });

  it('keeps a connection for request/response clients and ends it once idle', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger(), timeouts: { afterReplyMs: 300, idleMs: 2000 } });
    const c = await Client.connect(socketPath);
    c.socket.write('sup\n');
    expect(await c.lines(1)).toEqual([SUP]);
    c.socket.write('nice-ratio=0.5\n');
    expect(await c.lines(1)).toEqual(['nice-ratio: 0 → 0.5']);
    c.socket.write('panic\nnice-ratio=?\n');
    expect(await c.lines(2)).toEqual(['panic: the migration is being stopped', '0.5']);
    expect(target.state.panicReason).toBe('panic command');
    const t0 = Date.now();
    await c.closed();
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('works with nc -U (with -N, -q1, and plain, as in gh-ost\'s docs) and socat', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger() });
    const n = await run('nc', ['-U', '-N', socketPath], 'sup\nthrottle-control-replicas=r1,r2:3307\nthrottle-control-replicas=?\n');
    expect(n).toMatchObject({ code: 0, stdout: `${SUP}\nthrottle-control-replicas: (none) → r1:3306,r2:3307\nr1:3306,r2:3307\n` });
    const q = await run('nc', ['-U', '-q1', socketPath], 'no-throttle\n');
    expect(q).toMatchObject({ code: 0, stdout: 'throttle: off → off\n' });
    // Plain `echo status | nc -U path` waits for the server to hang up: the idle close does that.
    const plain = await run('sh', ['-c', `echo cut-over | nc -U '${socketPath}'`], '');
    expect(plain).toMatchObject({ code: 0, stdout: 'unpostpone: the cut-over will proceed without waiting for the postpone flag file\n' });
    expect(plain.ms).toBeLessThan(3000);
    expect(target.state.unpostponeRequested).toBe(true);
    const s = await run('socat', ['-', `UNIX-CONNECT:${socketPath}`], 'postpone-cut-over-flag-file=/tmp/x y.flag\npostpone-cut-over-flag-file=?\n');
    expect(s).toMatchObject({ code: 0, stdout: 'postpone-cut-over-flag-file: (none) → /tmp/x y.flag\n/tmp/x y.flag\n' });
  });

  it('creates the socket file with mode 0600 and listens on 127.0.0.1 when asked', async () => {
    server = await startControlServer({ socketPath, tcp: { port: 0, token: TOKEN }, target, log: silentLogger() });
    const st = await stat(socketPath);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(server.tcpPort).toBeGreaterThan(0);
    expect(await exchange({ port: server.tcpPort ?? 0 }, `auth ${TOKEN}\ncritical-load=Threads_running=1000\ncritical-load=?\n`)).toBe(
      'auth: ok\ncritical-load: (none) → Threads_running=1000\nThreads_running=1000\n',
    );
    const n = await run('nc', ['-N', '127.0.0.1', String(server.tcpPort)], `auth ${TOKEN}\nsup\n`);
    expect(n.stdout).toBe(`auth: ok\n${SUP}\n`);
  });

  it('turns a throwing target method into an ERROR reply and keeps serving', async () => {
    const broken: ControlTarget = { ...target, coordinates: () => { throw new Error('streamer not started'); } };
    server = await startControlServer({ socketPath, target: broken, log: silentLogger() });
    expect(await exchange({ path: socketPath }, 'coordinates\nsup\n')).toBe(`ERROR: coordinates failed: streamer not started\n${SUP}\n`);
  });

  it('replaces a stale socket file nobody answers on', async () => {
    // A process killed without cleanup leaves its socket file behind.
    const child = await run(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`], '');
    expect(child.code).toBeNull();
    expect((await stat(socketPath)).isSocket()).toBe(true);
    server = await startControlServer({ socketPath, target, log: silentLogger() });
    expect(await exchange({ path: socketPath }, 'sup\n')).toBe(`${SUP}\n`);
  });

  it('refuses a socket another live migration answers on, and leaves it working', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger() });
    const second = startControlServer({ socketPath, target: makeTarget(), log: silentLogger() });
    await expect(second).rejects.toThrow(OschangeError);
    await expect(second).rejects.toMatchObject({
      code: 'CONTROL_SOCKET_IN_USE',
      exitCode: 3,
      message: `another process is serving on the control socket ${socketPath} (another migration of this table?); stop it or choose another control socket path`,
    });
    expect(await exchange({ path: socketPath }, 'sup\n')).toBe(`${SUP}\n`);
  });

  it('refuses to replace a file that is not a socket, and a path too long for one', async () => {
    await writeFile(socketPath, 'precious');
    await expect(startControlServer({ socketPath, target, log: silentLogger() })).rejects.toMatchObject({
      code: 'CONTROL_SOCKET',
      message: `${socketPath} exists and is not a socket; remove it or choose another control socket path`,
    });
    expect(await readFile(socketPath, 'utf8')).toBe('precious');
    const long = join(dir, 'x'.repeat(120));
    await expect(startControlServer({ socketPath: long, target, log: silentLogger() })).rejects.toThrow(/too long for a unix socket/);
    await expect(startControlServer({ socketPath: join(dir, 'missing', 's.sock'), target, log: silentLogger() })).rejects.toThrow(/cannot listen on the control socket/);
  });

  it('close() ends open connections, removes the socket file, and may be called twice', async () => {
    server = await startControlServer({ socketPath, tcp: { port: 0, token: TOKEN }, target, log: silentLogger(), timeouts: { afterReplyMs: 60_000, idleMs: 60_000 } });
    const c = await Client.connect(socketPath);
    c.socket.write('sup\n');
    expect(await c.lines(1)).toEqual([SUP]);
    const closing = server.close();
    await c.closed();
    await closing;
    await server.close();
    expect(existsSync(socketPath)).toBe(false);
    server = undefined;
    // Free again for the next migration of this table.
    server = await startControlServer({ socketPath, target, log: silentLogger() });
    expect(await exchange({ path: socketPath }, 'sup\n')).toBe(`${SUP}\n`);
  });

  it('takes TCP commands only after "auth <token>"; the unix socket needs none', async () => {
    server = await startControlServer({ socketPath, tcp: { port: 0, token: TOKEN }, target, log: silentLogger() });
    const port = server.tcpPort ?? 0;
    expect(await exchange({ port }, 'panic\nsup\n')).toBe('ERROR: authentication required: send "auth <token>" first (the token in the --serve-tcp-token-file file); closing\n');
    expect(await exchange({ port }, 'auth not-the-token-at-all\npanic\n')).toBe('ERROR: authentication failed: wrong token; closing\n');
    expect(target.commands).toEqual([]);
    expect(target.state.panicReason).toBeUndefined();
    expect(await exchange({ port }, `auth ${TOKEN}\n`, 'chunk-size=200\n')).toBe('auth: ok\nchunk-size: 1000 → 200\n');
    expect(await exchange({ path: socketPath }, 'chunk-size=?\n')).toBe('200\n');
    expect(target.commands).toEqual(['chunk-size', 'chunk-size']);
  });

  it('refuses the connection over the cap with one ERROR line, and takes new ones once one closes', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger(), maxConnections: 2, timeouts: { afterReplyMs: 60_000, idleMs: 60_000 } });
    const a = await Client.connect(socketPath);
    const b = await Client.connect(socketPath);
    a.socket.write('sup\n');
    expect(await a.lines(1)).toEqual([SUP]);
    const c = await Client.connect(socketPath);
    expect(await c.lines(1)).toEqual(['ERROR: too many control connections (2 open); try again once one has closed']);
    await c.closed();
    expect(target.commands).toEqual(['sup']);
    a.socket.destroy();
    await a.closed();
    await new Promise((r) => setTimeout(r, 100));
    expect(await exchange({ path: socketPath }, 'sup\n')).toBe(`${SUP}\n`);
    b.socket.write('sup\n');
    expect(await b.lines(1)).toEqual([SUP]);
    b.socket.destroy();
  });

  it('stops reading from a client that sends commands and never reads the replies, then drops it', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger(), timeouts: { afterReplyMs: 2000, idleMs: 2000 } });
    const sent = 200_000;
    const c = net.connect({ path: socketPath });
    await new Promise<void>((resolve, reject) => c.once('connect', resolve).once('error', reject));
    c.on('error', () => undefined);
    // Never read: the replies (~1.5 KB each for `help`) pile up on our side unread.
    c.pause();
    c.write('help\n'.repeat(sent));
    // Answering everything would hold ~300 MB of replies; with back-pressure it stops at a few hundred KB.
    let before = -1;
    for (let i = 0; i < 50 && target.commands.length !== before; i++) {
      before = target.commands.length;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(target.commands.length).toBeGreaterThan(0);
    expect(target.commands.length).toBeLessThan(2000);
    // Quiet for idleMs, then dropped (1 s to flush): the client's unread replies go with it.
    await new Promise<void>((resolve) => (c.destroyed ? resolve() : c.once('close', () => resolve())));
    expect(target.commands.length).toBeLessThan(2000);
    expect(await exchange({ path: socketPath }, 'sup\n')).toBe(`${SUP}\n`);
  });

  it('answers in order while a slow interactive-command hook runs, one command at a time', async () => {
    const order: string[] = [];
    const slow: ControlTarget = {
      ...target,
      onCommand: async (name) => {
        order.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, name === 'chunk-size' ? 300 : 10));
        order.push(`end ${name}`);
      },
    };
    server = await startControlServer({ socketPath, target: slow, log: silentLogger() });
    expect(await exchange({ path: socketPath }, 'chunk-size=300\nsup\n')).toBe(`chunk-size: 1000 → 300\n${SUP}\n`);
    expect(order).toEqual(['start chunk-size', 'end chunk-size', 'start sup', 'end sup']);
  });

  it('closes a connection that sends an endless line', async () => {
    server = await startControlServer({ socketPath, target, log: silentLogger() });
    const got = await exchange({ path: socketPath }, 'x'.repeat(70_000));
    expect(got).toBe('ERROR: line too long (over 65536 characters without a newline); closing\n');
  });
});
