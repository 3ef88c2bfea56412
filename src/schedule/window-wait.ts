import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import { cutOverVerdict } from './cut-over-gate.js';
import type { WindowSchedule } from './window-schedule.js';

/**
 * What must still fit in the cut-over window once it starts: the checksum (estimated from the copy's
 * own pace: it reads every row of both tables once, as the copy read one and wrote the other) and
 * the cut-over (two tries of its lock timeout). Unknown before the copy has timed a chunk: then 0.
 */
export function checksumEstimateMs(state: MigrationState): number {
  const rows = state.rowsCopied - state.rowsCopiedBefore;
  if (state.copyBusyMs <= 0 || rows <= 0) return 0;
  return Math.round((state.copyBusyMs / rows) * Math.max(state.rowsEstimate, state.rowsCopied));
}

export function cutOverAllowanceMs(cutOverLockTimeoutSeconds: number): number {
  return 2 * cutOverLockTimeoutSeconds * 1000;
}

/**
 * Waits until the cut-over window lets `neededMs` of work start (src/schedule/cut-over-gate.ts).
 * Meanwhile the applier goes on, so the ghost stays in sync; state.cutOverWaitReason says why it waits.
 */
export async function waitForCutOverWindow(o: {
  readonly schedule: WindowSchedule | undefined;
  readonly neededMs: number;
  readonly what: string;
  readonly now: () => number;
  readonly state: MigrationState;
  readonly log: Logger;
  readonly printStatus: () => void;
  readonly signal: AbortSignal;
}): Promise<void> {
  let said: string | undefined;
  try {
    for (;;) {
      o.signal.throwIfAborted();
      const nowMs = o.now();
      const verdict = cutOverVerdict({ schedule: o.schedule, nowMs, neededMs: o.neededMs });
      if (verdict.go) {
        if (verdict.note !== undefined) o.log.warn({ neededMs: o.neededMs }, verdict.note);
        if (said !== undefined) o.log.info(`cut-over window open: starting the ${o.what}`);
        return;
      }
      o.state.cutOverWaitReason = verdict.reason;
      // Said once per kind of reason, not every time the countdown moves.
      const kind = verdict.reason.replace(/\(in [^)]*\)|\d+/g, '#');
      if (kind !== said) {
        o.log.info({ reason: verdict.reason, neededMs: o.neededMs }, `waiting for the cut-over window before the ${o.what}`);
        o.printStatus();
        said = kind;
      }
      await sleep(Math.max(20, Math.min(1000, verdict.retryAtMs - nowMs)), undefined, { signal: o.signal });
    }
  } finally {
    o.state.cutOverWaitReason = undefined;
  }
}
