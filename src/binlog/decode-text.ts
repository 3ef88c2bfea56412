/**
 * Text columns from their stored bytes to JS strings that the server converts back to the same
 * bytes. MySQL's latin1 is cp1252 except that the five bytes cp1252 leaves undefined (0x81, 0x8D,
 * 0x8F, 0x90, 0x9D) map to the C1 controls U+0081…; zongji's decoder turns those into U+FFFD, so
 * oschange decodes the charsets it can do exactly itself.
 * https://dev.mysql.com/doc/refman/9.4/en/charset-we-sets.html
 */

/** cp1252's 0x80–0x9F as MySQL's latin1 maps them (0x80 + index → code point). */
const LATIN1_HIGH_CONTROLS = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
] as const;


/** Charsets decoded here; other charsets are left to zongji (iconv-lite). */
export function isExactCharset(charset: string): boolean {
  return decoderFor(charset) !== undefined;
}

/** Decodes `buf` stored in `charset`; undefined when the charset is not one decoded here. */
export function decodeText(buf: Buffer, charset: string): string | undefined {
  const decode = decoderFor(charset);
  return decode === undefined ? undefined : decode(buf);
}

function decoderFor(charset: string): ((buf: Buffer) => string) | undefined {
  switch (charset.toLowerCase()) {
    case 'utf8mb4':
    case 'utf8mb3':
    case 'utf8':
      return (buf) => buf.toString('utf8');
    case 'ascii':
      return (buf) => buf.toString('latin1');
    case 'latin1':
      return decodeLatin1;
    default:
      return undefined;
  }
}

/** ISO-8859-1 is right for every byte outside 0x80–0x9F; only those need the cp1252 table. */
export function decodeLatin1(buf: Buffer): string {
  return buf
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => String.fromCharCode(LATIN1_HIGH_CONTROLS[c.charCodeAt(0) - 0x80] ?? c.charCodeAt(0)));
}
