import ZongJi, { type AnyBinlogEvent, type BinlogEventByName, type BinlogEventName, type TableMapEvent } from '@vlasky/zongji';
import type { Endpoint } from '../db/dsn.js';
import { mysql2TlsOptions } from '../db/tls.js';
import type { MappedColumn, WireColumn } from './column-plan.js';

/**
 * The narrow face of @vlasky/zongji that the stream uses: start a dump, get plain records, pause
 * and resume the socket, stop. Everything that touches zongji's internals lives here.
 */
export type SourceEvent =
  | { readonly kind: 'rotate'; readonly file: string; readonly position: number }
  | { readonly kind: 'tablemap'; readonly tableId: number; readonly database: string; readonly table: string; readonly columns: MappedColumn[] }
  | RowsRecord
  /** Any other event that moves the read position (GTID, commit, DDL). */
  | { readonly kind: 'progress'; readonly nextPosition: number };

export interface RowsRecord {
  readonly kind: 'rows';
  readonly op: 'insert' | 'update' | 'delete';
  readonly tableId: number;
  readonly nextPosition: number;
  /** insert/delete: one image per row; update: before and after images alternate. */
  readonly images: readonly Readonly<Record<string, unknown>>[];
  /** False when the row image lacks columns (binlog_row_image was not FULL for this write). */
  readonly fullImage: boolean;
}

export interface SourceStart {
  readonly serverId: number;
  readonly file: string;
  readonly position: number;
  readonly database: string;
  readonly tables: readonly string[];
  /** Statements run on the dump connection before the dump starts (session settings). */
  readonly sessionSql: readonly string[];
}

const EVENTS = ['rotate', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'query', 'gtid', 'anonymousgtid', 'mariadbgtid'];

export class ZongjiSource {
  private readonly zongji: ZongJi;
  private stopping: Promise<void> | undefined;

  constructor(endpoint: Endpoint, connectTimeoutMs: number) {
    // zongji opens its control and its dump connection with mysql2 from these same options
    // (node_modules/@vlasky/zongji/index.js, _establishConnection): the TLS options cover both.
    this.zongji = new ZongJi({
      host: endpoint.host,
      port: endpoint.port,
      user: endpoint.user,
      password: endpoint.password,
      ...(endpoint.tls === undefined ? {} : mysql2TlsOptions(endpoint.tls, endpoint.host, endpoint.port)),
      // Values as text where a JS number or Date would round them (docs/design.md rule 5).
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      timezone: 'Z',
      charset: 'utf8mb4_general_ci',
      connectTimeout: connectTimeoutMs,
    });
  }

  start(o: SourceStart, onEvent: (e: SourceEvent) => void, onError: (err: unknown) => void): void {
    this.zongji.on('error', onError);
    this.zongji.on('binlog', (event: AnyBinlogEvent) => {
      // A throw here would unwind through zongji and mysql2's packet handling.
      try {
        const record = toRecord(event, this.zongji);
        if (record !== undefined) onEvent(record);
      } catch (err) {
        onError(err);
      }
    });
    this.zongji.start({
      serverId: o.serverId,
      filename: o.file,
      position: o.position,
      includeEvents: EVENTS,
      includeSchema: { [o.database]: [...o.tables] },
    });
    // start() creates the dump connection synchronously; queries queued now run before the dump.
    const conn = this.zongji.connection;
    for (const sql of o.sessionSql) conn?.query(sql, (err: unknown) => (err ? onError(err) : undefined));
  }

  /** Makes zongji decode `tableId` with these columns from its next row event on. */
  setWireColumns(tableId: number, wires: readonly WireColumn[]): void {
    const entry = this.zongji.tableMap[tableId];
    if (entry === undefined) throw new Error(`zongji has no table map for table id ${tableId}`);
    entry.columns = wires.map((w) => ({ name: w.name, type: w.type, charset: w.charset, metadata: { ...(w.metadata ?? {}) } }));
  }

  /**
   * Stops reading from the socket (mysql2 buffers what it already parsed); TCP flow control then
   * holds the server's dump thread. Called again on every event while over the limit, because
   * zongji resumes the connection itself after it fetches a new table's columns.
   */
  pause(): void {
    this.zongji.connection?.pause();
  }

  resume(): void {
    this.zongji.connection?.resume();
  }

  /** The dump connection's id in the server's processlist. */
  get threadId(): number | undefined {
    return this.zongji.connection?.threadId ?? undefined;
  }

  /** Stops zongji and closes both of its connections; resolves when they are gone. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // zongji KILLs the dump thread with a 1 s timeout of its own; this is the backstop.
      const timer = setTimeout(done, 3000);
      this.zongji.once('stopped', done);
      this.zongji.stop();
    });
    return this.stopping;
  }
}

function isEvent<N extends BinlogEventName>(e: AnyBinlogEvent, name: N): e is BinlogEventByName<N> {
  return e.getEventName() === name;
}

function toRecord(e: AnyBinlogEvent, zongji: ZongJi): SourceEvent | undefined {
  if (isEvent(e, 'rotate')) return { kind: 'rotate', file: e.binlogName, position: e.position };
  if (isEvent(e, 'tablemap')) return tableMapRecord(e, zongji);
  if (isEvent(e, 'writerows')) return rowsRecord('insert', e.tableId, e.nextPosition, e.rows, e);
  if (isEvent(e, 'deleterows')) return rowsRecord('delete', e.tableId, e.nextPosition, e.rows, e);
  if (isEvent(e, 'updaterows')) return rowsRecord('update', e.tableId, e.nextPosition, e.rows.flatMap((r) => [r.before, r.after]), e);
  return { kind: 'progress', nextPosition: e.nextPosition };
}

function tableMapRecord(e: TableMapEvent, zongji: ZongJi): SourceEvent | undefined {
  const entry = zongji.tableMap[e.tableId];
  if (entry === undefined) return undefined;
  // Names and charsets from zongji's column schemas (information_schema or FULL binlog metadata):
  // entry.columns may already be the wire columns set for an earlier event of the same table id.
  const columns: MappedColumn[] = e.columnTypes.map((code, i) => {
    const metadata = e.columnsMetadata[i];
    const realType = metadata?.['type'];
    const schema = entry.columnSchemas[i];
    return {
      name: schema?.COLUMN_NAME ?? `column ${i + 1}`,
      type: typeof realType === 'number' ? realType : code,
      charset: schema?.CHARACTER_SET_NAME ?? null,
      metadata,
      binlogLabels: schema?.ENUM_VALUES ?? schema?.SET_VALUES,
    };
  });
  return { kind: 'tablemap', tableId: e.tableId, database: e.schemaName, table: e.tableName, columns };
}

/** columns_present_bitmap(2) is not in zongji's typings; a missing bit means a partial row image. */
function rowsRecord(
  op: RowsRecord['op'],
  tableId: number,
  nextPosition: number,
  images: readonly Readonly<Record<string, unknown>>[],
  e: object,
): RowsRecord {
  const count = (e as { numberOfColumns?: unknown }).numberOfColumns;
  const bitmaps = [(e as { columns_present_bitmap?: unknown }).columns_present_bitmap, (e as { columns_present_bitmap2?: unknown }).columns_present_bitmap2];
  const fullImage = bitmaps.every((b) => b === undefined || (Buffer.isBuffer(b) && typeof count === 'number' && allSet(b, count)));
  return { kind: 'rows', op, tableId, nextPosition, images, fullImage };
}

function allSet(bitmap: Buffer, bits: number): boolean {
  for (let i = 0; i < bits; i++) if (((bitmap[i >> 3] ?? 0) & (1 << (i & 7))) === 0) return false;
  return true;
}
