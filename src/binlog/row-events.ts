import { HEARTBEAT_HINT } from '../sql/changelog.js';
import type { ColumnPlan } from './column-plan.js';
import { decodeColumn } from './decode-value.js';
import type { BinlogPosition, Row, RowValue, StreamEvent } from './types.js';
import type { RowsRecord } from './zongji-source.js';

export type TableRole = 'table' | 'changelog';

/** One rows event (many rows) to stream events, one per row, in order. */
export function toStreamEvents(
  e: RowsRecord,
  role: TableRole,
  columns: readonly ColumnPlan[],
  position: BinlogPosition,
  label: string,
  table?: string,
): StreamEvent[] {
  const image = (i: number): Row => rowImage(columns, e.images[i] ?? {}, label);
  const out: StreamEvent[] = [];
  const step = e.op === 'update' ? 2 : 1;
  for (let i = 0; i < e.images.length; i += step) {
    if (role === 'changelog') {
      // Deletes of the changelog (cleanup) carry nothing the migration waits for.
      if (e.op === 'delete') continue;
      out.push(changelogEvent(image(e.op === 'update' ? i + 1 : i), position));
      continue;
    }
    switch (e.op) {
      case 'insert':
        out.push({ kind: 'insert', position, table, after: image(i) });
        break;
      case 'delete':
        out.push({ kind: 'delete', position, table, before: image(i) });
        break;
      case 'update':
        out.push({ kind: 'update', position, table, before: image(i), after: image(i + 1) });
        break;
    }
  }
  return out;
}

/**
 * One row image, by column name, without VIRTUAL generated columns. With binlog_row_image=FULL both
 * flavors log every column, VIRTUAL ones included (MySQL 9.7, MariaDB 10.11); a STORED generated
 * column's value is the one the row holds, and is kept: it may be part of the shared key, which the
 * applier deletes by. Generated values are never written (the applier writes only mapped columns).
 */
export function rowImage(columns: readonly ColumnPlan[], image: Readonly<Record<string, unknown>>, label: string): Row {
  const entries: [string, RowValue][] = [];
  for (const c of columns) {
    if (c.generated === 'virtual') continue;
    try {
      entries.push([c.name, decodeColumn(c.decoder, image[c.wire.name])]);
    } catch (err) {
      throw new Error(`cannot decode ${label}.${c.name} (${c.decoder.kind}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  // fromEntries defines own properties, so a column named __proto__ stays a column.
  return Object.fromEntries(entries);
}

function changelogEvent(row: Row, position: BinlogPosition): StreamEvent {
  const hint = row['hint'];
  const value = row['value'];
  if (typeof hint !== 'string' || typeof value !== 'string') throw new Error('changelog row without text hint and value columns');
  const writtenAtMs = Number(value);
  if (hint === HEARTBEAT_HINT && Number.isFinite(writtenAtMs)) return { kind: 'heartbeat', position, writtenAtMs };
  return { kind: 'marker', position, hint, value };
}
