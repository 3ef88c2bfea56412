import { foreignKeyChecksOff } from '../sql/foreign-keys.js';
import type { MigrationConfig } from '../config.js';
import { isMemberType } from '../copy/copier.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import type { Plan } from '../inspect/plan.js';
import type { Column, TableInfo } from '../inspect/table-info.js';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import { conversionTo, planComparison, sameValues } from '../verify/comparison.js';
import { verifyTables, type VerifyResult } from '../verify/verifier.js';
import { verifyWholeTable } from '../verify/whole-table.js';

/**
 * The checksum before the cut-over: every column is compared (converted to the new type where the
 * ALTER changes it, src/verify/comparison.ts), range by range along the shared key, or over the
 * whole table when the ALTER changes how the key sorts. A difference is re-copied; one that stays
 * stops the migration with VERIFY_MISMATCH, the original untouched.
 */
export async function verifyPhase(o: {
  config: MigrationConfig;
  plan: Plan;
  version: ServerVersion;
  state: MigrationState;
  now: () => number;
  log: Logger;
  open: () => Promise<Connection>;
  waitCaughtUp: () => Promise<void>;
  signal: AbortSignal;
}): Promise<void> {
  const { config, plan, state } = o;
  const comparison = planComparison(plan, config.allowDataLoss);
  if (comparison.pairs.length === 0) {
    state.verifySkipped = 'no column can be compared';
    o.log.warn({ notCompared: comparison.notCompared }, 'checksum skipped: no column can be compared');
    return;
  }
  if (comparison.notCompared.length > 0) o.log.info({ notCompared: comparison.notCompared }, 'not compared by the checksum');
  state.verifyStartedAtMs = o.now();
  state.verifyEndedAtMs = undefined;
  state.verifyChunks = 0;
  state.verifyRepairs = 0;
  const keyIndex = plan.sharedKey.originalIndex;
  const key = { indexName: keyIndex.name, columns: keyIndex.columns, byNumber: plan.keyTypes.map(isMemberType) };
  // Repairs write the ghost: without foreign key checks, as the copy's (src/db/session.ts, ghostWriterSetup).
  const ghostConn = await o.open();
  await ghostConn.query(foreignKeyChecksOff().sql);
  const common = {
    conn: await o.open(),
    ghostConn,
    version: o.version,
    database: config.database,
    table: config.table,
    ghost: plan.names.ghost,
    key,
    ghostKeyColumns: plan.sharedKey.ghostColumns,
    keyTypes: plan.keyTypes,
    pairs: comparison.pairs,
    copyPairs: plan.mapping.pairs,
    maxAttempts: 3,
    waitCaughtUp: o.waitCaughtUp,
    log: o.log,
  };
  let result: VerifyResult;
  if (comparison.keyOrderChanged !== undefined) {
    o.log.info({ reason: comparison.keyOrderChanged }, 'checksum: comparing the whole table, in buckets');
    const columns = (t: TableInfo, names: readonly string[]): Column[] => names.map((n) => t.columns.find((c) => c.name.toLowerCase() === n.toLowerCase()) as Column);
    const originalKey = columns(plan.original, keyIndex.columns);
    const ghostKey = columns(plan.ghost, plan.sharedKey.ghostColumns);
    const keyConversions = originalKey.map((c, i) => (sameValues(c, ghostKey[i] as Column) ? undefined : conversionTo(ghostKey[i] as Column)));
    result = await verifyWholeTable(
      {
        ...common,
        keyConversions,
        keyCharsets: originalKey.map((c, i) => (keyConversions[i]?.kind === 'charset' && c.charset !== null ? c.charset : undefined)),
        rowEstimate: Math.max(plan.original.rowEstimate, state.rowsCopied),
      },
      o.signal,
    );
  } else {
    result = await verifyTables(
      {
        ...common,
        ghostIndexName: plan.sharedKey.ghostIndexName,
        chunkRows: config.checksumChunkSize,
        onProgress: (p) => {
          state.verifyChunks = p.chunksDone;
          state.verifyRepairs = p.repaired;
        },
      },
      o.signal,
    );
  }
  state.verifyChunks = result.chunks;
  state.verifyRepairs = result.repairedChunks;
  state.verifyEndedAtMs = o.now();
  o.log.info({ chunks: result.chunks, rows: result.rows, repaired: result.repairedChunks, ms: result.ms }, 'checksum: original and ghost hold the same rows');
}
