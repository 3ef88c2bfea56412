import { constants, statSync } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import { hookEnv, type HookContext, type HookExtra } from './hook-env.js';
import { hookFailureIsFatal, hookPrefixes, type HookEvent } from './hook-event.js';
import { describeHookExit, lastLine, runHook } from './run-hook.js';

export type { HookContext, HookExtra } from './hook-env.js';
export type { HookEvent } from './hook-event.js';

export interface HooksOptions {
  /** `--hooks-path`; undefined or empty means no hooks. */
  readonly hooksPath: string | undefined;
  readonly context: HookContext;
  readonly state: MigrationState;
  readonly now: () => number;
  readonly log: Logger;
  /** Per hook; a hook still running after this is killed and counts as failed. */
  readonly timeoutMs?: number;
}

/**
 * gh-ost-style hooks: at each event, every executable in the hooks directory whose name starts with
 * `oschange-on-<event>` (or gh-ost's `gh-ost-on-<event>`) runs, in name order, one after another,
 * with `OSCHANGE_*` variables and the same values under gh-ost's `GH_OST_*` names.
 *
 * A missing directory is an error in the constructor, so a typo in `--hooks-path` stops the
 * migration before it touches the server rather than at the first event (possibly mid-copy). The
 * directory is listed again at every event so operators can add or fix hooks while it runs.
 */
export class Hooks {
  readonly #dir: string | undefined;
  readonly #given: string;
  readonly #o: HooksOptions;
  readonly #timeoutMs: number;

  constructor(o: HooksOptions) {
    this.#o = o;
    this.#given = o.hooksPath ?? '';
    this.#timeoutMs = o.timeoutMs ?? 60_000;
    if (o.hooksPath === undefined || o.hooksPath === '') return;
    this.#dir = resolve(o.hooksPath);
    let isDir: boolean;
    try {
      isDir = statSync(this.#dir).isDirectory();
    } catch (err) {
      const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT';
      throw pathError(`--hooks-path ${o.hooksPath}: ${missing ? 'no such directory' : `cannot read it (${describeError(err)})`}`, err);
    }
    if (!isDir) throw pathError(`--hooks-path ${o.hooksPath} is not a directory`);
  }

  /**
   * Runs the event's hooks. Rejects with HOOK_FAILED at the first hook that fails, and the rest do
   * not run — except for `status` and `failure`, where a failure is logged at warn and the next hook
   * still runs.
   */
  async run(event: HookEvent, extra?: HookExtra): Promise<void> {
    const dir = this.#dir;
    if (dir === undefined) return;
    const fatal = hookFailureIsFatal(event);
    const log = this.#o.log;
    let files: string[];
    try {
      files = await this.#list(dir, event);
    } catch (err) {
      const e = pathError(`--hooks-path ${this.#given}: cannot list hooks (${describeError(err)})`, err);
      if (fatal) throw e;
      log.warn({ event, err: e }, e.message);
      return;
    }
    if (files.length === 0) return;
    const nowMs = this.#o.now();
    // Read process.env now, not at construction, so hooks see what the process has at the time.
    // The database password is not the hook's business: it is left out of the environment.
    const { OSCHANGE_PASSWORD: _pw, MYSQL_PWD: _pwd, ...inherited } = process.env;
    const env = { ...inherited, ...hookEnv({ event, context: this.#o.context, state: this.#o.state, nowMs, extra }) };
    for (const file of files) {
      // Status hooks run every few seconds; keep them out of the info log.
      log[event === 'status' ? 'debug' : 'info']({ hook: file, event }, 'running hook');
      const r = await runHook({ file, env, timeoutMs: this.#timeoutMs });
      log.debug({ hook: file, event, stdout: r.stdout, stderr: r.stderr }, 'hook output');
      if (r.exit.kind === 'exited' && r.exit.code === 0) continue;
      const stderrLine = lastLine(r.stderr);
      const message = `hook ${file} failed on event ${event}: ${describeHookExit(r.exit)}; last stderr line: ${stderrLine === '' ? '(none)' : stderrLine}`;
      if (fatal) throw new OschangeError('HOOK_FAILED', message);
      log.warn({ hook: file, event, exit: r.exit }, message);
    }
  }

  /** The event's hook files, full paths, in code-unit order (locale-independent, like `LC_ALL=C ls`). */
  async #list(dir: string, event: HookEvent): Promise<string[]> {
    const prefixes = hookPrefixes(event);
    const names = (await readdir(dir)).filter((n) => prefixes.some((p) => n.startsWith(p))).sort();
    const files: string[] = [];
    for (const name of names) {
      const file = join(dir, name);
      const skip = await skipReason(file);
      if (skip === undefined) files.push(file);
      else this.#o.log.debug({ hook: file, event }, `skipping hook: ${skip}`);
    }
    return files;
  }
}

/** Why a matching name is not run, or undefined when it is a runnable file. Follows symlinks. */
async function skipReason(file: string): Promise<string | undefined> {
  try {
    if (!(await stat(file)).isFile()) return 'not a regular file';
  } catch (err) {
    return describeError(err);
  }
  try {
    await access(file, constants.X_OK);
  } catch {
    return 'not executable';
  }
  return undefined;
}

function pathError(message: string, cause?: unknown): OschangeError {
  return new OschangeError('HOOKS_PATH', message, { exitCode: ExitCode.usage, cause });
}
