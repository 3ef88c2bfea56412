import { spawn, type ChildProcess } from 'node:child_process';

/** How one hook process ended. */
export type HookExit =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'signaled'; readonly signal: string }
  | { readonly kind: 'timed-out'; readonly timeoutMs: number }
  | { readonly kind: 'not-started'; readonly reason: string };

export interface HookRun {
  readonly exit: HookExit;
  /** The tail of each stream (at most OUTPUT_TAIL_CHARS), for the log and the error message. */
  readonly stdout: string;
  readonly stderr: string;
}

const OUTPUT_TAIL_CHARS = 64 * 1024;
/** After the hook exits, how long to wait for its pipes to close before giving up on them. */
const DRAIN_MS = 200;

/**
 * Runs one executable with no arguments and no stdin, capturing its output, and kills it (with
 * everything it started) when it outlives `timeoutMs`. Never rejects: every way of ending is a HookExit.
 */
export function runHook(o: { file: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<HookRun> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      // detached: the hook leads its own process group, so a timeout can kill the `sleep` or `curl`
      // a shell script is waiting on, not just the shell (which would leave them running).
      child = spawn(o.file, [], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve({ exit: { kind: 'not-started', reason: err instanceof Error ? err.message : String(err) }, stdout: '', stderr: '' });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(-OUTPUT_TAIL_CHARS)));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-OUTPUT_TAIL_CHARS)));

    let timedOut = false;
    let exit: HookExit | undefined;
    let settled = false;
    let drainTimer: NodeJS.Timeout | undefined;
    const finish = (e: HookExit): void => {
      if (settled) return;
      settled = true;
      clearTimeout(killTimer);
      clearTimeout(drainTimer);
      resolve({ exit: e, stdout, stderr });
    };
    const killTimer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, o.timeoutMs);

    child.on('error', (err) => finish({ kind: 'not-started', reason: err.message }));
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      exit = timedOut
        ? { kind: 'timed-out', timeoutMs: o.timeoutMs }
        : signal !== null
          ? { kind: 'signaled', signal }
          : { kind: 'exited', code: code ?? -1 };
      // A hook may leave a background process holding its stdout; do not wait on that forever.
      drainTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        if (exit !== undefined) finish(exit);
      }, DRAIN_MS);
    });
    child.on('close', () => {
      if (exit !== undefined) finish(exit);
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is already gone (ESRCH): fall back to the one process we know, in case it is not.
    child.kill('SIGKILL');
  }
}

/** `exited with status 3`, `killed by signal SIGTERM`, … — the part of the error that says how it ended. */
export function describeHookExit(e: HookExit): string {
  switch (e.kind) {
    case 'exited':
      return `exited with status ${e.code}`;
    case 'signaled':
      return `killed by signal ${e.signal}`;
    case 'timed-out':
      return `timed out after ${e.timeoutMs} ms and was killed (SIGKILL)`;
    case 'not-started':
      return `could not be started (${e.reason})`;
  }
}

/** The last non-blank line, which is where shell scripts and most tools put the reason they failed. */
export function lastLine(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}
