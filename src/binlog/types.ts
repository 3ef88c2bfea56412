/**
 * What the binlog stream hands to the rest of oschange: plain, typed data with exact values.
 *
 * A RowValue is "placeholder-ready": passed as a `?` parameter to mysql2's query(), it writes back
 * exactly the value the original row held (docs/design.md rule 5):
 * - integers that fit a JS safe integer as numbers; BIGINT (signed or unsigned) beyond 2^53 and
 *   every DECIMAL as decimal strings;
 * - FLOAT/DOUBLE as numbers (round-trip exact through mysql2's formatting);
 * - DATE/DATETIME/TIMESTAMP/TIME as strings with all fractional digits the column has
 *   ('2024-01-02 03:04:05.123456'); TIMESTAMP in UTC (sessions are pinned to UTC); zero dates as
 *   '0000-00-00 00:00:00'; YEAR as a number;
 * - CHAR/VARCHAR/TEXT/ENUM/SET as JS strings (SET as 'a,b'); JSON as its JSON text;
 * - BINARY/VARBINARY/BLOB/BIT/GEOMETRY as Buffers (BIT big-endian, column-width bytes;
 *   GEOMETRY in MySQL's internal SRID+WKB form);
 * - NULL as null.
 * VIRTUAL generated columns are never present; STORED ones are, with the value the row holds (they
 * may identify the row), and are never written.
 */
export type RowValue = string | number | Buffer | null;

/** Column name (of the original table) → value. */
export type Row = Readonly<Record<string, RowValue>>;

/** A point in the primary's binlog. */
export interface BinlogPosition {
  readonly file: string;
  readonly position: number;
}

export function formatPosition(p: BinlogPosition): string {
  return `${p.file}:${p.position}`;
}

/** Compares two positions: negative when a is before b. */
export function comparePositions(a: BinlogPosition, b: BinlogPosition): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.position - b.position;
}

interface Base {
  /** Position just after the event that carried this change. */
  readonly position: BinlogPosition;
}

/**
 * A row change of a migrated (original) table. `table` names it when the stream carries several
 * (the applier routes by it); undefined means the migration's one table.
 */
export type RowChange =
  | (Base & { readonly kind: 'insert'; readonly table?: string | undefined; readonly after: Row })
  | (Base & { readonly kind: 'update'; readonly table?: string | undefined; readonly before: Row; readonly after: Row })
  | (Base & { readonly kind: 'delete'; readonly table?: string | undefined; readonly before: Row });

/** Everything the stream delivers, in binlog order. */
export type StreamEvent =
  | RowChange
  /** A heartbeat row written into the changelog table; `writtenAtMs` is the writer's clock (epoch ms). */
  | (Base & { readonly kind: 'heartbeat'; readonly writtenAtMs: number })
  /** A state marker written into the changelog table (e.g. the cut-over's "all events up to lock"). */
  | (Base & { readonly kind: 'marker'; readonly hint: string; readonly value: string });
