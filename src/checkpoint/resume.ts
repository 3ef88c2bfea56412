import type { Connection } from '../db/connect.js';
import { queryRows, queryValue } from '../db/connect.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { showBinaryLogs } from '../sql/checkpoint.js';
import { tableExists } from '../sql/inspect.js';
import { loadCheckpoint, schemaFingerprint, type SavedCheckpoint } from './store.js';

/** What a resume finds: work to go on with, or a cut-over that had already completed. */
export type ResumeDecision =
  | { readonly kind: 'resume'; readonly checkpoint: SavedCheckpoint }
  | { readonly kind: 'completed'; readonly checkpoint: SavedCheckpoint };

export interface ResumeOptions {
  readonly conn: Connection;
  readonly database: string;
  readonly names: TableNames;
  readonly alter: string;
  readonly log: Logger;
}

const START_OVER = 'start over with --initially-drop-ghost-table (the copy begins again)';

function refuse(code: string, message: string): OschangeError {
  return new OschangeError(code, message, { exitCode: ExitCode.usage });
}

/**
 * Decides whether an interrupted migration can go on from its checkpoint, without changing
 * anything. Refuses — naming what differs — when the ALTER, the original table or the ghost table
 * is not what the checkpoint saw, or the binlog the ghost still needs has been purged. Recognizes a
 * cut-over that completed before the interruption (the ghost already carries the table's name).
 */
export async function decideResume(o: ResumeOptions): Promise<ResumeDecision> {
  const { conn, database, names } = o;
  const exists = async (t: string): Promise<boolean> => {
    const s = tableExists(database, t);
    return Number(await queryValue(conn, s.sql, s.params)) > 0;
  };
  const where = `${database}.${names.original}`;
  if (!(await exists(names.checkpoint))) {
    const ghost = await exists(names.ghost);
    throw refuse(
      'RESUME_NO_CHECKPOINT',
      `--resume: there is no checkpoint table ${database}.${names.checkpoint}, so no interrupted migration of ${where} to go on with` +
        (ghost ? `; ${database}.${names.ghost} exists without it: ${START_OVER}` : '; run without --resume'),
    );
  }
  const checkpoint = await loadCheckpoint(conn, database, names.checkpoint);
  if (checkpoint === undefined) {
    throw refuse('RESUME_NO_CHECKPOINT', `--resume: the checkpoint table ${database}.${names.checkpoint} is empty (the interrupted run stopped before its copy began): ${START_OVER}`);
  }
  if (checkpoint.alter !== o.alter) {
    throw refuse(
      'RESUME_MISMATCH',
      `--resume: --alter differs from the interrupted migration's (${JSON.stringify(checkpoint.alter)}): resume with that --alter, or ${START_OVER}`,
    );
  }
  if (!(await exists(names.ghost))) {
    // The ghost is gone: either the swap completed (the table now has the ghost's schema) or
    // someone dropped it.
    // The old table under the name the interrupted run gave it (--timestamp-old-table stamps it per run).
    const oldTable = checkpoint.oldTable ?? names.old;
    if ((await exists(oldTable)) && (await exists(names.original))) {
      const [now, old] = await Promise.all([schemaFingerprint(conn, database, names.original), schemaFingerprint(conn, database, oldTable)]);
      if (now === checkpoint.ghostSchema && old === checkpoint.originalSchema) return { kind: 'completed', checkpoint };
    }
    throw refuse('RESUME_NO_GHOST', `--resume: the ghost table ${database}.${names.ghost} is gone, and ${where} does not have the new schema: ${START_OVER}`);
  }
  if (!(await exists(names.original))) {
    throw refuse('NO_SUCH_TABLE', `--resume: table ${where} does not exist; its ghost ${database}.${names.ghost} does: rename the table back, or drop the ghost`);
  }
  const [original, ghost] = await Promise.all([schemaFingerprint(conn, database, names.original), schemaFingerprint(conn, database, names.ghost)]);
  if (original !== checkpoint.originalSchema) {
    throw refuse('RESUME_MISMATCH', `--resume: table ${where} was altered since the interrupted migration began (its schema differs from the checkpoint's): ${START_OVER}`);
  }
  if (ghost !== checkpoint.ghostSchema) {
    throw refuse('RESUME_MISMATCH', `--resume: the ghost table ${database}.${names.ghost} was altered since the interrupted migration built it: ${START_OVER}`);
  }
  const logs = await queryRows(conn, showBinaryLogs().sql);
  const files = logs.map((r) => String(r['Log_name'] ?? ''));
  if (!files.includes(checkpoint.position.file)) {
    throw refuse(
      'RESUME_BINLOG_PURGED',
      `--resume: the binlog file ${checkpoint.position.file} the ghost table must be caught up from has been purged from the server ` +
        `(it has ${files[0] ?? 'none'} … ${files[files.length - 1] ?? 'none'}): ${START_OVER}, and keep binlogs longer (binlog_expire_logs_seconds)`,
    );
  }
  return { kind: 'resume', checkpoint };
}
