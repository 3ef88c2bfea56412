import type { MigrationState } from '../state.js';
import { statusLine, statusNumbers } from '../status/format.js';
import type { HookEvent } from './hook-event.js';

/** What a hook is told about the migration that does not change while it runs. */
export interface HookContext {
  readonly database: string;
  readonly table: string;
  readonly ghostTable: string;
  readonly oldTable: string;
  readonly ddl: string;
  /** `host:port` of the server executing the migration. */
  readonly host: string;
}

export interface HookExtra {
  /** The operator's interactive command, for `interactive-command`. */
  readonly command?: string;
  /** Why the migration failed, for `failure`. */
  readonly exitReason?: string;
}

/**
 * The `OSCHANGE_*` variables for one event. Every variable is always set (empty when it does not
 * apply) so hooks written with `set -u` do not break on the events that leave one out.
 */
export function hookEnv(o: { event: HookEvent; context: HookContext; state: MigrationState; nowMs: number; extra?: HookExtra }): Record<string, string> {
  const own = oschangeEnv(o);
  // gh-ost's names for the same values, so its hook scripts run unchanged (doc/hooks.md of gh-ost).
  const ghost: Record<string, string> = { GH_OST_MIGRATED_HOST: o.context.host, GH_OST_INSPECTED_HOST: o.context.host, GH_OST_DRY_RUN: 'false', GH_OST_REVERT: 'false' };
  for (const [k, v] of Object.entries(own)) ghost[k.replace(/^OSCHANGE_/, 'GH_OST_')] = v;
  return { ...own, ...ghost };
}

function oschangeEnv(o: { event: HookEvent; context: HookContext; state: MigrationState; nowMs: number; extra?: HookExtra }): Record<string, string> {
  const { state: s, nowMs, context: c } = o;
  const copyMs = s.copyStartedAtMs === undefined ? 0 : (s.copyEndedAtMs ?? nowMs) - s.copyStartedAtMs;
  const { etaMs } = statusNumbers(s, nowMs);
  return {
    OSCHANGE_DATABASE_NAME: c.database,
    OSCHANGE_TABLE_NAME: c.table,
    OSCHANGE_GHOST_TABLE_NAME: c.ghostTable,
    OSCHANGE_OLD_TABLE_NAME: c.oldTable,
    OSCHANGE_DDL: c.ddl,
    OSCHANGE_EXECUTING_HOST: c.host,
    OSCHANGE_HOOK_EVENT: o.event,
    // Elapsed times count whole seconds done (as gh-ost truncates); the ETA rounds up so that 0
    // means "due", never "under a second left".
    OSCHANGE_ELAPSED_SECONDS: String(wholeSeconds(nowMs - s.startedAtMs)),
    OSCHANGE_ELAPSED_COPY_SECONDS: String(wholeSeconds(copyMs)),
    OSCHANGE_ESTIMATED_ROWS: String(s.rowsEstimate),
    OSCHANGE_COPIED_ROWS: String(s.rowsCopied),
    OSCHANGE_ETA_SECONDS: etaMs === undefined ? '' : String(Math.ceil(etaMs / 1000)),
    OSCHANGE_STATUS: statusLine(s, nowMs),
    OSCHANGE_COMMAND: o.extra?.command ?? '',
    OSCHANGE_EXIT_REASON: o.extra?.exitReason ?? '',
    OSCHANGE_THROTTLE_REASON: s.throttleReason ?? '',
  };
}

function wholeSeconds(ms: number): number {
  return Math.max(0, Math.floor(ms / 1000));
}
