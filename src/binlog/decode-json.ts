import { decodeDecimal } from './decode-decimal.js';
import { decodePackedTemporal } from './decode-temporal.js';

/**
 * MySQL's binary JSON (the JSON column's storage and binlog form) to JSON text that the server parses
 * back to the same document. zongji's own decoding turns doubles such as 1.0 into integers (and
 * JSON_TYPE changes from DOUBLE to INTEGER on the way back), so oschange decodes it here.
 * Format: https://dev.mysql.com/doc/dev/mysql-server/latest/json__binary_8h.html
 *
 * Not exact through any text form: opaque values (a DECIMAL, DATE, TIME or DATETIME stored in a
 * document by CAST(... AS JSON) or JSON_OBJECT()) come back as a number or a string of the same text.
 * MariaDB's JSON is LONGTEXT and never reaches this decoder.
 */

const SMALL_OBJECT = 0;
const LARGE_OBJECT = 1;
const SMALL_ARRAY = 2;
const LARGE_ARRAY = 3;
const LITERAL = 4;
const INT16 = 5;
const UINT16 = 6;
const INT32 = 7;
const UINT32 = 8;
const INT64 = 9;
const UINT64 = 10;
const DOUBLE = 11;
const STRING = 12;
const OPAQUE = 15;

/** MySQL column type codes that can appear inside an opaque JSON value. */
const OPAQUE_DECIMAL = 246;
const OPAQUE_DATE = 10;
const OPAQUE_TIME = 11;
const OPAQUE_DATETIME = 12;
const OPAQUE_TIMESTAMP = 7;

export function jsonBinaryToText(buf: Buffer): string {
  // An empty value is how MySQL stores the JSON null literal in some paths.
  if (buf.length === 0) return 'null';
  return readValue(buf, byteAt(buf, 0), 1);
}

/** A double as JSON text that parses back as a double: 1 → '1.0', shortest round-trip digits otherwise. */
export function formatJsonDouble(d: number): string {
  if (Object.is(d, -0)) return '-0.0';
  const s = String(d);
  return /[.eE]/.test(s) ? s : s + '.0';
}

function byteAt(buf: Buffer, pos: number): number {
  const b = buf[pos];
  if (b === undefined) throw new Error(`binary JSON is truncated at byte ${pos} of ${buf.length}`);
  return b;
}

function readValue(buf: Buffer, type: number, pos: number): string {
  switch (type) {
    case SMALL_OBJECT:
      return readContainer(buf, pos, false, true);
    case LARGE_OBJECT:
      return readContainer(buf, pos, true, true);
    case SMALL_ARRAY:
      return readContainer(buf, pos, false, false);
    case LARGE_ARRAY:
      return readContainer(buf, pos, true, false);
    case LITERAL:
      return readLiteral(byteAt(buf, pos));
    case INT16:
      return String(buf.readInt16LE(pos));
    case UINT16:
      return String(buf.readUInt16LE(pos));
    case INT32:
      return String(buf.readInt32LE(pos));
    case UINT32:
      return String(buf.readUInt32LE(pos));
    case INT64:
      return buf.readBigInt64LE(pos).toString();
    case UINT64:
      return buf.readBigUInt64LE(pos).toString();
    case DOUBLE:
      return formatJsonDouble(buf.readDoubleLE(pos));
    case STRING: {
      const [length, used] = readVarLength(buf, pos);
      return JSON.stringify(buf.toString('utf8', pos + used, pos + used + length));
    }
    case OPAQUE: {
      const fieldType = byteAt(buf, pos);
      const [length, used] = readVarLength(buf, pos + 1);
      const start = pos + 1 + used;
      return readOpaque(fieldType, buf.subarray(start, start + length));
    }
    default:
      throw new Error(`binary JSON has an unknown value type ${type}`);
  }
}

function readLiteral(b: number): string {
  if (b === 0) return 'null';
  if (b === 1) return 'true';
  if (b === 2) return 'false';
  throw new Error(`binary JSON has an unknown literal ${b}`);
}

/** Lengths of strings and opaque data: 7 bits per byte, low bits first, high bit = more follows. */
function readVarLength(buf: Buffer, pos: number): [number, number] {
  let length = 0;
  for (let i = 0; i < 5; i++) {
    const b = byteAt(buf, pos + i);
    length += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return [length, i + 1];
  }
  throw new Error('binary JSON has a malformed length');
}

/** Values small enough to sit in the entry itself instead of behind an offset. */
function isInlined(type: number, large: boolean): boolean {
  return type === LITERAL || type === INT16 || type === UINT16 || (large && (type === INT32 || type === UINT32));
}

/**
 * An object or array: element count, byte size, then (objects) key entries of offset + 2-byte
 * length, then value entries of a type byte + an offset or an inlined value. Offsets are relative
 * to the container's start; small containers use 2-byte offsets, large ones 4-byte.
 */
function readContainer(buf: Buffer, start: number, large: boolean, isObject: boolean): string {
  const width = large ? 4 : 2;
  const readOffset = (pos: number): number => (large ? buf.readUInt32LE(pos) : buf.readUInt16LE(pos));
  const count = readOffset(start);
  const keyEntries = start + 2 * width;
  const valueEntries = keyEntries + (isObject ? count * (width + 2) : 0);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const entry = valueEntries + i * (1 + width);
    const type = byteAt(buf, entry);
    const value = readValue(buf, type, isInlined(type, large) ? entry + 1 : start + readOffset(entry + 1));
    if (!isObject) {
      parts.push(value);
      continue;
    }
    const keyEntry = keyEntries + i * (width + 2);
    const keyStart = start + readOffset(keyEntry);
    const key = buf.toString('utf8', keyStart, keyStart + buf.readUInt16LE(keyEntry + width));
    parts.push(`${JSON.stringify(key)}: ${value}`);
  }
  return isObject ? `{${parts.join(', ')}}` : `[${parts.join(', ')}]`;
}

/** Opaque values printed the way MySQL prints them in JSON text. */
function readOpaque(fieldType: number, data: Buffer): string {
  switch (fieldType) {
    case OPAQUE_DECIMAL:
      return decodeDecimal(data.subarray(2), byteAt(data, 0), byteAt(data, 1));
    case OPAQUE_DATE:
      return JSON.stringify(decodePackedTemporal('date', data));
    case OPAQUE_TIME:
      return JSON.stringify(decodePackedTemporal('time', data));
    case OPAQUE_DATETIME:
    case OPAQUE_TIMESTAMP:
      return JSON.stringify(decodePackedTemporal('datetime', data));
    default:
      return JSON.stringify(`base64:type${fieldType}:${data.toString('base64')}`);
  }
}
