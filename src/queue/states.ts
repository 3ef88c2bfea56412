/**
 * The life of one migration in the history table, as a small state machine. Every change of state
 * goes through `transition()`, and the UPDATE that stores it names the states it may come from
 * (src/sql/history.ts), so two schedulers racing for the same row cannot both win.
 *
 *   queued ──start──► running ──succeed──► succeeded
 *     │  ▲              │ ├────fail──────► failed ─────┐
 *     │  │              │ ├────abort─────► cancelled ──┤ (retry: back to queued)
 *     │  └───retry──────┼─┴────interrupt─► interrupted ┘ (start again: resumed)
 *     ├──postpone──► postponed ──start (when due)──► running
 *     └──cancel────► cancelled
 *
 * `abort` is a running migration stopped because `queue cancel` asked it to; `interrupt` is one
 * whose process stopped (a signal, a crash, a lost runner) and can go on with --resume.
 */
export const MIGRATION_STATES = ['queued', 'postponed', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type MigrationStatus = (typeof MIGRATION_STATES)[number];

export const QUEUE_ACTIONS = ['start', 'succeed', 'fail', 'abort', 'interrupt', 'cancel', 'retry', 'postpone'] as const;
export type QueueAction = (typeof QUEUE_ACTIONS)[number];

export const TRANSITIONS: Readonly<Record<QueueAction, { readonly from: readonly MigrationStatus[]; readonly to: MigrationStatus }>> = {
  start: { from: ['queued', 'postponed', 'interrupted'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  fail: { from: ['running'], to: 'failed' },
  abort: { from: ['running'], to: 'cancelled' },
  interrupt: { from: ['running'], to: 'interrupted' },
  cancel: { from: ['queued', 'postponed', 'interrupted', 'failed'], to: 'cancelled' },
  retry: { from: ['failed', 'cancelled', 'interrupted', 'postponed'], to: 'queued' },
  postpone: { from: ['queued', 'postponed', 'interrupted', 'failed'], to: 'postponed' },
};

/** The state an action leads to from `current`, or why it cannot be taken (for the operator). */
export function transition(current: MigrationStatus, action: QueueAction): { readonly to: MigrationStatus } | { readonly refused: string } {
  const t = TRANSITIONS[action];
  if (t.from.includes(current)) return { to: t.to };
  const hint = action === 'cancel' && current === 'running' ? ' (a running migration is asked to stop instead)' : '';
  return { refused: `it is ${current}; only a migration that is ${orList(t.from)} can be ${PAST[action]}${hint}` };
}

export function isMigrationStatus(s: string): s is MigrationStatus {
  return (MIGRATION_STATES as readonly string[]).includes(s);
}

/** Finished for good unless retried: nothing will move it on its own. */
export function isFinal(s: MigrationStatus): boolean {
  return s === 'succeeded' || s === 'failed' || s === 'cancelled';
}

const PAST: Readonly<Record<QueueAction, string>> = {
  start: 'started',
  succeed: 'marked succeeded',
  fail: 'marked failed',
  abort: 'stopped',
  interrupt: 'marked interrupted',
  cancel: 'cancelled',
  retry: 'retried',
  postpone: 'postponed',
};

function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1) ?? ''}`;
}
