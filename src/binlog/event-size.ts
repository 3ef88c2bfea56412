import type { Row, RowValue, StreamEvent } from './types.js';

/** Roughly how many bytes values take as SQL text (hex for binary): batches and the backlog are bounded by it. */
export function approxBytes(values: readonly RowValue[]): number {
  let n = 0;
  for (const v of values) n += v === null ? 4 : Buffer.isBuffer(v) ? v.length * 2 + 3 : typeof v === 'string' ? v.length * 2 + 2 : 24;
  return n + values.length * 2;
}

function rowBytes(row: Row): number {
  return approxBytes(Object.values(row));
}

/** The weight of one stream event in the backlog: its row images; markers and heartbeats count as small. */
export function eventBytes(e: StreamEvent): number {
  switch (e.kind) {
    case 'insert':
      return rowBytes(e.after);
    case 'update':
      return rowBytes(e.before) + rowBytes(e.after);
    case 'delete':
      return rowBytes(e.before);
    default:
      return 64;
  }
}
