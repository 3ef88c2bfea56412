import type { MigrationConfig } from '../config.js';
import type { Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import { lockInfoSource, showPendingLocksHow } from '../cutover/blockers.js';
import { swapTogetherUnsupported } from '../cutover/swap-together.js';
import { createGhostAndPlan, type Plan } from '../inspect/plan.js';
import type { Logger } from '../log.js';
import { dropTable } from '../sql/ghost.js';
import type { AlsoTable } from './attempt.js';
import { runNames } from './run-names.js';

/**
 * Refused before anything is created: what a migration of several tables in one cut-over cannot do
 * yet (docs/design.md, "Several tables in one cut-over"). Each reason names the way that works.
 */
export async function refuseSeveral(conn: Connection, config: MigrationConfig, version: ServerVersion): Promise<void> {
  const also = config.alsoTables ?? [];
  if (also.length === 0) return;
  const unsupported = swapTogetherUnsupported(version);
  if (unsupported !== undefined) {
    throw new OschangeError('SEVERAL_TABLES_UNSUPPORTED', `several tables cannot be swapped in one cut-over here: ${unsupported}`, { exitCode: ExitCode.usage });
  }
  // The cut-over hands the tables over to its RENAME as it sees it wait for each (src/cutover/swap-together.ts).
  if ((await lockInfoSource(conn, version.flavor)) !== 'performance_schema') {
    throw new OschangeError(
      'SEVERAL_TABLES_UNSUPPORTED',
      `several tables in one cut-over need to see which table lock a session waits for, and this server does not show it: ${showPendingLocksHow(version.flavor)}`,
      { exitCode: ExitCode.usage },
    );
  }
}

/** The tables' own view of the settings: the same run, its table and its ALTER. */
export function tableConfig(config: MigrationConfig, change: { readonly table: string; readonly alter: string }): MigrationConfig {
  return { ...config, table: change.table, alter: change.alter, alsoTables: [] };
}

/**
 * Plans the tables beside the first and (with --execute) creates their ghosts, one after another.
 * Triggers and foreign keys are refused: moving them inside a shared RENAME is not built. When one
 * table fails, the ghosts made for the others here are dropped again, and so is the first's when
 * `dropFirst` says so: a refused migration leaves the server as it found it.
 */
export async function planAlsoTables(o: {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly config: MigrationConfig;
  readonly first: Plan;
  readonly endpoint: Endpoint;
  readonly where: string;
  readonly log: Logger;
  readonly startedAtMs: number;
}): Promise<AlsoTable[]> {
  const { conn, config } = o;
  const planned: AlsoTable[] = [];
  try {
    refuseCarried(config, o.first);
    for (const change of config.alsoTables ?? []) {
      const own = tableConfig(config, change);
      const names = await runNames({ conn, config: own, startedAtMs: o.startedAtMs });
      const plan = await createGhostAndPlan({ conn, version: o.version, config: own, endpoint: o.endpoint, where: o.where, log: o.log, resume: false, names });
      planned.push({ config: own, plan });
      refuseCarried(own, plan);
    }
    return planned;
  } catch (err) {
    if (config.execute) {
      for (const ghost of [o.first.names.ghost, ...planned.map((t) => t.plan.names.ghost)]) {
        await conn.query(dropTable(config.database, ghost).sql).catch((e: unknown) => o.log.warn({ err: describeError(e), ghost }, 'could not drop a ghost table after the refusal'));
      }
    }
    throw err;
  }
}

function refuseCarried(config: MigrationConfig, plan: Plan): void {
  const { own, children } = plan.foreignKeys;
  const what = [
    plan.triggers.length > 0 ? `triggers (${plan.triggers.join(', ')})` : undefined,
    own.length > 0 || children.length > 0 ? 'foreign keys' : undefined,
  ].filter((w) => w !== undefined);
  if (what.length === 0) return;
  throw new OschangeError(
    'SEVERAL_TABLES_UNSUPPORTED',
    `${config.database}.${config.table} has ${what.join(' and ')}, which a migration of several tables in one cut-over does not carry yet; ` +
      'migrate this table on its own (one --table and --alter)',
    { exitCode: ExitCode.usage },
  );
}
