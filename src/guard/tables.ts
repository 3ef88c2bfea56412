import type { RowValue } from '../binlog/types.js';
import type { ServerVersion } from '../db/flavor.js';
import type { Plan } from '../inspect/plan.js';
import { ghostKeyIsWider } from '../inspect/shared-key.js';
import type { DataLossKind } from '../lint/finding.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral, NumericLiteral } from '../sql/literals.js';

/** A unique key of the ghost other than the shared one, with the original columns its values come from. */
export interface GuardedIndex {
  readonly name: string;
  readonly ghostColumns: readonly string[];
  /** The original column of each ghost column; undefined for a column the ALTER adds. */
  readonly originalColumns: readonly (string | undefined)[];
  /** Data types of the original columns (exact numbers compare unquoted). */
  readonly types: readonly string[];
}

/** What the write guard knows of the two tables. */
export interface GuardTables {
  /** For the locking reads of the original (FOR SHARE or LOCK IN SHARE MODE). */
  readonly version: ServerVersion;
  readonly database: string;
  readonly original: string;
  readonly ghost: string;
  /** The shared key: original and ghost column names, original data types, the ghost's index name. */
  readonly keyColumns: readonly string[];
  readonly ghostKeyColumns: readonly string[];
  readonly keyTypes: readonly string[];
  readonly sharedIndex: string;
  /**
   * The ghost's index has more columns than the shared key (`ADD PRIMARY KEY (id, i)` for `(id)`): a
   * key may then have two rows in the ghost for a while, and every write deletes all of them first
   * (docs/design.md, "The shared key").
   */
  readonly ghostKeyWider: boolean;
  readonly uniqueIndexes: readonly GuardedIndex[];
  readonly allowed: ReadonlySet<DataLossKind>;
}

export function guardTables(plan: Pick<Plan, 'version' | 'names' | 'original' | 'ghost' | 'mapping' | 'sharedKey' | 'keyTypes'>, database: string, allowed: ReadonlySet<DataLossKind>): GuardTables {
  // STORED generated columns with the same values in both tables are in the row images too (src/binlog/row-events.ts).
  const stored = new Set(plan.original.columns.filter((c) => c.generation?.storage === 'stored').map((c) => c.name.toLowerCase()));
  const sources = [...plan.mapping.pairs, ...plan.mapping.sameGenerated.filter((g) => stored.has(g.from.toLowerCase()))];
  const fromGhost = new Map(sources.map((p) => [p.to.toLowerCase(), p.from]));
  const types = new Map(plan.original.columns.map((c) => [c.name.toLowerCase(), c.dataType]));
  const uniqueIndexes = plan.ghost.indexes
    .filter((i) => i.unique && i.name !== plan.sharedKey.ghostIndexName && i.columns.length > 0)
    .map((i) => {
      const originalColumns = i.columns.map((c) => fromGhost.get(c.toLowerCase()));
      return { name: i.name, ghostColumns: i.columns, originalColumns, types: originalColumns.map((c) => (c === undefined ? '' : (types.get(c.toLowerCase()) ?? ''))) };
    });
  return {
    version: plan.version,
    database,
    original: plan.names.original,
    ghost: plan.names.ghost,
    keyColumns: plan.sharedKey.originalIndex.columns,
    ghostKeyColumns: plan.sharedKey.ghostColumns,
    keyTypes: plan.keyTypes,
    sharedIndex: plan.sharedKey.ghostIndexName,
    ghostKeyWider: ghostKeyIsWider(plan.sharedKey),
    uniqueIndexes,
    allowed,
  };
}

/** A row's shared key as SQL values, from a record by original column names. */
export function keyOf(g: GuardTables, get: (column: string) => RowValue | undefined): KeyTuple {
  return g.keyColumns.map((c, i) => keyLiteral(get(c) ?? null, g.keyTypes[i] ?? ''));
}

/** A comparable text for a key tuple, whether its values came from a row image, a result set or keyLiteral (Buffers as hex). */
export function keyText(key: readonly unknown[]): string {
  return JSON.stringify(
    key.map((v) => (Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v instanceof NumericLiteral ? v.text : v === null || v === undefined ? null : String(v))),
  );
}
