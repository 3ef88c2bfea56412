/**
 * Durations as operators write them on the command line: `4h`, `90m`, `1h30m`, `45s`, `2d`.
 * A bare number is refused: "4" could mean hours or seconds, and a window of the wrong size is
 * worse than an error.
 */
const UNIT_MS: Readonly<Record<string, number>> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** `1h30m` → 5400000, or what is wrong with it. */
export function parseDuration(text: string): number | { readonly problem: string } {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?[dhms])+$/.test(t)) return { problem: `"${text}" is not a duration like 4h, 90m, 1h30m or 45s` };
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)([dhms])/g)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  if (ms <= 0) return { problem: `"${text}" is not longer than zero` };
  return Math.round(ms);
}

/**
 * How long until something, for people: `3h12m`, `12m5s`, `45s`, `2d3h`. Seconds are rounded up,
 * so a window opening in 0.4 s reads `in 1s`, never `in 0s`.
 */
export function formatShortDuration(ms: number): string {
  let s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d${h}h`;
  if (h > 0) return `${h}h${m}m`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
