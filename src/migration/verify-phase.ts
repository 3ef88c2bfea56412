import type { MigrationConfig } from '../config.js';
import { isMemberType } from '../copy/copier.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import type { Plan } from '../inspect/plan.js';
import type { Column } from '../inspect/table-info.js';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import { verifyTables } from '../verify/verifier.js';

/**
 * Column pairs whose values must be byte-identical in both tables: same type and charset. A column
 * whose type the ALTER changes holds converted values (the conversion is the ALTER's meaning), so it
 * is not compared, unless its values read back the same (sameValues); the key and every other column are.
 */
export function comparablePairs(plan: Pick<Plan, 'original' | 'ghost' | 'mapping'>): { from: string; to: string }[] {
  const original = new Map(plan.original.columns.map((c) => [c.name.toLowerCase(), c]));
  const ghost = new Map(plan.ghost.columns.map((c) => [c.name.toLowerCase(), c]));
  return plan.mapping.pairs.filter((p) => {
    const a = original.get(p.from.toLowerCase());
    const b = ghost.get(p.to.toLowerCase());
    return a !== undefined && b !== undefined && sameValues(a, b);
  });
}

const INTEGER_TYPES = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);
const STRING_TYPES = new Set(['char', 'varchar', 'binary', 'varbinary', 'tinytext', 'text', 'mediumtext', 'longtext', 'tinyblob', 'blob', 'mediumblob', 'longblob']);

/**
 * True when a value reads back the same from both columns, so it can be compared: the same type,
 * or an integer type for another (INT → BIGINT), or a string of the same kind, charset and collation
 * and another length (VARCHAR(60) → VARCHAR(100)). A value that would not fit makes the copy fail
 * in strict mode rather than change. The same goes for the key's order.
 */
function sameValues(a: Column, b: Column): boolean {
  if (a.columnType === b.columnType && a.charset === b.charset && a.collation === b.collation) return true;
  if (INTEGER_TYPES.has(a.dataType) && INTEGER_TYPES.has(b.dataType)) return true;
  return STRING_TYPES.has(a.dataType) && a.dataType === b.dataType && a.charset === b.charset && a.collation === b.collation;
}

/**
 * Why the range-by-range comparison cannot work for this ALTER, or undefined when it can: the
 * ranges are cut in the original key's order, and the ghost must sort its key the same way, so a key
 * column whose type or collation the ALTER changes (a new charset, a reordered ENUM) rules it out.
 */
export function verifyUnavailable(plan: Pick<Plan, 'original' | 'ghost' | 'mapping' | 'sharedKey'>): string | undefined {
  const original = new Map(plan.original.columns.map((c) => [c.name.toLowerCase(), c]));
  const ghost = new Map(plan.ghost.columns.map((c) => [c.name.toLowerCase(), c]));
  const changed = plan.sharedKey.originalIndex.columns.filter((name, i) => {
    const a = original.get(name.toLowerCase());
    const b = ghost.get((plan.sharedKey.ghostColumns[i] ?? '').toLowerCase());
    return a === undefined || b === undefined || !sameValues(a, b);
  });
  if (changed.length > 0) return `the ALTER changes the type or collation of key column ${changed.join(', ')}, so the two tables sort their keys differently`;
  if (comparablePairs(plan).length === 0) return 'the ALTER changes the type of every column';
  return undefined;
}

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
  const unavailable = verifyUnavailable(plan);
  if (unavailable !== undefined) {
    state.verifySkipped = unavailable;
    o.log.warn({ reason: unavailable }, 'checksum skipped');
    return;
  }
  const pairs = comparablePairs(plan);
  const skipped = plan.mapping.pairs.filter((p) => !pairs.includes(p)).map((p) => p.from);
  if (skipped.length > 0) o.log.info({ columns: skipped }, 'not compared by the checksum: the ALTER changes their type');
  state.verifyStartedAtMs = o.now();
  state.verifyEndedAtMs = undefined;
  state.verifyChunks = 0;
  state.verifyRepairs = 0;
  const keyIndex = plan.sharedKey.originalIndex;
  const result = await verifyTables(
    {
      conn: await o.open(),
      ghostConn: await o.open(),
      version: o.version,
      database: config.database,
      table: config.table,
      ghost: plan.names.ghost,
      key: { indexName: keyIndex.name, columns: keyIndex.columns, byNumber: plan.keyTypes.map(isMemberType) },
      ghostKeyColumns: plan.sharedKey.ghostColumns,
      ghostIndexName: plan.sharedKey.ghostIndexName,
      keyTypes: plan.keyTypes,
      pairs,
      copyPairs: plan.mapping.pairs,
      chunkRows: config.checksumChunkSize,
      maxAttempts: 3,
      waitCaughtUp: o.waitCaughtUp,
      log: o.log,
      onProgress: (p) => {
        state.verifyChunks = p.chunksDone;
        state.verifyRepairs = p.repaired;
      },
    },
    o.signal,
  );
  state.verifyChunks = result.chunks;
  state.verifyRepairs = result.repairedChunks;
  state.verifyEndedAtMs = o.now();
  o.log.info({ chunks: result.chunks, rows: result.rows, repaired: result.repairedChunks, ms: result.ms }, 'checksum: original and ghost hold the same rows');
}
