import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { OschangeError } from '../errors.js';
import type { MigrationState } from '../state.js';

/** How often the panic command and the panic flag file are looked at: cheap, no server involved. */
export const PANIC_POLL_MS = 50;

/** The error a panic (command, flag file, critical load) stops the migration with. */
export function panicError(reason: string): OschangeError {
  return new OschangeError('PANIC', `stopped: ${reason}; the original table is untouched`);
}

/**
 * Watches for `panic` (state.panicReason) and the panic flag file on its own timer, apart from the
 * throttle checks, so a check that hangs on a server cannot delay a panic. The first reason seen
 * is recorded in state.panicReason and handed to onPanic once.
 */
export async function watchPanic(o: {
  readonly state: MigrationState;
  readonly panicFlagFile: string | undefined;
  readonly onPanic: (reason: string) => void;
  readonly signal: AbortSignal;
  readonly pollMs?: number;
}): Promise<void> {
  const { state, signal } = o;
  while (!signal.aborted) {
    if (state.panicReason === undefined && o.panicFlagFile !== undefined && existsSync(o.panicFlagFile)) {
      state.panicReason = `panic flag file ${o.panicFlagFile} exists`;
    }
    if (state.panicReason !== undefined) {
      o.onPanic(state.panicReason);
      return;
    }
    await sleep(o.pollMs ?? PANIC_POLL_MS, undefined, { signal }).catch(() => undefined);
  }
}
