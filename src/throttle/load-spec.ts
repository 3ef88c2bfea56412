/**
 * `--max-load 'Threads_running=25,Threads_connected=500'`: status variable → threshold.
 * Returns the map, or an error message naming the bad part.
 */
export function parseLoadSpec(spec: string): ReadonlyMap<string, number> | { error: string } {
  const out = new Map<string, number>();
  if (spec.trim() === '') return out;
  for (const part of spec.split(',')) {
    const m = /^\s*([A-Za-z_]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (m === null) return { error: `"${part.trim()}" is not Variable=number (e.g. Threads_running=25)` };
    out.set(m[1] as string, Number(m[2]));
  }
  return out;
}

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
