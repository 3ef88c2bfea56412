import { Cron } from 'croner';

/**
 * One `--window`: a cron expression (5 fields, or 6 with seconds first) that opens the window, how
 * long it stays open (elapsed time, so a 4h window on the night clocks change is still 4 hours),
 * and the IANA time zone the expression is read in.
 */
export interface WindowSpec {
  readonly cron: string;
  readonly durationMs: number;
  readonly timeZone: string;
}

/** Where `now` falls: inside a window (until when), or outside (when the next one opens and closes). */
export type WindowState =
  | { readonly kind: 'open'; readonly closesAtMs: number }
  | { readonly kind: 'closed'; readonly opensAtMs: number; readonly closesAtMs: number }
  | { readonly kind: 'never' };

/**
 * Overlapping or touching windows are one: a window that opens every minute for five minutes is
 * open from its first opening on. Walking the overlaps is bounded; past the bound the window counts
 * as open at least that long (it is looked at again then).
 */
const MAX_STEPS = 5000;

/**
 * The union of several windows, asked "open at t?" — with the answer cached until it can change,
 * because the throttler asks ten times a second and walking the cron occurrences is not free.
 */
export class WindowSchedule {
  private readonly crons: readonly { readonly cron: Cron; readonly durationMs: number }[];
  private cached: { readonly fromMs: number; readonly untilMs: number; readonly state: WindowState } | undefined;

  constructor(readonly specs: readonly WindowSpec[]) {
    if (specs.length === 0) throw new Error('a window schedule needs at least one window');
    // paused: croner only computes dates here, it never schedules a timer.
    this.crons = specs.map((s) => ({ cron: new Cron(s.cron, { timezone: s.timeZone, paused: true, mode: '5-or-6-parts' }), durationMs: s.durationMs }));
  }

  /** The time zone windows are shown in (the first window's). */
  get timeZone(): string {
    return (this.specs[0] as WindowSpec).timeZone;
  }

  stateAt(nowMs: number): WindowState {
    const c = this.cached;
    if (c !== undefined && nowMs >= c.fromMs && nowMs < c.untilMs) return c.state;
    const state = this.compute(nowMs);
    // Valid until the window closes (open), or opens (closed); a 'never' schedule is looked at hourly.
    const untilMs = state.kind === 'open' ? state.closesAtMs : state.kind === 'closed' ? state.opensAtMs : nowMs + 3_600_000;
    this.cached = { fromMs: nowMs, untilMs, state };
    return state;
  }

  isOpen(nowMs: number): boolean {
    return this.stateAt(nowMs).kind === 'open';
  }

  private compute(nowMs: number): WindowState {
    const closesAtMs = this.unionEnd(nowMs);
    if (closesAtMs !== undefined) return { kind: 'open', closesAtMs };
    let opensAtMs: number | undefined;
    for (const { cron } of this.crons) {
      const next = cron.nextRun(new Date(nowMs))?.getTime();
      if (next !== undefined && (opensAtMs === undefined || next < opensAtMs)) opensAtMs = next;
    }
    if (opensAtMs === undefined) return { kind: 'never' };
    return { kind: 'closed', opensAtMs, closesAtMs: this.unionEnd(opensAtMs) ?? opensAtMs };
  }

  /** When the union of windows open at `t` closes, or undefined when none is open at `t`. */
  private unionEnd(t: number): number | undefined {
    const budget = { steps: MAX_STEPS };
    let end: number | undefined;
    let at = t;
    while (budget.steps > 0) {
      let furthest: number | undefined;
      for (const w of this.crons) {
        const e = openUntil(w.cron, w.durationMs, at, budget);
        if (e !== undefined && (furthest === undefined || e > furthest)) furthest = e;
      }
      if (furthest === undefined || (end !== undefined && furthest <= end)) return end;
      end = furthest;
      // Another window may open exactly as this one closes, or be open then: the union goes on.
      at = end;
    }
    return end;
  }
}

/**
 * One window's end when it is open at `t`: an occurrence in (t - duration, t] opened it; the
 * occurrences that open before that window closes extend it. Each occurrence looked at spends one
 * step of the shared budget.
 */
function openUntil(cron: Cron, durationMs: number, t: number, budget: { steps: number }): number | undefined {
  budget.steps--;
  const first = cron.nextRun(new Date(t - durationMs))?.getTime();
  if (first === undefined || first > t) return undefined;
  let start: number = first;
  let end = start + durationMs;
  while (budget.steps-- > 0) {
    const next: number | undefined = cron.nextRun(new Date(start))?.getTime();
    if (next === undefined || next > end) return end;
    start = next;
    end = next + durationMs;
  }
  return end;
}
