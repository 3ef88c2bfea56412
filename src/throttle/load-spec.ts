/**
 * The one parser of status-variable thresholds, for `--max-load`/`--critical-load` and the socket's
 * `max-load=`/`critical-load=`: `Threads_running=25,Threads_connected=500` → variable → threshold.
 * Returns the map, or the problem (': …', or '' when the form is simply wrong).
 */
export function parseLoadSpec(raw: string): ReadonlyMap<string, number> | { readonly problem: string } {
  const map = new Map<string, number>();
  if (raw.trim() === '') return map;
  const seen = new Set<string>();
  for (const item of raw.split(',')) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*(\d{1,15})\s*$/.exec(item);
    if (m === null || m[1] === undefined || m[2] === undefined) return { problem: '' };
    // Status variable names are case-insensitive, so `a=1,A=2` would be ambiguous.
    const key = m[1].toLowerCase();
    if (seen.has(key)) return { problem: `: ${m[1]} appears twice` };
    seen.add(key);
    map.set(m[1], Number(m[2]));
  }
  return map;
}

/** The form both the flag and the socket accept (their error messages quote it). */
export const LOAD_SPEC_FORM = 'Var=N[,Var=N...] with status variable names and whole numbers';

export function formatLoadSpec(spec: ReadonlyMap<string, number>): string {
  return [...spec].map(([k, v]) => `${k}=${v}`).join(',');
}

/** The first variable at or above its threshold, as a reason: `Threads_running=26 >= 25`. */
export function loadExceeded(spec: ReadonlyMap<string, number>, values: ReadonlyMap<string, number>): string | undefined {
  for (const [name, limit] of spec) {
    const v = values.get(name.toLowerCase());
    if (v !== undefined && v >= limit) return `${name}=${v} >= ${limit}`;
  }
  return undefined;
}
