import { describe, expect, it } from 'vitest';
import { decimalWidth, decodeDecimal } from '../../src/binlog/decode-decimal.js';
import { formatJsonDouble, jsonBinaryToText } from '../../src/binlog/decode-json.js';
import {
  decodeDate,
  decodeDatetime2,
  decodeDatetimeClassic,
  decodePackedTemporal,
  decodeTime2,
  decodeTimeClassic,
  decodeTimestamp2,
  decodeTimestampClassic,
  decodeYear,
  fractionText,
} from '../../src/binlog/decode-temporal.js';
import { decodeLatin1, decodeText } from '../../src/binlog/decode-text.js';
import { decodeColumn, floatValue } from '../../src/binlog/decode-value.js';

const hex = (h: string): Buffer => Buffer.from(h.replace(/\s/g, ''), 'hex');

/** TIME2 as MySQL writes it (my_time_packed_to_binary), from sign, h, m, s and microseconds. */
function time2(negative: boolean, h: number, m: number, s: number, micros: number, dec: number): Buffer {
  const hms = h * 4096 + m * 64 + s;
  const usec = Math.floor(micros / 10 ** (6 - dec)) * 10 ** (6 - dec);
  let packed = hms * 2 ** 24 + usec;
  if (negative) packed = -packed;
  const out = Buffer.alloc(3 + Math.ceil(dec / 2));
  if (dec >= 5) {
    out.writeUIntBE(packed + 0x800000000000, 0, 6);
    return out;
  }
  // C semantics: the integer part is an arithmetic shift (floor), the fraction a remainder (keeps the sign).
  const intPart = Math.floor(packed / 2 ** 24);
  const frac = packed - Math.trunc(packed / 2 ** 24) * 2 ** 24;
  out.writeUIntBE(intPart + 0x800000, 0, 3);
  if (dec === 1 || dec === 2) out.writeInt8(frac / 10_000, 3);
  if (dec === 3 || dec === 4) out.writeInt16BE(frac / 100, 3);
  return out;
}

/** DATETIME2 (my_datetime_packed_to_binary). */
function datetime2(y: number, mo: number, d: number, h: number, mi: number, s: number, micros: number, dec: number): Buffer {
  const ymd = (y * 13 + mo) * 32 + d;
  const hms = h * 4096 + mi * 64 + s;
  const out = Buffer.alloc(5 + Math.ceil(dec / 2));
  out.writeUIntBE(ymd * 2 ** 17 + hms + 0x8000000000, 0, 5);
  const usec = Math.floor(micros / 10 ** (6 - dec)) * 10 ** (6 - dec);
  if (dec === 1 || dec === 2) out.writeInt8(usec / 10_000, 5);
  if (dec === 3 || dec === 4) out.writeInt16BE(usec / 100, 5);
  if (dec >= 5) out.writeIntBE(usec, 5, 3);
  return out;
}

describe('temporal values from their binlog bytes', () => {
  it('prints exactly the column’s fractional digits', () => {
    expect(fractionText(123456, 0)).toBe('');
    expect(fractionText(123456, 1)).toBe('.1');
    expect(fractionText(123456, 3)).toBe('.123');
    expect(fractionText(5, 6)).toBe('.000005');
  });

  it('decodes DATE, including zero dates and zero parts', () => {
    const date = (y: number, m: number, d: number): Buffer => {
      const b = Buffer.alloc(3);
      b.writeUIntLE(y * 512 + m * 32 + d, 0, 3);
      return b;
    };
    expect(decodeDate(date(2024, 2, 29))).toBe('2024-02-29');
    expect(decodeDate(date(0, 0, 0))).toBe('0000-00-00');
    expect(decodeDate(date(2024, 0, 0))).toBe('2024-00-00');
    expect(decodeDate(date(9999, 12, 31))).toBe('9999-12-31');
  });

  it('decodes YEAR with 0 as the zero year, not 1900', () => {
    expect(decodeYear(hex('00'))).toBe(0);
    expect(decodeYear(hex('01'))).toBe(1901);
    expect(decodeYear(hex('ff'))).toBe(2155);
  });

  it('decodes TIME2 at every precision, negative values included', () => {
    const cases: [boolean, number, number, number, number, number, string][] = [
      [false, 838, 59, 59, 0, 0, '838:59:59'],
      [true, 838, 59, 59, 0, 0, '-838:59:59'],
      [true, 0, 1, 0, 0, 0, '-00:01:00'],
      [true, 0, 1, 0, 0, 6, '-00:01:00.000000'],
      [true, 0, 0, 1, 0, 0, '-00:00:01'],
      [true, 0, 0, 0, 500000, 1, '-00:00:00.5'],
      [true, 0, 0, 1, 500000, 2, '-00:00:01.50'],
      [true, 1, 0, 0, 500000, 3, '-01:00:00.500'],
      [true, 838, 59, 58, 999000, 3, '-838:59:58.999'],
      [true, 0, 0, 0, 1000, 4, '-00:00:00.0010'],
      [true, 12, 34, 56, 789012, 6, '-12:34:56.789012'],
      [true, 0, 0, 59, 999999, 6, '-00:00:59.999999'],
      [false, 0, 0, 0, 0, 6, '00:00:00.000000'],
      [false, 23, 59, 59, 999990, 5, '23:59:59.99999'],
    ];
    for (const [neg, h, m, s, us, dec, want] of cases) expect(decodeTime2(time2(neg, h, m, s, us, dec), dec), want).toBe(want);
    // Bytes MySQL wrote for TIME(0) '-00:01:00': 0x800000 - 64.
    expect(decodeTime2(hex('7fffc0'), 0)).toBe('-00:01:00');
  });

  it('decodes DATETIME2 with 0–6 digits and zero dates', () => {
    expect(decodeDatetime2(datetime2(2024, 2, 29, 23, 59, 59, 999999, 6), 6)).toBe('2024-02-29 23:59:59.999999');
    expect(decodeDatetime2(datetime2(2024, 2, 29, 23, 59, 59, 999000, 3), 3)).toBe('2024-02-29 23:59:59.999');
    expect(decodeDatetime2(datetime2(1000, 1, 1, 0, 0, 0, 0, 0), 0)).toBe('1000-01-01 00:00:00');
    expect(decodeDatetime2(datetime2(2024, 6, 1, 12, 0, 0, 500000, 1), 1)).toBe('2024-06-01 12:00:00.5');
    expect(decodeDatetime2(datetime2(0, 0, 0, 0, 0, 0, 0, 6), 6)).toBe('0000-00-00 00:00:00.000000');
    expect(decodeDatetime2(datetime2(2024, 0, 15, 10, 0, 0, 500000, 6), 6)).toBe('2024-00-15 10:00:00.500000');
  });

  it('decodes TIMESTAMP2 in UTC, and 0 as the zero timestamp', () => {
    const ts = (seconds: number, fracHex = ''): Buffer => Buffer.concat([hex(seconds.toString(16).padStart(8, '0')), hex(fracHex)]);
    expect(decodeTimestamp2(ts(1), 0)).toBe('1970-01-01 00:00:01');
    expect(decodeTimestamp2(ts(2147483647, '0f423f'), 6)).toBe('2038-01-19 03:14:07.999999');
    expect(decodeTimestamp2(ts(1704164645, '1a7c'), 3)).toBe('2024-01-02 03:04:05.678');
    expect(decodeTimestamp2(ts(0, '0000'), 3)).toBe('0000-00-00 00:00:00.000');
  });

  it('decodes the pre-5.6 TIME, DATETIME and TIMESTAMP layouts', () => {
    const time = Buffer.alloc(3);
    time.writeIntLE(-100, 0, 3);
    expect(decodeTimeClassic(time)).toBe('-00:01:00');
    time.writeIntLE(8385959, 0, 3);
    expect(decodeTimeClassic(time)).toBe('838:59:59');
    const dt = Buffer.alloc(8);
    dt.writeBigUInt64LE(20240229235959n);
    expect(decodeDatetimeClassic(dt)).toBe('2024-02-29 23:59:59');
    const ts = Buffer.alloc(4);
    ts.writeUInt32LE(1704164645);
    expect(decodeTimestampClassic(ts)).toBe('2024-01-02 03:04:05');
  });

  it('decodes packed temporals inside JSON the way MySQL prints them', () => {
    const packed = (v: bigint): Buffer => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(v);
      return b;
    };
    const ymd = BigInt((2024 * 13 + 1) * 32 + 2);
    expect(decodePackedTemporal('date', packed((ymd << 17n) << 24n))).toBe('2024-01-02');
    expect(decodePackedTemporal('datetime', packed((((ymd << 17n) | BigInt(3 * 4096 + 4 * 64 + 5)) << 24n) | 678901n))).toBe('2024-01-02 03:04:05.678901');
    expect(decodePackedTemporal('time', packed(-((BigInt(64) << 24n) | 5n)))).toBe('-00:01:00.000005');
  });
});

describe('DECIMAL from its binary form', () => {
  it('matches the examples of MySQL’s decimal2bin', () => {
    // https://dev.mysql.com/doc/refman/9.4/en/precision-math-decimal-characteristics.html
    expect(decodeDecimal(hex('810DFB38D204D2'), 14, 4)).toBe('1234567890.1234');
    expect(decodeDecimal(hex('7EF204C72DFB2D'), 14, 4)).toBe('-1234567890.1234');
    expect(decimalWidth(14, 4)).toBe(7);
    expect(decimalWidth(65, 30)).toBe(30);
  });

  it('keeps zeros, scale and sign exactly', () => {
    const enc = (digits: string, precision: number, scale: number): Buffer => encodeDecimal(digits, precision, scale);
    for (const [v, p, s] of [
      ['0.000000000000000000000000000000', 65, 30],
      ['-99999999999999999999999999999999999.999999999999999999999999999999', 65, 30],
      ['0.000000000000000000000000000001', 65, 30],
      ['-0.00001', 5, 5],
      ['99999999.99', 10, 2],
      ['-1', 65, 0],
      ['1000000000', 18, 0],
    ] as const) {
      expect(decodeDecimal(enc(v, p, s), p, s)).toBe(v);
    }
  });
});

/** decimal2bin: groups of 9 digits in 4 bytes, leftovers in fewer, sign bit flipped, negatives inverted. */
function encodeDecimal(text: string, precision: number, scale: number): Buffer {
  const negative = text.startsWith('-');
  const [intText = '', fracText = ''] = text.replace('-', '').split('.');
  const intg = precision - scale;
  const bytesFor = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
  const intDigits = intText.padStart(intg, '0');
  const fracDigits = fracText.padEnd(scale, '0');
  const parts: Buffer[] = [];
  const group = (digits: string, bytes: number): void => {
    const b = Buffer.alloc(bytes);
    if (bytes > 0) b.writeUIntBE(Number(digits), 0, bytes);
    parts.push(b);
  };
  const lead = intg % 9;
  group(intDigits.slice(0, lead), bytesFor[lead] ?? 4);
  for (let i = lead; i < intg; i += 9) group(intDigits.slice(i, i + 9), 4);
  for (let i = 0; i + 9 <= scale; i += 9) group(fracDigits.slice(i, i + 9), 4);
  const tail = scale % 9;
  group(fracDigits.slice(scale - tail), bytesFor[tail] ?? 4);
  const out = Buffer.concat(parts);
  if (negative) for (let i = 0; i < out.length; i++) out[i] = ~(out[i] ?? 0) & 0xff;
  out[0] = (out[0] ?? 0) ^ 0x80;
  return out;
}

describe('binary JSON to text', () => {
  it('reads scalars at the top level', () => {
    expect(jsonBinaryToText(hex('0400'))).toBe('null');
    expect(jsonBinaryToText(hex('0401'))).toBe('true');
    expect(jsonBinaryToText(hex('0402'))).toBe('false');
    expect(jsonBinaryToText(hex('05ffff'))).toBe('-1');
    expect(jsonBinaryToText(hex('0a ffffffffffffffff'))).toBe('18446744073709551615');
    expect(jsonBinaryToText(hex('09 0000000000000080'))).toBe('-9223372036854775808');
    expect(jsonBinaryToText(hex('0b 000000000000f03f'))).toBe('1.0');
    expect(jsonBinaryToText(Buffer.concat([hex('0c 06'), Buffer.from('é😀', 'utf8')]))).toBe('"é😀"');
    expect(jsonBinaryToText(Buffer.alloc(0))).toBe('null');
  });

  it('reads small objects and arrays with inlined and offset values', () => {
    // {"a": 1}: count 1, size 12, key entry (offset 11, length 1), value entry (int16 inlined 1), key.
    expect(jsonBinaryToText(hex('00 0100 0c00 0b00 0100 05 0100 61'))).toBe('{"a": 1}');
    // [1.5, "x"]: count 2, size, value entries (double @10, string @18), then the double and the string.
    const arr = Buffer.concat([hex('02 0200 1400 0b 0a00 0c 1200'), doubleLE(1.5), hex('01 78')]);
    expect(jsonBinaryToText(arr)).toBe('[1.5, "x"]');
  });

  it('reads large containers, whose int32 values are inlined', () => {
    // [7] as a large array: count 1, size, one entry of type int32 inlined in 4 bytes.
    expect(jsonBinaryToText(hex('03 01000000 0d000000 07 07000000'))).toBe('[7]');
  });

  it('prints doubles so they parse back as doubles', () => {
    expect(formatJsonDouble(1)).toBe('1.0');
    expect(formatJsonDouble(-0)).toBe('-0.0');
    expect(formatJsonDouble(2.5e300)).toBe('2.5e+300');
    expect(formatJsonDouble(0.1)).toBe('0.1');
    expect(formatJsonDouble(123456789012345680000)).toBe('123456789012345680000.0');
  });

  it('prints opaque decimals as numbers and other opaque values as MySQL does', () => {
    const dec = Buffer.concat([hex('0f f6 09 0e 04'), hex('810DFB38D204D2')]);
    expect(jsonBinaryToText(dec)).toBe('1234567890.1234');
    expect(jsonBinaryToText(hex('0f fc 02 0001'))).toBe('"base64:type252:AAE="');
  });
});

function doubleLE(d: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(d);
  return b;
}

describe('text and the value dispatcher', () => {
  it('decodes MySQL latin1, which keeps cp1252’s five holes as C1 controls', () => {
    expect(decodeLatin1(hex('80 81 8d 8f 90 9d 9f a0 e9 ff'))).toBe('\u20ac\u0081\u008d\u008f\u0090\u009d\u0178\u00a0\u00e9\u00ff');
    expect(decodeText(Buffer.from('😀', 'utf8'), 'utf8mb4')).toBe('😀');
    expect(decodeText(Buffer.from('é', 'utf8'), 'utf8mb3')).toBe('é');
    expect(decodeText(hex('41'), 'gbk')).toBeUndefined();
  });

  it('keeps -0 apart from 0 for FLOAT/DOUBLE', () => {
    expect(floatValue(-0)).toBe('-0');
    expect(floatValue(0)).toBe(0);
    expect(floatValue(1.1)).toBe(1.1);
    expect(() => floatValue('1')).toThrow(/number/);
  });

  it('pads BINARY(n), copies bytes, maps ENUM/SET indexes and passes NULL through', () => {
    expect(decodeColumn({ kind: 'bytes', width: 4 }, hex('01'))).toEqual(hex('01000000'));
    expect(decodeColumn({ kind: 'bytes', width: undefined }, hex('00ff'))).toEqual(hex('00ff'));
    expect(decodeColumn({ kind: 'enum', labels: ['a', 'b'] }, hex('0200'))).toBe('b');
    expect(decodeColumn({ kind: 'set', labels: ['a', 'b', 'c'] }, hex('05'))).toBe('a,c');
    expect(decodeColumn({ kind: 'time2', dec: 0 }, null)).toBeNull();
    expect(decodeColumn({ kind: 'zongji' }, '18446744073709551615')).toBe('18446744073709551615');
    expect(() => decodeColumn({ kind: 'zongji' }, new Date())).toThrow(/Date/);
    expect(() => decodeColumn({ kind: 'zongji' }, undefined)).toThrow(/undefined/);
  });
});
