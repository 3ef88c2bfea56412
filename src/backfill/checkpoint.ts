import { decodeKey, encodeKey } from '../checkpoint/key-codec.js';
import { queryRows, type Connection } from '../db/connect.js';
import { errno } from '../db/retry.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { BackfillTableNames } from './names.js';
import { readBackfillCheckpoint, type BackfillProgressRow } from '../sql/backfill-checkpoint.js';
import { quoteTable } from '../sql/quote.js';
import type { KeyTuple } from '../sql/key-range.js';
import type { BackfillConfig } from './config.js';
import type { BackfillPlan } from './plan.js';

/** What an interrupted backfill saved (src/sql/backfill-checkpoint.ts). */
export interface BackfillCheckpoint {
  readonly setText: string;
  readonly whereText: string;
  readonly keyName: string;
  readonly keyColumns: readonly string[];
  readonly doneUpTo: KeyTuple | undefined;
  readonly done: boolean;
  readonly rowsWalked: number;
  readonly rowsMatched: number;
  readonly rowsChanged: number;
  readonly chunks: number;
  readonly busyMs: number;
  readonly throttledMs: number;
  readonly ageSeconds: number;
}

const ER_NO_SUCH_TABLE = 1146;

/** The saved row; undefined when there is no checkpoint table (or no row in it). */
export async function loadBackfillCheckpoint(conn: Connection, database: string, table: string): Promise<BackfillCheckpoint | undefined> {
  const s = readBackfillCheckpoint(database, table);
  let rows: Record<string, unknown>[];
  try {
    rows = await queryRows(conn, s.sql, s.params);
  } catch (err) {
    if (errno(err) === ER_NO_SUCH_TABLE) return undefined;
    throw err;
  }
  const row = rows[0];
  if (row === undefined) return undefined;
  const text = (k: string): string => String(row[k] ?? '');
  const upTo = row['done_up_to'];
  const columns: unknown = JSON.parse(text('key_columns'));
  return {
    setText: text('set_expression'),
    whereText: text('where_expression'),
    keyName: text('key_name'),
    keyColumns: Array.isArray(columns) ? columns.map(String) : [],
    doneUpTo: upTo === null || upTo === undefined ? undefined : decodeKey(String(upTo)),
    done: Number(row['done']) === 1,
    rowsWalked: Number(row['rows_walked']),
    rowsMatched: Number(row['rows_matched']),
    rowsChanged: Number(row['rows_changed']),
    chunks: Number(row['chunks']),
    busyMs: Number(row['busy_ms']),
    throttledMs: Number(row['throttled_ms']),
    ageSeconds: Number(row['age_seconds']),
  };
}

/**
 * A fresh start, or the checkpoint to go on from: --resume goes on only with the same backfill
 * (same --set, --where, and key), and a fresh start refuses while an interrupted one's checkpoint
 * is there — each time with one line saying what to do.
 */
export async function decideBackfillStart(o: { conn: Connection; config: BackfillConfig; plan: BackfillPlan }): Promise<BackfillCheckpoint | undefined> {
  const { config, plan } = o;
  const t = `${config.database}.${config.table}`;
  const cp = `${config.database}.${plan.names.checkpoint}`;
  const drop = `DROP TABLE ${quoteTable(config.database, plan.names.checkpoint)}`;
  const saved = await loadBackfillCheckpoint(o.conn, config.database, plan.names.checkpoint);
  if (!config.resume) {
    if (saved === undefined) return undefined;
    throw new OschangeError(
      'BACKFILL_CHECKPOINT_EXISTS',
      `table ${cp} exists: an interrupted backfill of ${t} left its checkpoint; go on with it with --resume (same --set and --where), or start over after ${drop}`,
      { exitCode: ExitCode.usage },
    );
  }
  if (saved === undefined) {
    throw new OschangeError('NOTHING_TO_RESUME', `--resume: there is no checkpoint table ${cp}, so no interrupted backfill of ${t} to go on with; run without --resume`, { exitCode: ExitCode.usage });
  }
  const differs = (flag: string, was: string): OschangeError =>
    new OschangeError('RESUME_MISMATCH', `--resume: ${flag} differs from the interrupted backfill's (${JSON.stringify(was)}): resume with the same --set and --where, or start over after ${drop}`, { exitCode: ExitCode.usage });
  if (saved.setText !== config.setText) throw differs('--set', saved.setText);
  if (saved.whereText !== config.whereText) throw differs('--where', saved.whereText);
  const key = plan.target.key;
  if (saved.keyName !== key.indexName || saved.keyColumns.join('\0').toLowerCase() !== key.columns.join('\0').toLowerCase()) {
    throw new OschangeError(
      'RESUME_MISMATCH',
      `--resume: the interrupted backfill walked ${saved.keyName} (${saved.keyColumns.join(', ')}), and ${t}'s key is now ${key.indexName} (${key.columns.join(', ')}): start over after ${drop}`,
      { exitCode: ExitCode.usage },
    );
  }
  return saved;
}

/** Progress counters → the checkpoint row's values. */
export function progressRow(p: {
  readonly doneUpTo: KeyTuple | undefined;
  readonly done: boolean;
  readonly rowsWalked: number;
  readonly rowsMatched: number;
  readonly rowsChanged: number;
  readonly chunks: number;
  readonly busyMs: number;
  readonly throttledMs: number;
}): BackfillProgressRow {
  return { ...p, doneUpTo: p.doneUpTo === undefined ? null : encodeKey(p.doneUpTo) };
}
