import { formatShortDuration } from './duration.js';
import type { WindowConfig } from './window-options.js';
import type { WindowSchedule, WindowSpec, WindowState } from './window-schedule.js';

/**
 * `Tue 01:00 CET` in the window's time zone (seconds too when the time has them, as a window from
 * a cron with a seconds field does). The zone's abbreviation where there is one people use
 * (en-US knows EST but says GMT+1 for CET, en-GB the other way round), its offset otherwise.
 */
export function formatLocalTime(ms: number, timeZone: string): string {
  const date = new Date(ms);
  const withSeconds = date.getUTCSeconds() !== 0;
  const zone = zoneName(date, timeZone);
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
  const time = `${parts['hour'] ?? ''}:${parts['minute'] ?? ''}${withSeconds ? `:${parts['second'] ?? ''}` : ''}`;
  return `${parts['weekday'] ?? ''} ${time} ${zone}`;
}

function zoneName(date: Date, timeZone: string): string {
  const named = (locale: string): string => {
    const part = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
    return part?.value ?? '';
  };
  const us = named('en-US');
  if (!/^GMT[+-]/.test(us)) return us;
  const gb = named('en-GB');
  return /^[A-Z]{2,5}$/.test(gb) ? gb : us;
}

/** The throttle reason while outside every window: `outside window; next opens Tue 01:00 CET (in 3h12m)`. */
export function outsideWindowText(state: WindowState, nowMs: number, timeZone: string): string {
  if (state.kind === 'never') return 'outside window; no window opens again (check --window)';
  const opensAtMs = state.kind === 'closed' ? state.opensAtMs : nowMs;
  return `outside window; next opens ${formatLocalTime(opensAtMs, timeZone)} (in ${formatShortDuration(opensAtMs - nowMs)})`;
}

/** The copy's throttle reason from the windows, or undefined while one is open. */
export function copyWindowReason(schedule: WindowSchedule, nowMs: number): string | undefined {
  const state = schedule.stateAt(nowMs);
  return state.kind === 'open' ? undefined : outsideWindowText(state, nowMs, schedule.timeZone);
}

/** `copy "0 1 * * 1-5" for 4h (Europe/Berlin); cut-over: the copy's` — the socket's `status` line. */
export function describeWindows(w: WindowConfig): string {
  if (w.copy.length === 0 && w.cutOver.length === 0) return '(none: any time)';
  const list = (specs: readonly WindowSpec[]): string =>
    specs.map((s) => `"${s.cron}" for ${formatShortDuration(s.durationMs)}`).join(', ') + ` (${(specs[0] as WindowSpec).timeZone})`;
  const copy = w.copy.length === 0 ? 'copy any time' : `copy ${list(w.copy)}`;
  const cutOver = w.cutOver === w.copy ? 'cut-over: the copy\'s' : `cut-over ${list(w.cutOver)}`;
  return `${copy}; ${cutOver}`;
}
