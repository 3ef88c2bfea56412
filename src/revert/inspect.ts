import { formatPosition } from '../binlog/types.js';
import { schemaFingerprint } from '../checkpoint/store.js';
import { queryRows, queryValue, type Connection } from '../db/connect.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { TableNames } from '../inspect/names.js';
import { showBinaryLogs } from '../sql/checkpoint.js';
import { tableExists } from '../sql/inspect.js';
import { heartbeatAge } from '../sql/revert.js';
import { revertNames, revertRecordTable } from './names.js';
import { loadRevertRecord, type RevertRecord } from './record.js';

export interface RevertStart {
  readonly record: RevertRecord;
  readonly names: TableNames;
  /** Bytes of binlog from the recorded position to the end of the newest file (what the replay reads). */
  readonly binlogBytes: number;
}

/** A heartbeat younger than this means a process still writes it (the default interval is 100 ms). */
const BUSY_HEARTBEAT_MS = 3000;

function refuse(code: string, message: string): OschangeError {
  return new OschangeError(code, message, { exitCode: ExitCode.usage });
}

/**
 * Whether a revert can start, without changing anything: the record of the cut-over, both tables as
 * the migration left them (schemas compared with the record's fingerprints), no other table in the
 * way, and the binlog from the recorded position still on the server.
 */
export async function inspectRevert(conn: Connection, database: string, table: string): Promise<RevertStart> {
  const where = `${database}.${table}`;
  const exists = async (t: string): Promise<boolean> => {
    const s = tableExists(database, t);
    return Number(await queryValue(conn, s.sql, s.params)) > 0;
  };
  const recordTable = revertRecordTable(table);
  const record = (await exists(recordTable)) ? await loadRevertRecord(conn, database, table) : undefined;
  if (record === undefined) {
    throw refuse(
      'REVERT_NO_RECORD',
      `revert: there is no record of a cut-over of ${where} (${database}.${recordTable}): oschange records one when a migration runs with --keep-reverse-sync; without it, or once a revert has finished, there is nothing to revert from`,
    );
  }
  const names = revertNames(table, record.oldTable);
  if (!(await exists(names.ghost))) throw refuse('REVERT_NO_OLD_TABLE', `revert: the old table ${database}.${names.ghost} is gone: there is nothing to revert to (drop ${recordTable})`);
  if (!(await exists(names.original))) throw refuse('NO_SUCH_TABLE', `revert: table ${where} does not exist`);
  if (await exists(names.old)) throw refuse('REVERT_LEFTOVER', `revert: table ${database}.${names.old} exists (left by an earlier revert?): the new-schema table would take its name; drop or rename it first`);
  if (await exists(names.changelog)) {
    // A live heartbeat: the reverse sync (or another revert) is still replaying into the old table.
    const s = heartbeatAge(database, names.changelog);
    const [row] = await queryRows(conn, s.sql, s.params);
    const ageMs = row === undefined || row['age_us'] === null ? undefined : Number(row['age_us']) / 1000;
    if (ageMs !== undefined && ageMs < BUSY_HEARTBEAT_MS) {
      throw refuse(
        'REVERT_BUSY',
        `revert: a reverse sync or another revert of ${where} is running (its heartbeat in ${database}.${names.changelog} is ${Math.round(ageMs)} ms old): stop it first (SIGTERM; it saves where it got to)`,
      );
    }
  }
  const [current, old] = await Promise.all([schemaFingerprint(conn, database, names.original), schemaFingerprint(conn, database, names.ghost)]);
  if (current !== record.ghostSchema) throw refuse('REVERT_MISMATCH', `revert: table ${where} was altered since the migration's cut-over (its schema differs from the one recorded): it can no longer be reverted by oschange`);
  if (old !== record.originalSchema) throw refuse('REVERT_MISMATCH', `revert: the old table ${database}.${names.ghost} was altered since the migration's cut-over: it can no longer be reverted by oschange`);
  const logs = (await queryRows(conn, showBinaryLogs().sql)).map((r) => ({ file: String(r['Log_name'] ?? ''), size: Number(r['File_size'] ?? 0) }));
  const at = logs.findIndex((l) => l.file === record.position.file);
  if (at < 0) {
    throw refuse(
      'REVERT_BINLOG_PURGED',
      `revert: the binlog file ${record.position.file} that ${where}'s writes since ${formatPosition(record.position)} must be replayed from has been purged from the server ` +
        `(it has ${logs[0]?.file ?? 'none'} … ${logs[logs.length - 1]?.file ?? 'none'}): ${names.ghost} cannot be brought up to date; keep binlogs longer than --keep-reverse-sync (binlog_expire_logs_seconds)`,
    );
  }
  const binlogBytes = logs.slice(at).reduce((sum, l) => sum + l.size, 0) - record.position.position;
  return { record, names, binlogBytes: Math.max(0, binlogBytes) };
}
