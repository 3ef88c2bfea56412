import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { OschangeError, ExitCode, describeError } from '../errors.js';
import { commandFor, type ServerInstall } from './install.js';

/** Runs a program to completion; rejects with its output when it fails. */
export async function run(command: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${out.slice(-2000)}`));
    });
  });
}

export interface RunningServer {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves with the exit code (or signal) when the process ends. */
  readonly exited: Promise<string>;
}

/** Starts a server process in the background. Its output goes to its own error log. */
export function startServer(install: ServerInstall, args: readonly string[]): RunningServer {
  const { command, args: argv } = commandFor(install, install.serverBinary, args);
  const child = spawn(command, argv, { stdio: 'ignore' });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(String(code ?? signal)));
    child.on('error', (err) => resolve(describeError(err)));
  });
  return { pid: child.pid, child, exited };
}

/**
 * Waits until the server accepts a login over TCP. Fails early, with the tail of the error log,
 * when the process dies first.
 */
export async function waitReady(server: RunningServer, endpoint: Endpoint, errorLogPath: string, timeoutMs = 90_000): Promise<Connection> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void server.exited.then((c) => (exitedWith = c));
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new OschangeError('SANDBOX_START', `server on port ${endpoint.port} exited (${exitedWith}) while starting:\n${await tail(errorLogPath)}`, {
        exitCode: ExitCode.environment,
      });
    }
    try {
      return await connect(endpoint, { connectTimeoutMs: 2000 });
    } catch (err) {
      // A refused login, or a TLS mismatch (src/db/tls-errors.ts), will not get better by waiting.
      if (isAuthError(err) || (err instanceof OschangeError && err.code.startsWith('TLS_'))) {
        throw new OschangeError('SANDBOX_START', `server on port ${endpoint.port} refused ${endpoint.user}: ${describeError(err)}`, {
          exitCode: ExitCode.environment,
        });
      }
      lastError = err;
      await sleep(100);
    }
  }
  throw new OschangeError(
    'SANDBOX_START',
    `server on port ${endpoint.port} did not accept connections within ${timeoutMs / 1000}s (${describeError(lastError)}):\n${await tail(errorLogPath)}`,
    { exitCode: ExitCode.environment },
  );
}

/** Asks the server to shut down, and kills it if it has not gone after `graceMs`. */
export async function stopServer(server: RunningServer, graceMs = 10_000): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const done = await Promise.race([server.exited.then(() => true), sleep(graceMs, false)]);
  if (!done) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
}

function isAuthError(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'errno' in err ? (err as { errno: unknown }).errno : undefined;
  return code === 1045 || code === 1130 || code === 1251;
}

async function tail(path: string, lines = 20): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no error log at ${path})`;
  }
}
