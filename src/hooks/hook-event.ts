/**
 * The moments at which oschange runs operator hooks, named as the hook files name them:
 * `oschange-on-<event>…`. Kept to gh-ost's set so existing hook scripts port by renaming.
 */
export const HOOK_EVENTS = [
  'startup',
  'validated',
  'rowcount-complete',
  'before-row-copy',
  'status',
  'interactive-command',
  'row-copy-complete',
  'begin-postponed',
  'before-cut-over',
  'success',
  'failure',
] as const;

export type HookEvent = (typeof HOOK_EVENTS)[number];

/**
 * A failing `status` hook must not abort a healthy migration (it runs every few seconds, often just
 * to notify), and a failing `failure` hook must not mask the real failure being reported.
 */
export function hookFailureIsFatal(event: HookEvent): boolean {
  return event !== 'status' && event !== 'failure';
}

/** The file-name prefix of the hooks for an event. No event name is a prefix of another, so a plain prefix match is exact. */
export function hookPrefix(event: HookEvent): string {
  return `oschange-on-${event}`;
}

/**
 * Every file-name prefix that runs at an event: oschange's own, and gh-ost's (`gh-ost-on-<event>`),
 * so a directory of gh-ost hooks works unchanged.
 */
export function hookPrefixes(event: HookEvent): readonly string[] {
  return [hookPrefix(event), `gh-ost-on-${event}`];
}
