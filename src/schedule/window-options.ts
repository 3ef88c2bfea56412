import { Cron } from 'croner';
import { parseDuration } from './duration.js';
import type { WindowSpec } from './window-schedule.js';

/** The windows a migration keeps to: the copy's, and the cut-over's (the copy's when none is given). */
export interface WindowConfig {
  readonly copy: readonly WindowSpec[];
  readonly cutOver: readonly WindowSpec[];
}

export interface RawWindowOptions {
  readonly window?: readonly string[] | undefined;
  readonly 'window-duration'?: string | undefined;
  readonly 'window-tz'?: string | undefined;
  readonly 'cut-over-window'?: readonly string[] | undefined;
  readonly 'cut-over-window-duration'?: string | undefined;
}

/** The time zone of this process (TZ, or the system's), which cron itself would use. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * --window CRON… --window-duration D --window-tz TZ --cut-over-window CRON… --cut-over-window-duration D:
 * every problem goes to `errors`, each naming the flag and the accepted form.
 */
export function parseWindowOptions(raw: RawWindowOptions, errors: string[], defaultTimeZone: string = localTimeZone()): WindowConfig {
  const timeZone = raw['window-tz'] ?? defaultTimeZone;
  let tzOk = true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    tzOk = false;
    errors.push(`--window-tz must be an IANA time zone such as Europe/Berlin, America/New_York or UTC (got ${timeZone})`);
  }
  const duration = (flag: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const d = parseDuration(text);
    if (typeof d === 'number') return d;
    errors.push(`--${flag} must be a duration like 4h, 90m, 1h30m or 45s (got ${text})`);
    return undefined;
  };
  const copyDuration = duration('window-duration', raw['window-duration']);
  const cutOverDuration = duration('cut-over-window-duration', raw['cut-over-window-duration']) ?? copyDuration;
  const specs = (flag: string, crons: readonly string[] | undefined, durationMs: number | undefined, durationFlag: string): WindowSpec[] => {
    const list = (crons ?? []).filter((c) => c.trim() !== '');
    if (list.length === 0) return [];
    if (durationMs === undefined) {
      if (raw[durationFlag as 'window-duration'] === undefined) errors.push(`--${flag} needs --${durationFlag}: how long each window stays open, e.g. 4h`);
      return [];
    }
    const out: WindowSpec[] = [];
    for (const cron of list) {
      const problem = tzOk ? cronProblem(cron, timeZone) : undefined;
      if (problem !== undefined) errors.push(`--${flag} "${cron}": ${problem}`);
      else out.push({ cron: cron.trim(), durationMs, timeZone });
    }
    return out;
  };
  const copy = specs('window', raw.window, copyDuration, 'window-duration');
  const cutOver = specs('cut-over-window', raw['cut-over-window'], cutOverDuration, raw['cut-over-window-duration'] === undefined ? 'window-duration' : 'cut-over-window-duration');
  if ((raw.window ?? []).length === 0 && (raw['cut-over-window'] ?? []).length === 0) {
    if (raw['window-duration'] !== undefined) errors.push('--window-duration is only used with --window or --cut-over-window');
    if (raw['window-tz'] !== undefined) errors.push('--window-tz is only used with --window or --cut-over-window');
  }
  if (raw['cut-over-window-duration'] !== undefined && (raw['cut-over-window'] ?? []).length === 0) errors.push('--cut-over-window-duration is only used with --cut-over-window');
  return { copy, cutOver: cutOver.length > 0 ? cutOver : copy };
}

/** Why croner refuses the expression, or why it is no use as a window; undefined when it is fine. */
function cronProblem(cron: string, timeZone: string): string | undefined {
  try {
    const c = new Cron(cron, { timezone: timeZone, paused: true, mode: '5-or-6-parts' });
    if (c.nextRun() === null) return 'it never opens again';
    return undefined;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return `not a cron expression of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first): ${text.replace(/^CronPattern: /, '')}`;
  }
}
