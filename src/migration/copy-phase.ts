import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Checkpointer } from '../checkpoint/checkpointer.js';
import type { MigrationConfig } from '../config.js';
import { ADAPTIVE_MIN_ROWS } from '../copy/chunk-sizer.js';
import { copyRows, isMemberType, readCopyRange, type CopyOptions } from '../copy/copier.js';
import { defaultCopyThreads } from '../copy/threads.js';
import type { Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import type { ServerVersion } from '../db/flavor.js';
import { ghostWriterSetup } from '../db/session.js';
import type { GuardTables } from '../guard/tables.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import type { Throttler } from '../throttle/throttler.js';
import type { AlsoTable, AttemptStart } from './attempt.js';

/**
 * The row copy of an attempt (docs/design.md rules 1–3): its worker sessions, then each table's key
 * range chunk by chunk — several tables one after another — asking the throttler before each chunk
 * and sleeping --nice-ratio after it; a checkpoint before each table and after the last. What an
 * interrupted run copied (`start.copiedUpTo`) is not copied again.
 */
export async function copyPhase(o: {
  config: MigrationConfig;
  tables: readonly AlsoTable[];
  guards: readonly GuardTables[];
  start: AttemptStart;
  endpoint: Endpoint;
  version: ServerVersion;
  state: MigrationState;
  throttler: Throttler;
  checkpointer: Checkpointer | undefined;
  hooks: Hooks;
  /** Opens a session the attempt closes at its end. */
  open: () => Promise<Connection>;
  firstAttempt: boolean;
  printStatus: () => void;
  now: () => number;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  const { config, state, log, start, checkpointer } = o;
  const several = o.tables.length > 1;
  const workers: Connection[] = [];
  const threads = config.copyThreads ?? defaultCopyThreads(o.endpoint.host, availableParallelism());
  if (o.firstAttempt) log.info({ threads, chunkSize: state.chunkSize, chunkTimeMs: state.chunkTimeMs }, 'copy workers');
  for (let i = 0; i < threads; i++) {
    const worker = await o.open();
    for (const s of ghostWriterSetup()) await worker.query(s.sql);
    workers.push(worker);
  }
  const rangeConn = await o.open();
  const copyOptionsOf = (t: AlsoTable, guard: GuardTables): CopyOptions => {
    const keyIndex = t.plan.sharedKey.originalIndex;
    return {
      conn: rangeConn,
      workers,
      minChunkRows: Math.min(ADAPTIVE_MIN_ROWS, config.chunkSize),
      version: o.version,
      database: config.database,
      table: t.config.table,
      ghost: t.plan.names.ghost,
      key: { indexName: keyIndex.name, columns: keyIndex.columns, byNumber: t.plan.keyTypes.map(isMemberType) },
      keyTypes: t.plan.keyTypes,
      pairs: t.plan.mapping.pairs,
      guard,
      state,
      log: log.child({ module: 'copy', ...(several ? { table: t.config.table } : {}) }),
      retries: config.defaultRetries,
      beforeChunk: (signal: AbortSignal) => o.throttler.waitWhileThrottled(signal),
      afterChunk: async (chunkMs: number, signal: AbortSignal) => {
        state.copyBusyMs += chunkMs;
        state.lastChunkMs = chunkMs;
        if (state.niceRatio > 0) await sleep(chunkMs * state.niceRatio, undefined, { signal });
      },
    };
  };
  if (o.firstAttempt) await o.hooks.run('before-row-copy');
  // The phase says copying only once the before-row-copy hook has run, so a watcher never sees it early.
  state.phase = 'copying';
  state.copyStartedAtMs ??= o.now();
  for (const [i, t] of o.tables.entries()) {
    const copyOptions = copyOptionsOf(t, o.guards[i] as GuardTables);
    const range = (i === 0 ? start.range : undefined) ?? (await readCopyRange(copyOptions));
    state.copyRange = range;
    state.copiedUpTo = i === 0 ? start.copiedUpTo : undefined;
    await checkpointer?.save();
    await copyRows(copyOptions, range, o.signal, state.copiedUpTo);
    if (several) log.info({ table: t.config.table, rows: state.rowsCopied }, 'table copied');
  }
  state.copyEndedAtMs = o.now();
  await checkpointer?.save();
  o.printStatus();
  log.info({ rows: state.rowsCopied, chunks: state.chunksCopied }, 'row copy complete');
  await o.hooks.run('row-copy-complete');
}
