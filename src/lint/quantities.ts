/** Numbers as a person reads them in lint's findings. */

/** 1234567 → "1,234,567". */
export function count(n: number | bigint): string {
  return (typeof n === 'bigint' ? n : Math.round(n)).toLocaleString('en-US');
}

/** Bytes → "512 B", "1.5 MB", "12.0 GB" (powers of 1024, as MySQL's own sizes are). */
export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${Math.round(v)} B` : `${v.toFixed(1)} ${units[u] as string}`;
}

/** A duration, rounded as an estimate should be: "under a second", "about 40 s", "about 12 min", "about 3 h 20 min". */
export function duration(ms: number): string {
  if (ms < 1000) return 'under a second';
  const s = ms / 1000;
  if (s < 90) return `about ${Math.round(s)} s`;
  const min = s / 60;
  if (min < 90) return `about ${Math.round(min)} min`;
  const h = Math.floor(min / 60);
  const rest = Math.round((min - h * 60) / 10) * 10;
  return rest === 0 || rest === 60 ? `about ${rest === 60 ? h + 1 : h} h` : `about ${h} h ${rest} min`;
}
