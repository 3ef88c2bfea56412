import type { ServerVersion } from '../db/flavor.js';
import type { ValueRisk } from '../inspect/value-fit.js';
import { NumericLiteral } from './literals.js';
import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * The data checks before the copy (src/lint/checks/values-fit.ts, new-unique-keys.ts): bounded
 * queries on the original that find one row whose value the ALTER would change, or one group of
 * rows a new unique key would collapse. They read without locks and stop at the first hit.
 */

/** A charset or collation name from information_schema, written into SQL (CONVERT … USING cannot take a placeholder). */
function charsetName(name: string): string {
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`not a charset or collation name: ${JSON.stringify(name)}`);
  return name;
}

/** A WHERE condition true for the values the risk is about; undefined when it cannot be tested up front. */
export function riskPredicate(column: string, r: ValueRisk): Statement | undefined {
  const c = quoteId(column);
  switch (r.kind) {
    case 'null':
      return stmt(`${c} IS NULL`);
    case 'chars':
      return stmt(`CHAR_LENGTH(CONVERT(${c} USING ${charsetName(r.charset)})) > ?`, [r.max]);
    case 'bytes':
      return r.charset === undefined ? stmt(`LENGTH(${c}) > ?`, [r.max]) : stmt(`LENGTH(CONVERT(${c} USING ${charsetName(r.charset)})) > ?`, [r.max]);
    case 'charset':
      // A value survives when it reads back byte for byte after a trip through the new charset.
      return r.from === 'binary'
        ? stmt(`CAST(CONVERT(${c} USING ${charsetName(r.to)}) AS BINARY) <> CAST(${c} AS BINARY)`)
        : stmt(`CAST(CONVERT(CONVERT(${c} USING ${charsetName(r.to)}) USING ${charsetName(r.from)}) AS BINARY) <> CAST(${c} AS BINARY)`);
    case 'trailing-spaces':
      // LIKE compares without padding, unlike = under a PAD SPACE collation.
      return stmt(`${c} LIKE '% '`);
    case 'range':
      return stmt(`(${c} < ? OR ${c} > ?)`, [new NumericLiteral(r.min), new NumericLiteral(r.max)]);
    case 'scale':
      return stmt(`${c} <> TRUNCATE(${c}, ?)`, [r.scale]);
    case 'float':
      // Integers beyond 2^53 (DOUBLE) or 2^24 (FLOAT) lose digits.
      return stmt(`ABS(${c}) > ?`, [new NumericLiteral(r.double ? '9007199254740992' : '16777216')]);
    case 'members':
      return stmt(`${c} NOT IN (${r.members.map(() => '?').join(', ')})`, [...r.members]);
    case 'set-members':
      return stmt(`(${c} + 0) & ? <> 0`, [new NumericLiteral(String(r.removed.reduce((mask, i) => mask | (1n << BigInt(i)), 0n)))]);
    case 'fsp':
      return stmt(`MICROSECOND(${c}) % ? <> 0`, [10 ** (6 - r.fsp)]);
    case 'time-part':
      return stmt(`CAST(${c} AS TIME) <> '00:00:00'`);
    case 'timestamp-range':
      return stmt(`${c} <> '0000-00-00 00:00:00' AND (${c} < '1970-01-01 00:00:01' OR ${c} > '2038-01-19 03:14:07.999999')`);
    case 'json':
      return stmt(`JSON_VALID(${c}) = 0`);
    case 'unchecked':
      return undefined;
  }
}

/**
 * Limits a SELECT's run time on the server: MySQL's MAX_EXECUTION_TIME hint, MariaDB's SET STATEMENT
 * max_statement_time. A check that would scan longer is skipped (the copy still checks every row).
 * https://dev.mysql.com/doc/refman/9.4/en/optimizer-hints.html#optimizer-hints-execution-time
 * https://mariadb.com/kb/en/aborting-statements/
 */
export function withTimeLimit(select: Statement, version: ServerVersion, ms: number): Statement {
  if (!/^SELECT /.test(select.sql)) throw new Error('withTimeLimit takes a SELECT');
  const whole = Math.max(1, Math.round(ms));
  if (version.flavor === 'mysql') return stmt(`SELECT /*+ MAX_EXECUTION_TIME(${whole}) */ ${select.sql.slice('SELECT '.length)}`, select.params);
  return stmt(`SET STATEMENT max_statement_time = ${(whole / 1000).toFixed(3)} FOR ${select.sql}`, select.params);
}

/**
 * The first row, in key order, whose value of `column` the risk is about: its key and the value.
 * Walking the key in order stops at the first hit, so the answer is the same on every run.
 */
export function valueProbe(o: { database: string; table: string; keyColumns: readonly string[]; column: string; predicate: Statement }): Statement {
  const key = o.keyColumns.map(quoteId).join(', ');
  return stmt(
    `SELECT ${key}, ${quoteId(o.column)} AS ${quoteId('__value')} FROM ${quoteTable(o.database, o.table)} WHERE ${o.predicate.sql} ORDER BY ${key} LIMIT 1`,
    o.predicate.params,
  );
}

/** One part of a unique key as the ghost compares it: the original column, in the ghost's charset and collation, cut to its prefix. */
export interface UniquePart {
  readonly column: string;
  /** Compare in this charset/collation (a string column whose collation the ALTER changes). */
  readonly collate: { readonly charset: string; readonly collation: string } | undefined;
  /** A prefix length in characters (`UNIQUE (c(10))`). */
  readonly length: number | undefined;
}

function partExpr(p: UniquePart): string {
  let e = quoteId(p.column);
  if (p.collate !== undefined) e = `CONVERT(${e} USING ${charsetName(p.collate.charset)}) COLLATE ${charsetName(p.collate.collation)}`;
  if (p.length !== undefined) e = `LEFT(${e}, ${Math.floor(p.length)})`;
  return e;
}

/**
 * One group of rows that share a value of the new unique key (NULLs never collide in a UNIQUE key),
 * with how many rows it has: `SELECT e1 AS v0, …, COUNT(*) AS n … GROUP BY … HAVING COUNT(*) > 1 LIMIT 1`.
 */
export function duplicateProbe(o: { database: string; table: string; parts: readonly UniquePart[]; primary: boolean }): Statement {
  const exprs = o.parts.map(partExpr);
  const where = o.primary ? '' : ` WHERE ${o.parts.map((p) => `${quoteId(p.column)} IS NOT NULL`).join(' AND ')}`;
  return stmt(
    `SELECT ${exprs.map((e, i) => `${e} AS ${quoteId(`v${i}`)}`).join(', ')}, COUNT(*) AS ${quoteId('n')} FROM ${quoteTable(o.database, o.table)}${where} ` +
      `GROUP BY ${exprs.join(', ')} HAVING COUNT(*) > 1 LIMIT 1`,
  );
}

/** The keys of (at most `limit`) rows holding one value of the new unique key, in key order. */
export function duplicateRows(o: { database: string; table: string; keyColumns: readonly string[]; parts: readonly UniquePart[]; values: readonly unknown[]; limit: number }): Statement {
  return stmt(
    `SELECT ${o.keyColumns.map(quoteId).join(', ')} FROM ${quoteTable(o.database, o.table)} WHERE ${o.parts.map((p) => `${partExpr(p)} = ?`).join(' AND ')} ` +
      `ORDER BY ${o.keyColumns.map(quoteId).join(', ')} LIMIT ${Math.floor(o.limit)}`,
    o.values,
  );
}
