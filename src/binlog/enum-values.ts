/**
 * ENUM and SET labels from information_schema's COLUMN_TYPE, e.g. `enum('a,b','it''s','x\\y')`.
 * zongji splits that text on commas, which breaks labels holding a comma or a quote; here each
 * quoted label is read with the server's escaping ('' for a quote, a backslash before any
 * character). Labels with 4-byte characters cannot be read exactly: information_schema is utf8mb3
 * and shows them as '?' (binlog_row_metadata=FULL carries them exactly, and is preferred).
 */
export function parseEnumLabels(columnType: string): string[] {
  const open = columnType.indexOf('(');
  if (open < 0 || !/^(enum|set)\s*\(/i.test(columnType)) throw new Error(`not an ENUM or SET type: ${columnType}`);
  const labels: string[] = [];
  let i = open + 1;
  while (i < columnType.length) {
    const c = columnType[i];
    if (c === ')') return labels;
    if (c === ',' || c === ' ') {
      i++;
      continue;
    }
    if (c !== "'") throw new Error(`cannot read the labels of ${columnType}: unexpected ${JSON.stringify(c)} at ${i}`);
    let label = '';
    i++;
    for (;;) {
      const d = columnType[i];
      if (d === undefined) throw new Error(`cannot read the labels of ${columnType}: unterminated label`);
      if (d === "'" && columnType[i + 1] === "'") {
        label += "'";
        i += 2;
      } else if (d === "'") {
        i++;
        break;
      } else if (d === '\\' && i + 1 < columnType.length) {
        label += columnType[i + 1];
        i += 2;
      } else {
        label += d;
        i++;
      }
    }
    labels.push(label);
  }
  throw new Error(`cannot read the labels of ${columnType}: no closing parenthesis`);
}

/** ENUM: a 1-based index into the labels; 0 is the special '' error value. */
export function enumLabel(labels: readonly string[], index: number): string {
  if (index === 0) return '';
  const label = labels[index - 1];
  if (label === undefined) throw new Error(`ENUM index ${index} is beyond its ${labels.length} labels`);
  return label;
}

/** SET: a bitmap over the labels, written back as 'a,b' in label order. */
export function setLabels(labels: readonly string[], bits: bigint): string {
  const chosen: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    if ((bits >> BigInt(i)) & 1n) chosen.push(labels[i] ?? '');
  }
  return chosen.join(',');
}
