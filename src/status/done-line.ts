import type { MigrationState } from '../state.js';

type ChecksumCounters = Pick<MigrationState, 'verifyStartedAtMs' | 'verifyEndedAtMs' | 'verifyChunks' | 'verifyRepairs' | 'verifySkipped'>;

/** `checksum equal (12 chunks, 0 repaired, 1.4s); `, `checksum skipped (why); ` or nothing when none ran. */
export function checksumPart(state: ChecksumCounters, o: { seconds: boolean }): string {
  if (state.verifyEndedAtMs !== undefined && state.verifyStartedAtMs !== undefined) {
    const took = o.seconds ? `, ${((state.verifyEndedAtMs - state.verifyStartedAtMs) / 1000).toFixed(1)}s` : '';
    return `checksum equal (${state.verifyChunks} chunks, ${state.verifyRepairs} repaired${took}); `;
  }
  return state.verifySkipped !== undefined ? `checksum skipped (${state.verifySkipped}); ` : '';
}

/**
 * A migration's last line: what was migrated and how long it took, what was copied and applied, the
 * checksum, the cut-over's lock time, the children's foreign keys, and what became of the old table(s).
 * The bench and scripts read it (test/bench/oschange-output.ts): keep its parts and their order.
 */
export function migrationDoneLine(o: {
  /** `db.table` of every migrated table, the first one first. */
  readonly migrated: readonly string[];
  readonly elapsedMs: number;
  readonly state: ChecksumCounters & Pick<MigrationState, 'rowsCopied' | 'rowsCopiedBefore' | 'eventsApplied'>;
  /** undefined: the connection was lost during the cut-over. */
  readonly lockMs: number | undefined;
  /** What happened to child tables' foreign keys (src/cutover/children.ts), or ''. */
  readonly childrenNote: string;
  /** The old tables' names, and whether they were dropped. */
  readonly oldTables: readonly string[];
  readonly oldDropped: boolean;
}): string {
  const { state, lockMs } = o;
  const several = o.migrated.length > 1;
  const lock =
    lockMs === undefined
      ? 'lock time unknown (the connection was lost during the cut-over); '
      : several
        ? `original tables locked for ${lockMs} ms at cut-over, swapped in one RENAME; `
        : `original table locked for ${lockMs} ms at cut-over; `;
  const old = o.oldDropped ? (several ? 'old tables dropped.' : 'old table dropped.') : `old table${several ? 's' : ''} kept as ${o.oldTables.join(', ')}.`;
  return (
    `Done: ${o.migrated.join(', ')} migrated in ${(o.elapsedMs / 1000).toFixed(1)}s; ` +
    `rows copied: ${state.rowsCopied}${state.rowsCopiedBefore > 0 ? ` (${state.rowsCopiedBefore} of them before the resume)` : ''}, binlog events applied: ${state.eventsApplied}; ` +
    checksumPart(state, { seconds: true }) +
    lock +
    o.childrenNote +
    old
  );
}
