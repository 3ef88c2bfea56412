import { formatShortDuration } from './duration.js';
import { outsideWindowText } from './window-text.js';
import type { WindowSchedule } from './window-schedule.js';

/** Whether the checksum and the cut-over may start now, and if not, why and when to look again. */
export type CutOverVerdict =
  | { readonly go: true; readonly note?: string }
  | { readonly go: false; readonly reason: string; readonly retryAtMs: number };

/**
 * The cut-over happens only inside a cut-over window, and only when what must still happen before
 * the swap (`neededMs`: the checksum's estimate and the cut-over's own allowance) ends before the
 * window closes: a checksum that ran past the window's end would put its load, and the swap's lock,
 * outside the hours the operator chose. When no window is long enough for it, waiting would be
 * forever: it starts as a window opens, and the note says so.
 */
export function cutOverVerdict(o: { schedule: WindowSchedule | undefined; nowMs: number; neededMs: number }): CutOverVerdict {
  const { schedule, nowMs, neededMs } = o;
  if (schedule === undefined) return { go: true };
  const state = schedule.stateAt(nowMs);
  if (state.kind === 'never') return { go: false, reason: outsideWindowText(state, nowMs, schedule.timeZone), retryAtMs: nowMs + 60_000 };
  if (state.kind === 'closed') {
    return { go: false, reason: outsideWindowText(state, nowMs, schedule.timeZone), retryAtMs: state.opensAtMs };
  }
  const left = state.closesAtMs - nowMs;
  if (left >= neededMs) return { go: true };
  // Too little of this window is left. A longer stretch in the next window is worth waiting for;
  // when none is long enough, starting at a window's opening is the best there is.
  const next = schedule.stateAt(state.closesAtMs);
  if (next.kind === 'closed' && next.closesAtMs - next.opensAtMs > left) {
    return {
      go: false,
      reason: `${formatShortDuration(left)} left in this window, about ${formatShortDuration(neededMs)} needed; ${outsideWindowText(next, nowMs, schedule.timeZone).replace(/^outside window; /, '')}`,
      retryAtMs: next.opensAtMs,
    };
  }
  return { go: true, note: `no window is long enough for the checksum and the cut-over (about ${formatShortDuration(neededMs)} needed): starting inside this one` };
}
