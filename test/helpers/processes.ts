import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyUnlessInstantAsked } from './migration.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs the CLI from source (node + tsx), as a user would run the built `oschange`. A migration
 * (`--alter`) copies unless the args say something about instant DDL (copyUnlessInstantAsked).
 */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  const argv = args.includes('--alter') ? copyUnlessInstantAsked(args) : args;
  return spawn(process.execPath, ['--import', 'tsx', 'cmd/oschange.ts', ...argv], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout line matching `test`, or rejects when the process ends first. */
export function waitForLine(child: ChildProcess, test: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms; stdout:\n${buf}\nstderr:\n${err}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        if (test(line)) {
          clearTimeout(timer);
          resolve(line);
          return;
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before the line appeared; stdout:\n${buf}\nstderr:\n${err}`));
    });
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of every mysqld/mariadbd whose command line mentions `needle`. */
export function serverPidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\u0000');
      const program = argv[0]?.split('/').pop() ?? '';
      const server = program === 'chroot' ? (argv[2]?.split('/').pop() ?? '') : program;
      if ((server === 'mysqld' || server === 'mariadbd') && argv.some((a) => a.includes(needle))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
