/**
 * Reading oschange's output: its gh-ost status lines (stdout), its final "Done:" line, and its
 * pino JSON log lines (stderr). Pure functions, so the parsing can be checked on saved output.
 */
export interface StatusSample {
  /** When the bench read the line, epoch ms. */
  readonly atMs: number;
  readonly copied: number;
  readonly total: number;
  readonly applied: number;
  readonly backlog: number;
  readonly backlogCapacity: number;
  /** Seconds since the newest heartbeat the applier has replayed; undefined for N/A. */
  readonly lagSeconds: number | undefined;
  readonly state: string;
}

const STATUS = /Copy: (\d+)\/(\d+) [\d.]+%; Applied: (\d+); Backlog: (\d+)\/(\d+);.*?Lag: ([\d.]+s|N\/A), State: ([^;]*)/;

export function parseStatusLine(line: string, atMs: number): StatusSample | undefined {
  const m = STATUS.exec(line);
  if (m === null) return undefined;
  return {
    atMs,
    copied: Number(m[1]),
    total: Number(m[2]),
    applied: Number(m[3]),
    backlog: Number(m[4]),
    backlogCapacity: Number(m[5]),
    lagSeconds: m[6] === 'N/A' ? undefined : Number((m[6] as string).replace('s', '')),
    state: (m[7] as string).trim(),
  };
}

/** `Done: … migrated in 12.3s; … locked for 17 ms at cut-over; …` */
export function parseDoneLine(line: string): { seconds: number; lockMs: number | undefined; checksumSeconds: number | undefined } | undefined {
  const m = /^Done: .* migrated in ([\d.]+)s/.exec(line);
  if (m === null) return undefined;
  const lock = /locked for (\d+) ms/.exec(line);
  const checksum = /checksum equal \([^)]*?, ([\d.]+)s\)/.exec(line);
  return { seconds: Number(m[1]), lockMs: lock === null ? undefined : Number(lock[1]), checksumSeconds: checksum === null ? undefined : Number(checksum[1]) };
}

export interface LogEvent {
  readonly timeMs: number;
  readonly msg: string;
}

/** One pino line, or undefined for anything else (pretty output, partial lines). */
export function parseLogLine(line: string): LogEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { time, msg } = v as { time?: unknown; msg?: unknown };
    if (typeof time !== 'number' || typeof msg !== 'string') return undefined;
    return { timeMs: time, msg };
  } catch {
    return undefined;
  }
}

/**
 * The copy's start and end. Preferred: the log's "binlog position taken before the copy" (the copy
 * starts right after) and "row copy complete". Without them: the first status line that shows
 * rows copied, and the first one past the copying state (1-second resolution).
 */
export function copyWindow(events: readonly LogEvent[], samples: readonly StatusSample[]): { startMs: number; endMs: number; source: 'log' | 'status lines' } | undefined {
  const start = events.find((e) => /binlog position taken before the copy/.test(e.msg));
  const end = events.find((e) => /row copy complete/.test(e.msg));
  if (start !== undefined && end !== undefined) return { startMs: start.timeMs, endMs: end.timeMs, source: 'log' };
  const first = samples.find((s) => s.copied > 0);
  const last = samples.find((s) => s.copied > 0 && s.copied >= s.total && !/copying|throttled/.test(s.state));
  if (first === undefined || last === undefined) return undefined;
  return { startMs: first.atMs - 1000, endMs: last.atMs, source: 'status lines' };
}
