import { chmod, lstat, unlink } from 'node:fs/promises';
import net from 'node:net';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import { checkAuthLine } from './auth.js';
import { changesState, executeCommand, parseCommand, type ControlTarget } from './commands.js';
import { endConnection, serveConnection, type ConnectionTimeouts, type Handled } from './connection.js';
import { MAX_SOCKET_PATH_BYTES } from './socket-path.js';

export interface ControlServerOptions {
  readonly socketPath: string;
  /**
   * Also listen on 127.0.0.1 at this port (0 = any free port). Any local user can connect there,
   * so a TCP client must first send `auth <token>` (src/control/auth.ts).
   */
  readonly tcp?: { readonly port: number; readonly token: string };
  readonly target: ControlTarget;
  readonly log: Logger;
  /** When idle connections are ended (defaults: 500 ms after a reply, 60 s otherwise). */
  readonly timeouts?: ConnectionTimeouts;
  /** Open connections at most, unix and TCP together (default MAX_CONNECTIONS). */
  readonly maxConnections?: number;
}

/** Operators and their scripts need a few; hundreds would only be a client gone wrong. */
export const MAX_CONNECTIONS = 32;

export interface ControlServer {
  /** Stops listening, ends open connections and removes the socket file. Safe to call twice. */
  close(): Promise<void>;
  readonly socketPath: string;
  /** The bound TCP port, when asked for one. */
  readonly tcpPort?: number;
}

/** gh-ost's interactive commands on a unix socket (mode 0600), and optionally on local TCP. */
export async function startControlServer(o: ControlServerOptions): Promise<ControlServer> {
  const log = o.log.child({ module: 'control' });
  const { socketPath } = o;
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw socketError(`control socket path is too long for a unix socket (${Buffer.byteLength(socketPath)} bytes, at most ${MAX_SOCKET_PATH_BYTES}): ${socketPath}`);
  }
  await claimSocketPath(socketPath);

  const connections = new Set<net.Socket>();
  const maxConnections = o.maxConnections ?? MAX_CONNECTIONS;
  const onConnection = (socket: net.Socket, token: string | undefined): void => {
    if (connections.size >= maxConnections) {
      log.warn({ maxConnections }, 'control connection refused: too many open');
      socket.on('error', () => undefined);
      socket.write(`ERROR: too many control connections (${maxConnections} open); try again once one has closed\n`);
      endConnection(socket);
      return;
    }
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    let authenticated = token === undefined;
    const handle = async (line: string): Promise<Handled> => {
      if (authenticated || token === undefined) return { reply: await answer(line, o.target, log) };
      const auth = checkAuthLine(line, token);
      if (auth.ok) authenticated = true;
      else log.warn({ reply: auth.reply }, 'control client failed to authenticate');
      return auth;
    };
    serveConnection({ socket, handle, log, ...(o.timeouts === undefined ? {} : { timeouts: o.timeouts }) });
  };
  // Only servers that are listening; `bound` says the socket file is ours to remove.
  const servers: net.Server[] = [];
  let bound = false;
  const closeAll = async (): Promise<void> => {
    const closed = servers.map((s) => new Promise<void>((resolve, reject) => s.close((err) => (err ? reject(err) : resolve()))));
    for (const socket of connections) endConnection(socket);
    const errors: unknown[] = [];
    for (const r of await Promise.allSettled(closed)) if (r.status === 'rejected') errors.push(r.reason);
    // libuv usually unlinks the file on close already; a leftover would look stale to the next run anyway.
    if (bound) {
      await unlink(socketPath).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') errors.push(err);
      });
    }
    if (errors.length > 0) throw new OschangeError('CONTROL_SOCKET', `closing the control socket ${socketPath} failed: ${errors.map(describeError).join('; ')}`);
  };

  try {
    const unixServer = net.createServer({ allowHalfOpen: true }, (socket) => onConnection(socket, undefined));
    await listen(unixServer, { path: socketPath }).catch((err: unknown) => {
      throw socketError(`cannot listen on the control socket ${socketPath}: ${describeError(err)}`, err);
    });
    servers.push(unixServer);
    bound = true;
    // Commands can stop the migration: only the owner may connect. The file's mode follows the
    // umask at bind time; chmod right after narrows it whatever the umask is.
    await chmod(socketPath, 0o600);
    let tcpPort: number | undefined;
    const tcpOptions = o.tcp;
    if (tcpOptions !== undefined) {
      const tcp = net.createServer({ allowHalfOpen: true }, (socket) => onConnection(socket, tcpOptions.token));
      await listen(tcp, { host: '127.0.0.1', port: tcpOptions.port }).catch((err: unknown) => {
        throw socketError(`cannot listen for control commands on 127.0.0.1:${tcpOptions.port}: ${describeError(err)}`, err);
      });
      servers.push(tcp);
      const address = tcp.address();
      tcpPort = typeof address === 'object' && address !== null ? address.port : tcpOptions.port;
    }
    for (const s of servers) s.on('error', (err) => log.error({ err }, 'control server error'));
    log.info({ socketPath, tcpPort }, 'serving control commands');
    let closing: Promise<void> | undefined;
    return { socketPath, tcpPort, close: () => (closing ??= closeAll()) };
  } catch (err) {
    await closeAll().catch((cleanupErr: unknown) => log.error({ err: cleanupErr }, 'cleaning up the control socket failed'));
    throw err;
  }
}

/** One line in, one reply out, with a log line: info for changes, debug for reads. */
async function answer(line: string, target: ControlTarget, log: Logger): Promise<string> {
  const command = line.trim();
  try {
    const cmd = parseCommand(line);
    if ('error' in cmd) {
      log.warn({ command, reason: cmd.error }, 'control command refused');
      return `ERROR: ${cmd.error}`;
    }
    const reply = await executeCommand(cmd, target);
    if (reply.startsWith('ERROR: ')) log.warn({ command, reply }, 'control command failed');
    else if (changesState(cmd)) log.info({ command, reply }, 'control command');
    else log.debug({ command }, 'control command');
    return reply;
  } catch (err) {
    // executeCommand does not throw; this guards the connection should that ever change.
    log.error({ err, command }, 'control command crashed');
    return `ERROR: internal error: ${describeError(err)}`;
  }
}

/**
 * A socket file left by a crashed run is removed; one that answers belongs to a live migration
 * (most likely of the same table), which we must not hijack.
 */
async function claimSocketPath(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw socketError(`cannot check the control socket path ${path}: ${describeError(err)}`, err);
  }
  if (!isSocket) throw socketError(`${path} exists and is not a socket; remove it or choose another control socket path`);
  if (await somebodyAnswers(path)) {
    throw new OschangeError('CONTROL_SOCKET_IN_USE', `another process is serving on the control socket ${path} (another migration of this table?); stop it or choose another control socket path`, { exitCode: ExitCode.environment });
  }
  await unlink(path).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw socketError(`cannot remove the stale control socket ${path}: ${describeError(err)}`, err);
  });
}

function somebodyAnswers(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = net.connect({ path });
    // A listener too busy to accept within 2 s is still a listener.
    probe.setTimeout(2000, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err) => {
      probe.destroy();
      if (errnoCode(err) === 'ECONNREFUSED') resolve(false);
      else reject(socketError(`cannot check whether ${path} is in use: ${describeError(err)}`, err));
    });
  });
}

function listen(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function socketError(message: string, cause?: unknown): OschangeError {
  return new OschangeError('CONTROL_SOCKET', message, { exitCode: ExitCode.environment, cause });
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
