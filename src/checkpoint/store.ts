import { createHash } from 'node:crypto';
import type { BinlogPosition } from '../binlog/types.js';
import type { CopyRange } from '../copy/copier.js';
import { queryRows, type Connection } from '../db/connect.js';
import { readCheckpoint, showCreateTable, writeCheckpoint } from '../sql/checkpoint.js';
import type { KeyTuple } from '../sql/key-range.js';
import { decodeKey, encodeKey } from './key-codec.js';

/** How far a migration got; enough to go on from there after a crash. */
export interface Checkpoint {
  /** The --alter the ghost table was built with. */
  readonly alter: string;
  /** Fingerprints of both tables' schemas (schemaFingerprint) when the ghost was built. */
  readonly originalSchema: string;
  readonly ghostSchema: string;
  /** The key range the copy covers, once read (docs/design.md rule 3). */
  readonly range: CopyRange | undefined;
  /** The last key of the last chunk known to be in the ghost table. */
  readonly copiedUpTo: KeyTuple | undefined;
  readonly copyDone: boolean;
  readonly rowsCopied: number;
  /** Every binlog event before this position is in the ghost table; a transaction boundary. */
  readonly position: BinlogPosition;
  /** The old table's name after the swap (`_T_del`, or stamped with --timestamp-old-table); undefined when not saved. */
  readonly oldTable?: string | undefined;
}

export interface SavedCheckpoint extends Checkpoint {
  readonly ageSeconds: number;
}

export async function saveCheckpoint(conn: Connection, database: string, table: string, cp: Checkpoint): Promise<void> {
  const s = writeCheckpoint(database, table, {
    alterStatement: cp.alter,
    originalSchema: cp.originalSchema,
    ghostSchema: cp.ghostSchema,
    copyRange: cp.range === undefined ? null : JSON.stringify({ min: encodeKey(cp.range.min), max: encodeKey(cp.range.max) }),
    copiedUpTo: cp.copiedUpTo === undefined ? null : encodeKey(cp.copiedUpTo),
    copyDone: cp.copyDone,
    rowsCopied: cp.rowsCopied,
    binlogFile: cp.position.file,
    binlogPos: cp.position.position,
    oldTable: cp.oldTable ?? null,
  });
  await conn.query(s.sql, [...s.params]);
}

export async function loadCheckpoint(conn: Connection, database: string, table: string): Promise<SavedCheckpoint | undefined> {
  const s = readCheckpoint(database, table);
  const [row] = await queryRows(conn, s.sql, s.params);
  if (row === undefined) return undefined;
  const text = (k: string): string => String(row[k] ?? '');
  const optional = (k: string): string | undefined => (row[k] === null || row[k] === undefined ? undefined : String(row[k]));
  const rangeText = optional('copy_range');
  let range: CopyRange | undefined;
  if (rangeText !== undefined) {
    const parsed = JSON.parse(rangeText) as { min?: unknown; max?: unknown };
    if (typeof parsed.min !== 'string' || typeof parsed.max !== 'string') throw new Error(`the checkpoint's copy range is unreadable: ${rangeText}`);
    range = { min: decodeKey(parsed.min), max: decodeKey(parsed.max) };
  }
  const upTo = optional('copied_up_to');
  return {
    alter: text('alter_statement'),
    originalSchema: text('original_schema'),
    ghostSchema: text('ghost_schema'),
    range,
    copiedUpTo: upTo === undefined ? undefined : decodeKey(upTo),
    copyDone: Number(row['copy_done']) === 1,
    rowsCopied: Number(row['rows_copied']),
    position: { file: text('binlog_file'), position: Number(row['binlog_pos']) },
    ageSeconds: Number(row['age_seconds']),
    oldTable: optional('old_table'),
  };
}

/**
 * A fingerprint of a table's schema: SHOW CREATE TABLE without its name and its AUTO_INCREMENT
 * counter (which moves as rows arrive), hashed.
 */
export async function schemaFingerprint(conn: Connection, database: string, table: string): Promise<string> {
  const s = showCreateTable(database, table);
  const [row] = await queryRows(conn, s.sql, s.params);
  return fingerprintOf(String(row?.['Create Table'] ?? ''));
}

export function fingerprintOf(createTable: string): string {
  const normalized = createTable.replace(/^CREATE TABLE `(?:[^`]|``)+`/, 'CREATE TABLE `T`').replace(/ AUTO_INCREMENT=\d+/, '');
  return createHash('sha256').update(normalized).digest('hex');
}
