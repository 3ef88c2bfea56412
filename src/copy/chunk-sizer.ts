/** Bounds of an adapting chunk size: small enough to stay responsive, large enough to matter. */
export const ADAPTIVE_MIN_ROWS = 100;
export const ADAPTIVE_MAX_ROWS = 200_000;

/**
 * The next chunk size when chunks should take `targetMs`: scaled by how long a chunk of `size`
 * rows took, at most doubled or halved per step so one odd chunk (a cold page, a lock wait) does
 * not swing it, and kept within [min, max]. A chunk that took no measurable time counts as 1 ms.
 */
export function nextChunkSize(o: { size: number; ms: number; targetMs: number; min?: number; max?: number }): number {
  const min = o.min ?? ADAPTIVE_MIN_ROWS;
  const max = o.max ?? ADAPTIVE_MAX_ROWS;
  const ideal = (o.size * o.targetMs) / Math.max(1, o.ms);
  const damped = Math.min(o.size * 2, Math.max(o.size / 2, ideal));
  return Math.round(Math.min(max, Math.max(min, damped)));
}
