import type { RowValue } from './types.js';
import type { Decoder } from './column-plan.js';
import { decodeDecimal } from './decode-decimal.js';
import { jsonBinaryToText } from './decode-json.js';
import {
  decodeDate,
  decodeDatetime2,
  decodeDatetimeClassic,
  decodeTime2,
  decodeTimeClassic,
  decodeTimestamp2,
  decodeTimestampClassic,
  decodeYear,
} from './decode-temporal.js';
import { decodeText } from './decode-text.js';
import { enumLabel, setLabels } from './enum-values.js';

/** One column of a row image, from what zongji handed over (see column-plan.ts) to a RowValue. */
export function decodeColumn(d: Decoder, raw: unknown): RowValue {
  if (raw === null) return null;
  switch (d.kind) {
    case 'zongji':
      return fromZongji(raw);
    case 'float':
      return floatValue(raw);
    case 'bit':
      // A copy: zongji's slice would pin the whole network buffer while the event waits in the queue.
      return Buffer.from(bytes(raw));
    case 'decimal':
      return decodeDecimal(bytes(raw), d.precision, d.scale);
    case 'date':
      return decodeDate(bytes(raw));
    case 'year':
      return decodeYear(bytes(raw));
    case 'time':
      return decodeTimeClassic(bytes(raw));
    case 'datetime':
      return decodeDatetimeClassic(bytes(raw));
    case 'timestamp':
      return decodeTimestampClassic(bytes(raw));
    case 'time2':
      return decodeTime2(bytes(raw), d.dec);
    case 'datetime2':
      return decodeDatetime2(bytes(raw), d.dec);
    case 'timestamp2':
      return decodeTimestamp2(bytes(raw), d.dec);
    case 'enum':
      return enumLabel(d.labels, littleEndian(bytes(raw)));
    case 'set':
      return setLabels(d.labels, littleEndianBig(bytes(raw)));
    case 'json-binary':
      return jsonBinaryToText(bytes(raw));
    case 'text': {
      const s = decodeText(bytes(raw), d.charset);
      if (s === undefined) throw new Error(`no exact decoder for charset ${d.charset}`);
      return s;
    }
    case 'bytes':
      return padded(bytes(raw), d.width);
  }
}

/** -0 is a distinct FLOAT/DOUBLE value, and mysql2 would print the number -0 as 0. */
export function floatValue(raw: unknown): RowValue {
  if (typeof raw !== 'number') throw new Error(`expected a number for FLOAT/DOUBLE, got ${describe(raw)}`);
  return Object.is(raw, -0) ? '-0' : raw;
}

function fromZongji(raw: unknown): RowValue {
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  if (Buffer.isBuffer(raw)) return Buffer.from(raw);
  // zongji returns undefined for a type it cannot decode (and reports an error beside it).
  throw new Error(`zongji returned ${describe(raw)}`);
}

function bytes(raw: unknown): Buffer {
  if (!Buffer.isBuffer(raw)) throw new Error(`expected the stored bytes, got ${describe(raw)}`);
  return raw;
}

/** BINARY(n) comes without its trailing zero bytes; the column holds all n. */
function padded(buf: Buffer, width: number | undefined): Buffer {
  if (width === undefined || buf.length >= width) return Buffer.from(buf);
  const out = Buffer.alloc(width);
  buf.copy(out);
  return out;
}

function littleEndian(buf: Buffer): number {
  return buf.length === 0 ? 0 : buf.readUIntLE(0, Math.min(buf.length, 6));
}

function littleEndianBig(buf: Buffer): bigint {
  let v = 0n;
  for (let i = buf.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[i] ?? 0);
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v instanceof Date) return 'a Date (dateStrings is off?)';
  return typeof v === 'object' ? Object.prototype.toString.call(v) : typeof v;
}
