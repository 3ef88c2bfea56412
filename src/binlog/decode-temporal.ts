/**
 * Temporal values from their binlog bytes to the exact text MySQL prints, with exactly as many
 * fractional digits as the column has. zongji's own decoders go wrong on negative TIME values
 * (-00:01:00 comes out as -00:00:64), YEAR 0000 (1900) and TIMESTAMP time zones, so oschange reads
 * the raw bytes itself. Layouts follow MySQL's mysys/my_time.cc (my_*_packed_from_binary):
 * https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication_binlog_event.html
 */

const INT24_OFFSET = 0x800000;
const DATETIMEF_INT_OFFSET = 0x8000000000;
const TIMEF_OFFSET = 0x800000000000;
const FRAC_SHIFT = 2 ** 24;

/** Bytes the fractional part of TIME2/DATETIME2/TIMESTAMP2 takes for `dec` digits. */
export function fractionBytes(dec: number): number {
  return Math.ceil(dec / 2);
}

/** Stored widths of the fixed-size temporal types, by binlog type. */
export const temporalWidth = {
  date: () => 3,
  year: () => 1,
  time: () => 3,
  datetime: () => 8,
  timestamp: () => 4,
  time2: (dec: number) => 3 + fractionBytes(dec),
  datetime2: (dec: number) => 5 + fractionBytes(dec),
  timestamp2: (dec: number) => 4 + fractionBytes(dec),
} as const;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** '.123' for 123456 µs at 3 digits; '' at 0 digits. */
export function fractionText(micros: number, dec: number): string {
  if (dec === 0) return '';
  return '.' + pad(Math.floor(micros / 10 ** (6 - dec)), dec);
}

function dateText(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function clockText(hour: number, minute: number, second: number): string {
  return `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
}

/** The signed fraction of TIME2/DATETIME2 in microseconds (negative TIME values store it negated). */
function signedMicros(buf: Buffer, offset: number, dec: number): number {
  switch (fractionBytes(dec)) {
    case 0:
      return 0;
    case 1:
      return buf.readInt8(offset) * 10_000;
    case 2:
      return buf.readInt16BE(offset) * 100;
    default:
      return buf.readIntBE(offset, 3);
  }
}

function unsignedMicros(buf: Buffer, offset: number, dec: number): number {
  switch (fractionBytes(dec)) {
    case 0:
      return 0;
    case 1:
      return buf.readUInt8(offset) * 10_000;
    case 2:
      return buf.readUInt16BE(offset) * 100;
    default:
      return buf.readUIntBE(offset, 3);
  }
}

/** DATE: 3 bytes little-endian, day in bits 0-4, month in 5-8, year above. Zero parts stay zero. */
export function decodeDate(buf: Buffer): string {
  const v = buf.readUIntLE(0, 3);
  return dateText(Math.floor(v / 512), (v >> 5) & 15, v & 31);
}

/** YEAR: one byte, years since 1900, with 0 meaning the zero year 0000. */
export function decodeYear(buf: Buffer): number {
  const v = buf.readUInt8(0);
  return v === 0 ? 0 : 1900 + v;
}

/** TIME2 (MySQL 5.6.4+ and MariaDB's default): a packed signed value, offset to sort as unsigned. */
export function decodeTime2(buf: Buffer, dec: number): string {
  let packed: number;
  if (dec >= 5) {
    packed = buf.readUIntBE(0, 6) - TIMEF_OFFSET;
  } else {
    let intPart = buf.readUIntBE(0, 3) - INT24_OFFSET;
    let frac = dec === 0 ? 0 : dec <= 2 ? buf.readUInt8(3) : buf.readUInt16BE(3);
    if (intPart < 0 && frac !== 0) {
      // Negative values store the fraction in reverse order, borrowed from the next second.
      intPart += 1;
      frac -= dec <= 2 ? 0x100 : 0x10000;
    }
    packed = intPart * FRAC_SHIFT + frac * (dec <= 2 ? 10_000 : 100);
  }
  const negative = packed < 0;
  const abs = Math.abs(packed);
  const hms = Math.floor(abs / FRAC_SHIFT);
  const micros = abs % FRAC_SHIFT;
  const hour = Math.floor(hms / 4096) % 1024;
  const minute = Math.floor(hms / 64) % 64;
  const second = hms % 64;
  return (negative ? '-' : '') + clockText(hour, minute, second) + fractionText(micros, dec);
}

/** DATETIME2: 5 bytes big-endian (sign, year*13+month, day, hour, minute, second) + fraction. */
export function decodeDatetime2(buf: Buffer, dec: number): string {
  const ymdhms = buf.readUIntBE(0, 5) - DATETIMEF_INT_OFFSET;
  if (ymdhms < 0) throw new Error('negative DATETIME value in the binlog');
  const micros = signedMicros(buf, 5, dec);
  const ymd = Math.floor(ymdhms / 2 ** 17);
  const hms = ymdhms % 2 ** 17;
  const ym = Math.floor(ymd / 32);
  return (
    dateText(Math.floor(ym / 13), ym % 13, ymd % 32) +
    ' ' +
    clockText(Math.floor(hms / 4096), Math.floor(hms / 64) % 64, hms % 64) +
    fractionText(micros, dec)
  );
}

/** Seconds since the epoch as UTC text; 0 is MySQL's zero TIMESTAMP. */
function epochText(seconds: number, micros: number, dec: number): string {
  if (seconds === 0) return '0000-00-00 00:00:00' + fractionText(0, dec);
  const d = new Date(seconds * 1000);
  return (
    dateText(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()) +
    ' ' +
    clockText(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) +
    fractionText(micros, dec)
  );
}

/** TIMESTAMP2: 4 bytes big-endian epoch seconds + fraction; always shown in UTC. */
export function decodeTimestamp2(buf: Buffer, dec: number): string {
  return epochText(buf.readUInt32BE(0), unsignedMicros(buf, 4, dec), dec);
}

/** Pre-5.6 TIMESTAMP (still used by tables never rebuilt): 4 bytes little-endian epoch seconds. */
export function decodeTimestampClassic(buf: Buffer): string {
  return epochText(buf.readUInt32LE(0), 0, 0);
}

/** Pre-5.6 TIME: a signed 3-byte little-endian HHMMSS number. */
export function decodeTimeClassic(buf: Buffer): string {
  const v = buf.readIntLE(0, 3);
  const abs = Math.abs(v);
  return (v < 0 ? '-' : '') + clockText(Math.floor(abs / 10_000), Math.floor(abs / 100) % 100, abs % 100);
}

/** Pre-5.6 DATETIME: an 8-byte little-endian YYYYMMDDHHMMSS number. */
export function decodeDatetimeClassic(buf: Buffer): string {
  const v = buf.readBigUInt64LE(0);
  const date = Number(v / 1_000_000n);
  const time = Number(v % 1_000_000n);
  return (
    dateText(Math.floor(date / 10_000), Math.floor(date / 100) % 100, date % 100) +
    ' ' +
    clockText(Math.floor(time / 10_000), Math.floor(time / 100) % 100, time % 100)
  );
}

/**
 * Temporal values inside MySQL binary JSON (opaque DATE/TIME/DATETIME/TIMESTAMP): an 8-byte
 * little-endian packed value, printed the way MySQL prints JSON temporals (6 fractional digits).
 */
export function decodePackedTemporal(kind: 'date' | 'time' | 'datetime', buf: Buffer): string {
  const packed = buf.readBigInt64LE(0);
  const negative = packed < 0n;
  const abs = negative ? -packed : packed;
  const micros = Number(abs % BigInt(FRAC_SHIFT));
  const intPart = Number(abs / BigInt(FRAC_SHIFT));
  if (kind === 'time') {
    const hour = Math.floor(intPart / 4096) % 1024;
    return (negative ? '-' : '') + clockText(hour, Math.floor(intPart / 64) % 64, intPart % 64) + fractionText(micros, 6);
  }
  const ymd = Math.floor(intPart / 2 ** 17);
  const hms = intPart % 2 ** 17;
  const ym = Math.floor(ymd / 32);
  const date = dateText(Math.floor(ym / 13), ym % 13, ymd % 32);
  if (kind === 'date') return date;
  return `${date} ${clockText(Math.floor(hms / 4096), Math.floor(hms / 64) % 64, hms % 64)}${fractionText(micros, 6)}`;
}
