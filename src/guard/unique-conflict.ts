import type { RowValue } from '../binlog/types.js';
import { queryRows, type Connection } from '../db/connect.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral, type SqlValue } from '../sql/literals.js';
import { deleteGhostRowIfHolds, ghostRowsWithValues, originalRowHolds } from '../sql/guard.js';
import { describeKey, describeValue } from '../status/describe-row.js';
import { keyText, type GuardTables, type GuardedIndex } from './tables.js';

export type Resolution = 'retry' | 'skip';

/**
 * Row B could not be written to the ghost because ghost row C holds the same value of a unique key
 * the original does not have (a new UNIQUE key, or one whose collation the ALTER changes). Either
 * one of them is stale — its newer version is still ahead in the binlog, so the original held both
 * values only for a moment — or the original really holds two rows with that value now:
 * - C no longer holds the value in the original: C is stale; it is deleted from the ghost (only
 *   while it still holds the value) and its pending event brings it back; B is written again;
 * - B no longer holds it: B's image is stale; it is skipped, and its pending event writes it;
 * - both hold it: the new key would drop one of them. The migration stops, naming both rows.
 */
export async function resolveUniqueConflict(conn: Connection, g: GuardTables, bKey: KeyTuple, bValue: (column: string) => RowValue | undefined): Promise<Resolution> {
  for (const index of g.uniqueIndexes) {
    const known = index.originalColumns.flatMap((c, i) => (c === undefined ? [] : [{ original: c, ghost: index.ghostColumns[i] as string, type: index.types[i] as string }]));
    // A key only on columns the ALTER adds: every copied row gets the same default there.
    if (known.length === 0) throw onAddedColumns(g, index, bKey);
    const values = known.map((k) => bValue(k.original) ?? null);
    // NULLs never collide in a UNIQUE key.
    if (values.some((v) => v === null)) continue;
    const sqlValues: SqlValue[] = values.map((v, i) => keyLiteral(v as RowValue, known[i]?.type ?? ''));
    const lookup = ghostRowsWithValues({ database: g.database, ghost: g.ghost, keyColumns: g.ghostKeyColumns, columns: known.map((k) => k.ghost), values: sqlValues });
    const others = (await queryRows(conn, lookup.sql, lookup.params)).filter((r) => keyText(g.ghostKeyColumns.map((c) => r[c])) !== keyText(bKey));
    for (const c of others) {
      const cKey: KeyTuple = g.ghostKeyColumns.map((col, i) => keyLiteral(c[col] as RowValue, g.keyTypes[i] ?? ''));
      if (known.length < index.ghostColumns.length) throw onAddedColumns(g, index, bKey);
      const cValues: SqlValue[] = known.map((k, i) => keyLiteral(c[k.ghost] as RowValue, known[i]?.type ?? ''));
      const cHolds = originalRowHolds({ database: g.database, table: g.original, keyColumns: g.keyColumns, key: cKey, columns: known.map((k) => k.original), values: cValues, version: g.version });
      if (!holds(await queryRows(conn, cHolds.sql, cHolds.params))) {
        const stale = deleteGhostRowIfHolds({ database: g.database, ghost: g.ghost, keyColumns: g.ghostKeyColumns, key: cKey, columns: known.map((k) => k.ghost), values: cValues });
        await conn.query(stale.sql, [...stale.params]);
        continue;
      }
      const bHolds = originalRowHolds({ database: g.database, table: g.original, keyColumns: g.keyColumns, key: bKey, columns: known.map((k) => k.original), values: sqlValues, version: g.version });
      if (!holds(await queryRows(conn, bHolds.sql, bHolds.params))) return 'skip';
      throw duplicate(g, index, bKey, cKey, known.map((k) => k.original), values);
    }
  }
  return 'retry';
}

/** The locking read found the row, and it holds the values. */
function holds(rows: readonly Record<string, unknown>[]): boolean {
  return rows.length > 0 && Number(rows[0]?.['held']) === 1;
}

function rowName(g: GuardTables, k: KeyTuple): string {
  return describeKey(g.keyColumns, Object.fromEntries(g.keyColumns.map((c, i) => [c, k[i]])));
}

function duplicate(g: GuardTables, index: GuardedIndex, bKey: KeyTuple, cKey: KeyTuple, columns: readonly string[], values: readonly (RowValue | null)[]): OschangeError {
  const shared = columns.map((c, i) => `${c}=${describeValue(values[i])}`).join(', ');
  const what = index.name === 'PRIMARY' ? 'PRIMARY KEY' : `UNIQUE KEY ${index.name}`;
  return new OschangeError(
    'DUPLICATES_FOR_NEW_KEY',
    `${g.database}.${g.original}: rows ${rowName(g, cKey)} and ${rowName(g, bKey)} share ${shared} in the original (written while the migration ran); ` +
      `the new ${what} cannot hold both, and oschange never drops a row. The original table is untouched: remove the duplicates and run the migration again`,
    { exitCode: ExitCode.failure },
  );
}

function onAddedColumns(g: GuardTables, index: GuardedIndex, bKey: KeyTuple): OschangeError {
  const added = index.ghostColumns.filter((_c, i) => index.originalColumns[i] === undefined);
  const what = index.name === 'PRIMARY' ? 'PRIMARY KEY' : `UNIQUE KEY ${index.name}`;
  return new OschangeError(
    'DUPLICATES_FOR_NEW_KEY',
    `${g.database}.${g.original}: row ${rowName(g, bKey)} collides with another on the new ${what}, which includes ${added.join(', ')}, a column the ALTER adds: ` +
      `every row gets the same default there, so the key cannot hold more than one, and oschange never drops a row. The original table is untouched: ` +
      `add the column without the key, give it distinct values, then add the key`,
    { exitCode: ExitCode.failure },
  );
}
