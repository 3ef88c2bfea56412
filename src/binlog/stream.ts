import type { Endpoint } from '../db/dsn.js';
import type { Logger } from '../log.js';
import { setNetWriteTimeout } from '../sql/binlog-schema.js';
import { planTable, TableChangedError, type ColumnPlan, type MappedColumn } from './column-plan.js';
import { EventQueue } from './event-queue.js';
import { eventBytes } from './event-size.js';
import { preflight } from './preflight.js';
import { toStreamEvents, type TableRole } from './row-events.js';
import { BinlogStreamError, classifyError, settingsError, type ErrorContext } from './stream-errors.js';
import type { TableSchema } from './table-schema.js';
import { formatPosition, type BinlogPosition, type StreamEvent } from './types.js';
import { ZongjiSource, type RowsRecord, type SourceEvent } from './zongji-source.js';

export { currentBinlogPosition } from './current-position.js';

export interface BinlogStreamOptions {
  readonly endpoint: Endpoint;
  /** This reader's own server id: must differ from every replica's and every other reader's. */
  readonly serverId: number;
  readonly database: string;
  /** The original table: its row changes become insert/update/delete events. */
  readonly table: string;
  /**
   * More original tables (several tables, one cut-over): their row changes are events too, in binlog
   * order with the first table's, each naming its table (`RowChange.table`).
   */
  readonly alsoTables?: readonly string[];
  /** Rows written to it become heartbeat or marker events; its deletes are ignored. */
  readonly changelogTable: string;
  /** Start here; must be a transaction boundary (what currentBinlogPosition() returns is one). */
  readonly start: BinlogPosition;
  /** Queued events above which reading pauses; it resumes below half. Default 20,000. */
  readonly highWaterMark?: number;
  /** Queued bytes of row images above which reading pauses too (big rows); default 64 MB. */
  readonly highWaterBytes?: number;
  readonly log: Logger;
  /** How long open() waits for the server to start sending. Default 30 s. */
  readonly startTimeoutMs?: number;
}

const DEFAULT_HIGH_WATER_MARK = 20_000;
const DEFAULT_HIGH_WATER_BYTES = 64 * 1024 * 1024;
const DEFAULT_START_TIMEOUT_MS = 30_000;
/**
 * While paused, the server's dump thread blocks on a full socket and gives up after
 * net_write_timeout (60 s by default); a migration may be throttled far longer. One year is the
 * server's maximum. https://dev.mysql.com/doc/refman/9.4/en/server-system-variables.html#sysvar_net_write_timeout
 */
const PAUSED_WRITE_TIMEOUT_S = 31_536_000;

interface TablePlan {
  readonly role: TableRole;
  readonly table: string;
  readonly label: string;
  readonly columns: readonly ColumnPlan[];
}

/**
 * Reads the primary's binlog from a position and queues the original table's row changes and the
 * changelog table's heartbeats and markers as plain typed events with exact values (types.ts).
 *
 * - There is no synthetic first event: the first one is the first change of either table at or
 *   after `start`.
 * - An event's `position` is the end of the binlog event that carried it; the rows of one
 *   multi-row statement share it. It can lie inside a transaction, where a new stream must not
 *   start (the rows after it would lack their table map). Safe places to resume: a position from
 *   currentBinlogPosition(), or the position of a heartbeat or marker (each is its own
 *   transaction: only its commit follows).
 * - Backpressure: above `highWaterMark` queued events, or `highWaterBytes` of their row images, the
 *   dump socket is paused (TCP then holds the server), so memory stays at the mark plus one binlog
 *   event's rows; it resumes at half of both.
 */
export class BinlogStream {
  private readonly queue = new EventQueue<StreamEvent>(eventBytes);
  private readonly plans = new Map<number, TablePlan>();
  private readonly highWaterMark: number;
  private readonly highWaterBytes: number;
  private file: string;
  private position: number;
  private paused = false;
  private started = false;
  private closing: Promise<void> | undefined;
  private tableChangeExpected = false;

  private constructor(
    private readonly o: BinlogStreamOptions,
    private readonly source: ZongjiSource,
    private readonly schemas: { readonly tables: ReadonlyMap<string, TableSchema>; readonly changelog: TableSchema | undefined },
    private readonly ctx: ErrorContext,
  ) {
    this.highWaterMark = o.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.highWaterBytes = o.highWaterBytes ?? DEFAULT_HIGH_WATER_BYTES;
    this.file = o.start.file;
    this.position = o.start.position;
  }

  /** Resolves once the server streams; rejects with a BinlogStreamError that says what to fix. */
  static async open(o: BinlogStreamOptions): Promise<BinlogStream> {
    const hwm = o.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    if (!Number.isInteger(hwm) || hwm < 1) throw new Error(`highWaterMark must be a whole number >= 1 (got ${hwm})`);
    if (!Number.isInteger(o.serverId) || o.serverId < 1 || o.serverId > 0xffffffff) throw new Error(`serverId must be 1..4294967295 (got ${o.serverId})`);
    const checked = await preflight(o);
    const timeoutMs = o.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    const ctx: ErrorContext = { user: o.endpoint.user, flavor: checked.version.flavor, start: o.start, server: `${o.endpoint.host}:${o.endpoint.port}`, serverId: o.serverId };
    const tables = new Map([[o.table, checked.table], ...(o.alsoTables ?? []).map((t, i) => [t, checked.alsoTables[i] as TableSchema] as const)]);
    const stream = new BinlogStream(o, new ZongjiSource(o.endpoint, timeoutMs), { tables, changelog: checked.changelog }, ctx);
    await stream.begin(timeoutMs);
    return stream;
  }

  /** Up to `max` events (and `maxBytes` of row images) in binlog order; waits up to `waitMs` for the first; [] on timeout. */
  async take(max: number, waitMs: number, maxBytes?: number): Promise<StreamEvent[]> {
    const events = await this.queue.take(max, waitMs, maxBytes);
    this.flow();
    return events;
  }

  /** Events queued, not yet taken. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Bytes of row images queued, not yet taken. */
  get backlogBytes(): number {
    return this.queue.bytes;
  }

  /** The position after the last event read from the server (commits included; may be mid-transaction). */
  get readPosition(): BinlogPosition {
    return { file: this.file, position: this.position };
  }

  /**
   * The table is about to be swapped: events of a table of the same name with other columns are
   * expected from now on, and ending the stream for them is not worth an error in the log.
   */
  expectTableChange(): void {
    this.tableChangeExpected = true;
  }

  /** Idempotent: stops reading and closes both of zongji's connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.queue.close();
      await this.source.stop();
      this.o.log.debug({ position: formatPosition(this.readPosition) }, 'binlog stream closed');
    })();
    return this.closing;
  }

  private begin(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err: BinlogStreamError | undefined): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err === undefined) {
          this.o.log.info({ start: formatPosition(this.o.start), serverId: this.o.serverId, threadId: this.source.threadId }, 'binlog stream started');
          resolve();
          return;
        }
        void this.close().finally(() => reject(err));
      };
      const timer = setTimeout(
        () => settle(new BinlogStreamError('BINLOG_START_TIMEOUT', `the server at ${this.ctx.server} sent no binlog within ${timeoutMs} ms of the dump request`)),
        timeoutMs,
      );
      this.source.start(
        {
          serverId: this.o.serverId,
          file: this.o.start.file,
          position: this.o.start.position,
          database: this.o.database,
          tables: [this.o.table, ...(this.o.alsoTables ?? []), this.o.changelogTable],
          sessionSql: [setNetWriteTimeout(PAUSED_WRITE_TIMEOUT_S).sql],
        },
        (e) => {
          if (this.closing !== undefined) return;
          this.started = true;
          settle(undefined);
          this.onEvent(e);
        },
        (err) => {
          const failure = classifyError(err, this.ctx);
          if (!this.started) settle(failure);
          else this.fail(failure);
        },
      );
    });
  }

  private onEvent(e: SourceEvent): void {
    try {
      switch (e.kind) {
        case 'rotate':
          this.file = e.file;
          this.position = e.position;
          return;
        case 'progress':
          this.advance(e.nextPosition);
          return;
        case 'tablemap':
          this.mapTable(e.tableId, e.database, e.table, e.columns);
          return;
        case 'rows':
          this.onRows(e);
          return;
      }
    } catch (err) {
      this.fail(
        err instanceof BinlogStreamError
          ? err
          : new BinlogStreamError(err instanceof TableChangedError ? 'BINLOG_TABLE_CHANGED' : 'BINLOG_DECODE', errorMessage(err), { cause: err }),
      );
    }
  }

  private mapTable(tableId: number, database: string, table: string, columns: readonly MappedColumn[]): void {
    if (database !== this.o.database) return;
    const original = this.schemas.tables.get(table);
    const role: TableRole | undefined = original !== undefined ? 'table' : table === this.o.changelogTable ? 'changelog' : undefined;
    if (role === undefined) return;
    const schema = role === 'table' ? original : this.schemas.changelog;
    const plan = planTable(columns, schema);
    this.source.setWireColumns(tableId, plan.map((c) => c.wire));
    this.plans.set(tableId, { role, table, label: `${database}.${table}`, columns: plan });
  }

  private onRows(e: RowsRecord): void {
    const plan = this.plans.get(e.tableId);
    this.advance(e.nextPosition);
    if (plan === undefined) return;
    if (!e.fullImage) throw settingsError(`a write to ${plan.label} was logged without its full row image (a session set binlog_row_image)`);
    const events = toStreamEvents(e, plan.role, plan.columns, this.readPosition, plan.label, plan.table);
    this.queue.push(events);
    if (this.queue.length > this.highWaterMark || this.queue.bytes > this.highWaterBytes) {
      // Every time while over the limit: zongji may have resumed the socket on its own.
      this.source.pause();
      if (!this.paused) this.o.log.debug({ backlog: this.queue.length }, 'binlog reading paused: backlog above the high-water mark');
      this.paused = true;
    }
  }

  /** Resumes reading once the consumer has drained the backlog to half the high-water mark. */
  private flow(): void {
    if (!this.paused || this.closing !== undefined || this.queue.length > this.highWaterMark / 2 || this.queue.bytes > this.highWaterBytes / 2) return;
    this.paused = false;
    this.o.log.debug({ backlog: this.queue.length }, 'binlog reading resumed');
    this.source.resume();
  }

  /** MariaDB may log end_log_pos 0 inside a transaction; the position then stays where it was. */
  private advance(nextPosition: number): void {
    if (nextPosition > 0) this.position = nextPosition;
  }

  private fail(err: BinlogStreamError): void {
    if (this.queue.failed !== undefined || this.closing !== undefined) return;
    const expected = this.tableChangeExpected && err.code === 'BINLOG_TABLE_CHANGED';
    this.o.log[expected ? 'debug' : 'error']({ err: err.message, code: err.code, position: formatPosition(this.readPosition) }, expected ? 'binlog stream ended at the table swap' : 'binlog stream failed');
    this.queue.fail(err);
    // Release the connections now; close() stays safe to call.
    void this.source.stop();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
