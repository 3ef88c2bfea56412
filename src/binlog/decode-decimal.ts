/**
 * DECIMAL(p,s) from MySQL's binary form to exact decimal text ('-123.4500'): groups of 9 digits in
 * 4 bytes big-endian, a shorter group for the leftover digits, the sign in the top bit (negative
 * values store every byte inverted). Used for DECIMAL columns and decimals inside binary JSON.
 * https://dev.mysql.com/doc/dev/mysql-server/latest/decimal_8h.html (decimal2bin)
 */

const DIGITS_PER_GROUP = 9;
const GROUP_BYTES = 4;
/** Bytes for a leftover group of 0..8 digits. */
const LEFTOVER_BYTES = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4] as const;

function leftoverBytes(digits: number): number {
  return LEFTOVER_BYTES[digits] ?? GROUP_BYTES;
}

/** Bytes a DECIMAL(precision, scale) value takes in the binlog. */
export function decimalWidth(precision: number, scale: number): number {
  const intg = precision - scale;
  return (
    Math.floor(intg / DIGITS_PER_GROUP) * GROUP_BYTES +
    leftoverBytes(intg % DIGITS_PER_GROUP) +
    Math.floor(scale / DIGITS_PER_GROUP) * GROUP_BYTES +
    leftoverBytes(scale % DIGITS_PER_GROUP)
  );
}

export function decodeDecimal(raw: Buffer, precision: number, scale: number): string {
  const size = decimalWidth(precision, scale);
  if (raw.length < size) throw new Error(`DECIMAL(${precision},${scale}) needs ${size} bytes, got ${raw.length}`);
  const buf = Buffer.from(raw.subarray(0, size));
  const negative = ((buf[0] ?? 0) & 0x80) === 0;
  buf[0] = (buf[0] ?? 0) ^ 0x80;
  if (negative) for (let i = 0; i < buf.length; i++) buf[i] = ~(buf[i] ?? 0) & 0xff;

  let pos = 0;
  const read = (bytes: number): number => {
    const v = bytes === 0 ? 0 : buf.readUIntBE(pos, bytes);
    pos += bytes;
    return v;
  };

  const intg = precision - scale;
  let intDigits = '';
  const intLeft = intg % DIGITS_PER_GROUP;
  if (intLeft > 0) intDigits += String(read(leftoverBytes(intLeft)));
  for (let i = 0; i < Math.floor(intg / DIGITS_PER_GROUP); i++) intDigits += String(read(GROUP_BYTES)).padStart(DIGITS_PER_GROUP, '0');
  intDigits = intDigits.replace(/^0+(?=\d)/, '');
  if (intDigits === '') intDigits = '0';

  let fracDigits = '';
  for (let i = 0; i < Math.floor(scale / DIGITS_PER_GROUP); i++) fracDigits += String(read(GROUP_BYTES)).padStart(DIGITS_PER_GROUP, '0');
  const fracLeft = scale % DIGITS_PER_GROUP;
  if (fracLeft > 0) fracDigits += String(read(leftoverBytes(fracLeft))).padStart(fracLeft, '0');

  const isZero = /^0*$/.test(intDigits + fracDigits);
  return (negative && !isZero ? '-' : '') + intDigits + (scale > 0 ? '.' + fracDigits : '');
}
