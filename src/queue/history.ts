import type { Connection } from '../db/connect.js';
import { queryRows, queryValue } from '../db/connect.js';
import { OschangeError } from '../errors.js';
import {
  createHistorySchema,
  createHistoryTable,
  HISTORY_TABLE,
  insertMigration,
  isFreeLock,
  selectMigration,
  selectRunningOfTable,
  updateState,
  type HistoryUpdate,
  type NewMigrationRow,
} from '../sql/history.js';
import type { LockSession } from './lock-session.js';
import { isMigrationStatus, transition, type MigrationStatus, type QueueAction } from './states.js';

/** One row of the history table, as plain data. */
export interface MigrationRecord {
  readonly id: number;
  readonly database: string;
  readonly table: string;
  readonly alter: string;
  readonly args: readonly string[];
  readonly source: 'queue' | 'direct';
  readonly requestedBy: string;
  readonly state: MigrationStatus;
  readonly notBefore: string | null;
  readonly cancelRequested: boolean;
  readonly attempts: number;
  readonly runner: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly updatedAt: string;
  readonly rowsCopied: number | null;
  readonly rowsEstimate: number | null;
  readonly lockMs: number | null;
  readonly checksum: string | null;
  readonly error: string | null;
}

/** A row as mysql2 returns it (dates as strings: every session has dateStrings) → a record. */
export function toRecord(r: Record<string, unknown>): MigrationRecord {
  const str = (k: string): string => String(r[k]);
  const opt = (k: string): string | null => (r[k] === null || r[k] === undefined ? null : String(r[k]));
  const num = (k: string): number | null => (r[k] === null || r[k] === undefined ? null : Number(r[k]));
  const state = str('state');
  if (!isMigrationStatus(state)) throw new Error(`history row ${str('id')} has an unknown state "${state}"`);
  const args: unknown = JSON.parse(str('args'));
  return {
    id: Number(r['id']),
    database: str('database_name'),
    table: str('table_name'),
    alter: str('alter_statement'),
    args: Array.isArray(args) ? args.map(String) : [],
    source: str('source') === 'direct' ? 'direct' : 'queue',
    requestedBy: str('requested_by'),
    state,
    notBefore: opt('not_before'),
    cancelRequested: Number(r['cancel_requested']) !== 0,
    attempts: Number(r['attempts']),
    runner: opt('runner'),
    createdAt: str('created_at'),
    startedAt: opt('started_at'),
    finishedAt: opt('finished_at'),
    updatedAt: str('updated_at'),
    rowsCopied: num('rows_copied'),
    rowsEstimate: num('rows_estimate'),
    lockMs: num('lock_ms'),
    checksum: opt('checksum'),
    error: opt('error'),
  };
}

/**
 * The history table on one server, over the session that also holds the locks a runner takes
 * (they live as long as it does).
 */
export class History {
  constructor(
    readonly session: LockSession,
    readonly schema: string,
  ) {}

  get conn(): Connection {
    return this.session.conn;
  }

  get where(): string {
    return `${this.schema}.${HISTORY_TABLE}`;
  }

  /** Creates the schema and the table when missing (needs CREATE on the schema). */
  async ensure(): Promise<void> {
    await this.conn.query(createHistorySchema(this.schema).sql);
    await this.conn.query(createHistoryTable(this.schema).sql);
  }

  async insert(row: NewMigrationRow): Promise<number> {
    const s = insertMigration(this.schema, row);
    const [result] = await this.conn.query(s.sql, [...s.params]);
    return Number((result as { insertId: number }).insertId);
  }

  async get(id: number): Promise<MigrationRecord | undefined> {
    const s = selectMigration(this.schema, id);
    const [row] = await queryRows(this.conn, s.sql, s.params);
    return row === undefined ? undefined : toRecord(row);
  }

  async mustGet(id: number): Promise<MigrationRecord> {
    const r = await this.get(id);
    if (r === undefined) throw new OschangeError('QUEUE_NO_SUCH_MIGRATION', `there is no migration ${id} in ${this.where}; see oschange queue list`);
    return r;
  }

  /**
   * Takes `action` on a row from the state it is in now: false when the action does not apply, or
   * another process changed the row first (the UPDATE names the state it comes from).
   */
  async apply(id: number, action: QueueAction, o: { set?: HistoryUpdate; started?: boolean; finished?: boolean } = {}): Promise<boolean> {
    const record = await this.mustGet(id);
    const t = transition(record.state, action);
    if ('refused' in t) return false;
    const s = updateState(this.schema, { id, from: [record.state], to: t.to, ...o });
    const [result] = await this.conn.query(s.sql, [...s.params]);
    return Number((result as { affectedRows: number }).affectedRows) === 1;
  }

  /**
   * Marks interrupted the table's rows left `running` by a process that is gone. Only for a caller
   * that holds the table's lock: a live runner of the table would hold it. Returns their ids.
   */
  async interruptLostRuns(database: string, table: string): Promise<number[]> {
    const q = selectRunningOfTable(this.schema, database, table);
    const ids: number[] = [];
    for (const r of await queryRows(this.conn, q.sql, q.params)) {
      const id = Number(r['id']);
      const error = `its runner ${String(r['runner'] ?? '(unknown)')} stopped without finishing (found by the next migration of the table)`;
      if (await this.apply(id, 'interrupt', { finished: true, set: { error } })) ids.push(id);
    }
    return ids;
  }

  async isFree(name: string): Promise<boolean> {
    const s = isFreeLock(name);
    return Number(await queryValue(this.conn, s.sql, s.params)) === 1;
  }
}
