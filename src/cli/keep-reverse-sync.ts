import { parseDuration } from '../schedule/duration.js';

/**
 * --keep-reverse-sync DURATION (src/revert/reverse-sync.ts), `0` to record the cut-over without
 * replaying anything yet. It keeps `_T_del` for a revert, so it cannot go with --ok-to-drop-table.
 */
export function parseKeepReverseSync(raw: { readonly 'keep-reverse-sync'?: string | undefined; readonly 'ok-to-drop-table': boolean }, errors: string[]): number | undefined {
  const value: unknown = raw['keep-reverse-sync'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors.push('--keep-reverse-sync is given more than once: give it once');
    return undefined;
  }
  // 0: record the cut-over for a revert, and replay nothing now (the revert replays it all).
  if (/^0+[dhms]?$/i.test(value.trim())) {
    if (raw['ok-to-drop-table']) errors.push('--keep-reverse-sync keeps the old table for a revert; --ok-to-drop-table drops it: give one of them');
    return 0;
  }
  const ms = parseDuration(value);
  if (typeof ms !== 'number') {
    errors.push(`--keep-reverse-sync must be a duration like 30m or 2h, or 0 (got ${value}: ${ms.problem})`);
    return undefined;
  }
  if (raw['ok-to-drop-table']) errors.push('--keep-reverse-sync keeps the old table for a revert; --ok-to-drop-table drops it: give one of them');
  return ms;
}
