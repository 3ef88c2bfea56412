import type { RowValue } from '../binlog/types.js';
import { isMemberType } from '../copy/copier.js';
import { queryRows, type Connection } from '../db/connect.js';
import { keyBound, nextChunkEnd, type ChunkKey } from '../sql/chunk.js';
import type { KeyTuple } from '../sql/key-range.js';
import { keyLiteral } from '../sql/literals.js';
import type { KeyRange } from '../sql/verify.js';

/**
 * Cuts the original's key into ranges of about `size` rows, from the start of the key to an open
 * end. The ranges meet without gaps or overlaps, so every row of either table — rows that reached
 * the ghost through the binlog beyond the copy's range, and extra ghost rows outside the
 * original's range — falls into exactly one of them.
 */
export class RangeWalk {
  private after: KeyTuple | undefined = undefined;
  private max: KeyTuple | undefined = undefined;
  private started = false;
  private done = false;

  constructor(private readonly o: { conn: Connection; database: string; table: string; key: ChunkKey; keyTypes: readonly string[]; size: number }) {
    if (o.keyTypes.length !== o.key.columns.length) throw new Error(`key has ${o.key.columns.length} columns but ${o.keyTypes.length} types`);
    if (!(o.size >= 1)) throw new Error(`chunk size must be at least 1, got ${o.size}`);
  }

  /** The next range, or undefined after the open last one. */
  async next(): Promise<KeyRange | undefined> {
    if (this.done) return undefined;
    if (!this.started) {
      this.started = true;
      this.max = await this.readMax();
    }
    let end = this.max === undefined ? undefined : await this.chunkEnd(this.max);
    if (end === undefined) {
      // Fewer than `size` keys are left up to the last max: the table may have grown beyond it
      // (binlog inserts) since it was read, so look again before the open last range.
      const max = await this.readMax();
      end = max === undefined ? undefined : await this.chunkEnd(max);
      if (end !== undefined) this.max = max;
    }
    const range = { after: this.after, upTo: end };
    if (end === undefined) this.done = true;
    this.after = end;
    return range;
  }

  private async readMax(): Promise<KeyTuple | undefined> {
    const s = keyBound(this.o.database, this.o.table, this.o.key, 'max');
    const [row] = await queryRows(this.o.conn, s.sql, s.params);
    return row === undefined ? undefined : keyTuple(row, this.o.key.columns, this.o.keyTypes);
  }

  private async chunkEnd(max: KeyTuple): Promise<KeyTuple | undefined> {
    const { conn, database, table, key, keyTypes, size } = this.o;
    const s = nextChunkEnd({ database, table, key, after: this.after, max, size });
    const [row] = await queryRows(conn, s.sql, s.params);
    return row === undefined ? undefined : keyTuple(row, key.columns, keyTypes);
  }
}

/** A key row as bounds, read as the copier reads them (exact numbers unquoted, ENUM/SET by number). */
export function keyTuple(row: Record<string, unknown>, columns: readonly string[], types: readonly string[]): KeyTuple {
  return columns.map((c, i) => {
    const v = row[c];
    const type = isMemberType(types[i] ?? '') ? 'int' : (types[i] ?? '');
    if (v === null || typeof v === 'string' || typeof v === 'number' || Buffer.isBuffer(v)) return keyLiteral(v as RowValue, type);
    throw new Error(`unexpected key value for ${c}: ${String(v)}`);
  });
}
