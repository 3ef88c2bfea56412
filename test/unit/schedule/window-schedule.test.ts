import { describe, expect, it } from 'vitest';
import { cutOverVerdict } from '../../../src/schedule/cut-over-gate.js';
import { formatShortDuration, parseDuration } from '../../../src/schedule/duration.js';
import { parseWindowOptions } from '../../../src/schedule/window-options.js';
import { WindowSchedule, type WindowState } from '../../../src/schedule/window-schedule.js';
import { copyWindowReason, formatLocalTime } from '../../../src/schedule/window-text.js';

const H = 3_600_000;
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const schedule = (cron: string | string[], duration: string, timeZone: string): WindowSchedule =>
  new WindowSchedule((Array.isArray(cron) ? cron : [cron]).map((c) => ({ cron: c, durationMs: parseDuration(duration) as number, timeZone })));
/** The state with times as ISO strings, easier to read in a failing test. */
const show = (s: WindowState): Record<string, string> =>
  s.kind === 'open' ? { kind: 'open', closes: iso(s.closesAtMs) } : s.kind === 'closed' ? { kind: 'closed', opens: iso(s.opensAtMs), closes: iso(s.closesAtMs) } : { kind: 'never' };

describe('window arithmetic (the clock is a parameter: no waiting)', () => {
  it('a weekday window in Berlin: open, closed, and the next one after the weekend', () => {
    const w = schedule('0 1 * * 1-5', '4h', 'Europe/Berlin');
    // Tue 2026-12-01 01:00 CET = 00:00Z
    expect(show(w.stateAt(at('2026-12-01T00:00:00Z')))).toEqual({ kind: 'open', closes: '2026-12-01T04:00:00.000Z' });
    expect(show(w.stateAt(at('2026-12-01T03:59:59.999Z')))).toEqual({ kind: 'open', closes: '2026-12-01T04:00:00.000Z' });
    // The end is not in the window.
    expect(show(w.stateAt(at('2026-12-01T04:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-12-02T00:00:00.000Z', closes: '2026-12-02T04:00:00.000Z' });
    expect(show(w.stateAt(at('2026-11-30T23:59:59.999Z')))).toEqual({ kind: 'closed', opens: '2026-12-01T00:00:00.000Z', closes: '2026-12-01T04:00:00.000Z' });
    // Friday after the window → Monday 01:00.
    expect(show(w.stateAt(at('2026-12-04T12:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-12-07T00:00:00.000Z', closes: '2026-12-07T04:00:00.000Z' });
  });

  it('DST spring forward: the window starts at its wall time in the new offset, and lasts 4 real hours', () => {
    // Berlin, Sun 2026-03-29: 02:00 CET → 03:00 CEST. 01:00 CET = 00:00Z, +4h = 04:00Z = 06:00 CEST.
    const w = schedule('0 1 * * *', '4h', 'Europe/Berlin');
    expect(show(w.stateAt(at('2026-03-28T23:30:00Z')))).toEqual({ kind: 'closed', opens: '2026-03-29T00:00:00.000Z', closes: '2026-03-29T04:00:00.000Z' });
    // The next night is on summer time: 01:00 CEST = 23:00Z the day before.
    expect(show(w.stateAt(at('2026-03-29T12:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-03-29T23:00:00.000Z', closes: '2026-03-30T03:00:00.000Z' });
  });

  it('DST spring forward: a window at a time that does not exist that night opens right after the gap', () => {
    const w = schedule('30 2 * * *', '1h', 'Europe/Berlin');
    // 02:30 does not exist on 2026-03-29; 03:00 CEST = 01:00Z.
    expect(show(w.stateAt(at('2026-03-28T12:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-03-29T01:00:00.000Z', closes: '2026-03-29T02:00:00.000Z' });
  });

  it('DST fall back: a window at a time that happens twice opens once, at the first', () => {
    // Berlin, Sun 2026-10-25: 03:00 CEST → 02:00 CET; 02:30 CEST = 00:30Z, 02:30 CET = 01:30Z.
    const w = schedule('30 2 * * *', '30m', 'Europe/Berlin');
    expect(show(w.stateAt(at('2026-10-24T12:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-10-25T00:30:00.000Z', closes: '2026-10-25T01:00:00.000Z' });
    expect(show(w.stateAt(at('2026-10-25T01:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-10-26T01:30:00.000Z', closes: '2026-10-26T02:00:00.000Z' });
    expect(w.isOpen(at('2026-10-25T01:45:00Z'))).toBe(false);
  });

  it('New York: the same wall time is a different UTC time in summer and in winter', () => {
    const w = schedule('0 22 * * *', '2h', 'America/New_York');
    expect(show(w.stateAt(at('2026-07-01T12:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-07-02T02:00:00.000Z', closes: '2026-07-02T04:00:00.000Z' });
    expect(show(w.stateAt(at('2026-12-01T12:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-12-02T03:00:00.000Z', closes: '2026-12-02T05:00:00.000Z' });
  });

  it('half-hour offsets: Kolkata (+5:30) and Lord Howe (its DST moves by 30 minutes)', () => {
    expect(show(schedule('0 1 * * *', '1h', 'Asia/Kolkata').stateAt(at('2026-12-01T00:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-12-01T19:30:00.000Z', closes: '2026-12-01T20:30:00.000Z' });
    const lh = schedule('0 1 * * *', '1h', 'Australia/Lord_Howe');
    expect(show(lh.stateAt(at('2026-07-01T00:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-07-01T14:30:00.000Z', closes: '2026-07-01T15:30:00.000Z' });
    expect(show(lh.stateAt(at('2026-12-01T00:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-12-01T14:00:00.000Z', closes: '2026-12-01T15:00:00.000Z' });
  });

  it('month ends: the 31st skips short months, L is the last day of every month, leap years counted', () => {
    const d31 = schedule('0 1 31 * *', '2h', 'UTC');
    expect(show(d31.stateAt(at('2026-01-31T03:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-03-31T01:00:00.000Z', closes: '2026-03-31T03:00:00.000Z' });
    const last = schedule('0 23 L * *', '2h', 'UTC');
    expect(show(last.stateAt(at('2028-02-10T00:00:00Z')))).toEqual({ kind: 'closed', opens: '2028-02-29T23:00:00.000Z', closes: '2028-03-01T01:00:00.000Z' });
    // A window crossing midnight into the next month is open on both sides of it.
    expect(last.isOpen(at('2028-03-01T00:30:00Z'))).toBe(true);
    expect(show(last.stateAt(at('2026-12-31T23:30:00Z')))).toEqual({ kind: 'open', closes: '2027-01-01T01:00:00.000Z' });
  });

  it('overlapping and touching windows are one window; several --window are their union', () => {
    // Every 10 minutes for 15 minutes: never closes once open.
    const every = schedule('*/10 * * * *', '15m', 'UTC');
    expect(every.isOpen(at('2026-12-01T05:07:00Z'))).toBe(true);
    // Touching: 01:00–02:00 and 02:00–03:00 are one window until 03:00.
    const touching = schedule(['0 1 * * *', '0 2 * * *'], '1h', 'UTC');
    expect(show(touching.stateAt(at('2026-12-01T01:30:00Z')))).toEqual({ kind: 'open', closes: '2026-12-01T03:00:00.000Z' });
    const two = schedule(['0 1 * * 1-5', '0 10 * * 0,6'], '3h', 'UTC');
    // Saturday: the weekend window.
    expect(show(two.stateAt(at('2026-12-05T05:00:00Z')))).toEqual({ kind: 'closed', opens: '2026-12-05T10:00:00.000Z', closes: '2026-12-05T13:00:00.000Z' });
  });

  it('a seconds field: a window that opens every 10 s for 4 s', () => {
    const w = schedule('*/10 * * * * *', '4s', 'UTC');
    expect(show(w.stateAt(at('2026-12-01T00:00:03.500Z')))).toEqual({ kind: 'open', closes: '2026-12-01T00:00:04.000Z' });
    expect(show(w.stateAt(at('2026-12-01T00:00:04Z')))).toEqual({ kind: 'closed', opens: '2026-12-01T00:00:10.000Z', closes: '2026-12-01T00:00:14.000Z' });
    expect(show(w.stateAt(at('2026-12-01T00:00:59.500Z')))).toEqual({ kind: 'closed', opens: '2026-12-01T00:01:00.000Z', closes: '2026-12-01T00:01:04.000Z' });
  });

  it('answers from its cache until the state can change, and the same as a fresh schedule', () => {
    const cached = schedule('*/10 * * * * *', '4s', 'UTC');
    for (let t = at('2026-12-01T00:00:00Z'); t < at('2026-12-01T00:01:00Z'); t += 250) {
      expect(show(cached.stateAt(t))).toEqual(show(schedule('*/10 * * * * *', '4s', 'UTC').stateAt(t)));
    }
  });
});

describe('how a window is shown', () => {
  it('the throttle reason names the next opening in the window\'s zone and how long until then', () => {
    const w = schedule('0 1 * * 1-5', '4h', 'Europe/Berlin');
    // Mon 2026-11-30 20:48 UTC = 21:48 CET; next opens Tue 01:00 CET, in 3h12m.
    expect(copyWindowReason(w, at('2026-11-30T20:48:00Z'))).toBe('outside window; next opens Tue 01:00 CET (in 3h12m)');
    expect(copyWindowReason(w, at('2026-12-01T01:00:00Z'))).toBeUndefined();
    expect(copyWindowReason(schedule('0 1 * * *', '1h', 'Europe/Berlin'), at('2026-07-01T12:00:00Z'))).toBe('outside window; next opens Thu 01:00 CEST (in 11h0m)');
    expect(copyWindowReason(schedule('*/10 * * * * *', '4s', 'UTC'), at('2026-12-01T00:00:05.200Z'))).toBe('outside window; next opens Tue 00:00:10 UTC (in 5s)');
  });

  it('time zones without a common abbreviation show their offset', () => {
    expect(formatLocalTime(at('2026-12-01T00:00:00Z'), 'Asia/Kolkata')).toBe('Tue 05:30 GMT+5:30');
    expect(formatLocalTime(at('2026-12-01T00:00:00Z'), 'America/New_York')).toBe('Mon 19:00 EST');
  });

  it('durations', () => {
    expect(parseDuration('4h')).toBe(4 * H);
    expect(parseDuration('1h30m')).toBe(1.5 * H);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('2d')).toBe(48 * H);
    expect(parseDuration('4')).toEqual({ problem: '"4" is not a duration like 4h, 90m, 1h30m or 45s' });
    expect(parseDuration('0s')).toEqual({ problem: '"0s" is not longer than zero' });
    expect(formatShortDuration(3 * H + 12 * 60_000)).toBe('3h12m');
    expect(formatShortDuration(400)).toBe('1s');
    expect(formatShortDuration(26 * H)).toBe('1d2h');
    expect(formatShortDuration(125_000)).toBe('2m5s');
  });
});

describe('the cut-over gate', () => {
  const w = schedule('0 1 * * *', '4h', 'UTC');
  it('goes inside a window with time enough, waits outside and near the end', () => {
    expect(cutOverVerdict({ schedule: undefined, nowMs: 0, neededMs: 1e9 })).toEqual({ go: true });
    expect(cutOverVerdict({ schedule: w, nowMs: at('2026-12-01T01:00:00Z'), neededMs: H })).toEqual({ go: true });
    expect(cutOverVerdict({ schedule: w, nowMs: at('2026-12-01T00:00:00Z'), neededMs: H })).toEqual({
      go: false,
      reason: 'outside window; next opens Tue 01:00 UTC (in 1h0m)',
      retryAtMs: at('2026-12-01T01:00:00Z'),
    });
    // 30 minutes left, an hour needed: the next window.
    expect(cutOverVerdict({ schedule: w, nowMs: at('2026-12-01T04:30:00Z'), neededMs: H })).toEqual({
      go: false,
      reason: '30m0s left in this window, about 1h0m needed; next opens Wed 01:00 UTC (in 20h30m)',
      retryAtMs: at('2026-12-02T01:00:00Z'),
    });
  });

  it('when no window is long enough, starts at the opening of one rather than never', () => {
    const v = cutOverVerdict({ schedule: w, nowMs: at('2026-12-01T01:00:00Z'), neededMs: 5 * H });
    expect(v).toEqual({ go: true, note: 'no window is long enough for the checksum and the cut-over (about 5h0m needed): starting inside this one' });
    // Late in a window, the next (whole) one is better.
    expect(cutOverVerdict({ schedule: w, nowMs: at('2026-12-01T04:00:00Z'), neededMs: 5 * H }).go).toBe(false);
  });
});

describe('window flags', () => {
  it('parses the windows with their duration and zone; the cut-over windows default to them', () => {
    const errors: string[] = [];
    const w = parseWindowOptions({ window: ['0 1 * * 1-5', '0 10 * * 0,6'], 'window-duration': '4h', 'window-tz': 'Europe/Berlin' }, errors, 'UTC');
    expect(errors).toEqual([]);
    expect(w.copy).toEqual([
      { cron: '0 1 * * 1-5', durationMs: 4 * H, timeZone: 'Europe/Berlin' },
      { cron: '0 10 * * 0,6', durationMs: 4 * H, timeZone: 'Europe/Berlin' },
    ]);
    expect(w.cutOver).toBe(w.copy);
    const c = parseWindowOptions({ window: ['0 1 * * *'], 'window-duration': '4h', 'cut-over-window': ['0 3 * * *'], 'cut-over-window-duration': '30m' }, errors, 'UTC');
    expect(c.cutOver).toEqual([{ cron: '0 3 * * *', durationMs: 30 * 60_000, timeZone: 'UTC' }]);
    expect(parseWindowOptions({}, errors, 'UTC')).toEqual({ copy: [], cutOver: [] });
    expect(errors).toEqual([]);
  });

  it('reports every problem at once, each with the flag and the form it takes', () => {
    const errors: string[] = [];
    parseWindowOptions({ window: ['0 1 * *', '0 0 30 2 *'], 'window-duration': '4', 'window-tz': 'Mars/Olympus' }, errors, 'UTC');
    expect(errors).toEqual([
      '--window-tz must be an IANA time zone such as Europe/Berlin, America/New_York or UTC (got Mars/Olympus)',
      '--window-duration must be a duration like 4h, 90m, 1h30m or 45s (got 4)',
    ]);
    const more: string[] = [];
    parseWindowOptions({ window: ['0 1 * *', '0 0 30 2 *'] }, more, 'UTC');
    expect(more).toEqual(['--window needs --window-duration: how long each window stays open, e.g. 4h']);
    const cron: string[] = [];
    parseWindowOptions({ window: ['0 1 * *', '0 0 30 2 *', '61 * * * *'], 'window-duration': '1h' }, cron, 'UTC');
    expect(cron[0]).toMatch(/^--window "0 1 \* \*": not a cron expression of 5 fields \(minute hour day-of-month month day-of-week\) or 6 \(seconds first\): /);
    expect(cron[1]).toBe('--window "0 0 30 2 *": it never opens again');
    expect(cron[2]).toMatch(/^--window "61 \* \* \* \*": not a cron expression/);
    const stray: string[] = [];
    parseWindowOptions({ 'window-duration': '1h', 'window-tz': 'UTC', 'cut-over-window-duration': '1h' }, stray, 'UTC');
    expect(stray).toEqual([
      '--window-duration is only used with --window or --cut-over-window',
      '--window-tz is only used with --window or --cut-over-window',
      '--cut-over-window-duration is only used with --cut-over-window',
    ]);
  });
});
