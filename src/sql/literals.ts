import type { RowValue } from '../binlog/types.js';

/**
 * An exact number written into SQL unquoted. A quoted '18446744073709551615' compared with an
 * integer or DECIMAL column is compared as a double and loses precision — chunk bounds and deletes
 * by key would then hit the wrong rows. mysql2 writes objects with toSqlString() verbatim; the text
 * is validated here to be a plain decimal number, so nothing else can get through.
 * https://dev.mysql.com/doc/refman/9.4/en/type-conversion.html
 */
export class NumericLiteral {
  readonly text: string;
  constructor(text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new Error(`not a decimal number: ${JSON.stringify(text)}`);
    this.text = text;
  }
  toSqlString(): string {
    return this.text;
  }
  toJSON(): string {
    return this.text;
  }
  /** The number as written, so a key in a message reads 2500 and not [object Object]. */
  toString(): string {
    return this.text;
  }
}

export type SqlValue = RowValue | NumericLiteral;

const EXACT_NUMERIC = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'integer', 'bigint', 'decimal', 'numeric']);

/** True for column data types whose values must be compared as exact numbers. */
export function isExactNumeric(dataType: string): boolean {
  return EXACT_NUMERIC.has(dataType.toLowerCase());
}

/** The value to compare a key column with: exact numbers unquoted, everything else as is. */
export function keyLiteral(value: RowValue, dataType: string): SqlValue {
  if (typeof value === 'string' && isExactNumeric(dataType)) return new NumericLiteral(value);
  return value;
}
