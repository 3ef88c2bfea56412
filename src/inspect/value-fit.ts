import type { DataLossKind } from '../lint/finding.js';
import { columnType, integerRange, type ColumnType } from './column-type.js';
import type { Column } from './table-info.js';

/**
 * Which values of a column could change when the ALTER gives it a new type: one risk per way a
 * value can fail to fit, each testable by a query on the original (src/sql/value-fit.ts). A risk
 * of kind `unchecked` cannot be tested up front; the copy then checks every row as it goes
 * (src/copy/chunk-warnings.ts).
 */
export type ValueRisk =
  | { readonly kind: 'null' }
  | { readonly kind: 'chars'; readonly max: number; readonly charset: string }
  | { readonly kind: 'bytes'; readonly max: number; readonly charset: string | undefined }
  | { readonly kind: 'charset'; readonly from: string; readonly to: string }
  | { readonly kind: 'trailing-spaces' }
  /** Inclusive bounds of the values the new type holds. */
  | { readonly kind: 'range'; readonly min: string; readonly max: string }
  | { readonly kind: 'scale'; readonly scale: number }
  | { readonly kind: 'float'; readonly double: boolean }
  | { readonly kind: 'members'; readonly members: readonly string[] }
  | { readonly kind: 'set-members'; readonly removed: readonly number[] }
  | { readonly kind: 'fsp'; readonly fsp: number }
  | { readonly kind: 'time-part' }
  | { readonly kind: 'timestamp-range' }
  | { readonly kind: 'json' }
  | { readonly kind: 'unchecked'; readonly from: string; readonly to: string };

/** What the risk means for a value, for messages: "holds values longer than 20 characters". */
export function describeRisk(r: ValueRisk): string {
  switch (r.kind) {
    case 'null':
      return "holds NULLs, which the NOT NULL column would turn into its type's default";
    case 'chars':
      return `holds values longer than ${r.max} characters`;
    case 'bytes':
      return `holds values longer than ${r.max} bytes`;
    case 'charset':
      return `holds characters that ${r.to} cannot store (they would become "?")`;
    case 'trailing-spaces':
      return 'holds values ending in spaces, which a CHAR column drops';
    case 'range':
      return `holds values outside the new type's range (${r.min} to ${r.max})`;
    case 'scale':
      return `holds values with more than ${r.scale} decimal places, which would be rounded`;
    case 'float':
      return `holds values a ${r.double ? 'DOUBLE' : 'FLOAT'} cannot store exactly`;
    case 'members':
      return 'holds values that are not members of the new type';
    case 'set-members':
      return 'holds SET members the new type drops';
    case 'fsp':
      return `holds fractional seconds beyond ${r.fsp} digits, which would be rounded`;
    case 'time-part':
      return 'holds times of day, which a DATE drops';
    case 'timestamp-range':
      return "holds dates outside TIMESTAMP's range (1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC)";
    case 'json':
      return 'holds text that is not valid JSON';
    case 'unchecked':
      return `changes type (${r.from} → ${r.to}); each value is checked as it is copied`;
  }
}

/** Which --allow-data-loss kind accepts a risk. */
export function riskAllowance(r: ValueRisk): DataLossKind {
  return r.kind === 'null' ? 'null-to-default' : 'truncate';
}

const STRINGLIKE = new Set(['char', 'text']);

/** The risks of moving values from column `from` (original) to column `to` (ghost). */
export function valueRisks(from: Column, to: Column): ValueRisk[] {
  const risks: ValueRisk[] = [];
  if (from.nullable && !to.nullable) risks.push({ kind: 'null' });
  if (from.columnType === to.columnType && from.charset === to.charset) return risks;
  const a = columnType(from);
  const b = columnType(to);
  risks.push(...typeRisks(a, b, from.columnType, to.columnType));
  return risks;
}

function typeRisks(a: ColumnType, b: ColumnType, fromText: string, toText: string): ValueRisk[] {
  const unchecked: ValueRisk[] = [{ kind: 'unchecked', from: fromText, to: toText }];
  switch (b.family) {
    case 'integer': {
      const r = integerRange(b);
      if (a.family === 'integer') {
        const ra = integerRange(a);
        return BigInt(ra.min) < BigInt(r.min) || BigInt(ra.max) > BigInt(r.max) ? [{ kind: 'range', ...r }] : [];
      }
      if (a.family === 'decimal' || a.family === 'float') return [{ kind: 'range', ...r }, { kind: 'scale', scale: 0 }];
      return unchecked;
    }
    case 'decimal': {
      // DECIMAL(4,2) holds -99.99 to 99.99.
      const whole = b.precision - b.scale;
      const max = `${whole > 0 ? '9'.repeat(whole) : '0'}${b.scale > 0 ? `.${'9'.repeat(b.scale)}` : ''}`;
      const range: ValueRisk = { kind: 'range', min: b.unsigned ? '0' : `-${max}`, max };
      if (a.family === 'integer') {
        const ra = integerRange(a);
        const limit = 10n ** BigInt(whole);
        const fits = BigInt(ra.max) < limit && (b.unsigned ? BigInt(ra.min) >= 0n : BigInt(ra.min) > -limit);
        return fits ? [] : [range];
      }
      if (a.family === 'decimal') {
        const out: ValueRisk[] = [];
        if (a.precision - a.scale > b.precision - b.scale || (b.unsigned && !a.unsigned)) out.push(range);
        if (a.scale > b.scale) out.push({ kind: 'scale', scale: b.scale });
        return out;
      }
      if (a.family === 'float') return [range, { kind: 'scale', scale: b.scale }];
      return unchecked;
    }
    case 'float':
      if (a.family === 'float' && (b.double || !a.double)) return [];
      if (a.family === 'integer' || a.family === 'decimal' || a.family === 'float') return [{ kind: 'float', double: b.double }];
      return unchecked;
    case 'char':
    case 'text': {
      const out: ValueRisk[] = [];
      if (STRINGLIKE.has(a.family) && 'charset' in a) {
        if (a.charset !== b.charset) out.push({ kind: 'charset', from: a.charset, to: b.charset });
      } else if (a.family === 'binary') {
        out.push({ kind: 'charset', from: 'binary', to: b.charset });
      } else if (!['integer', 'decimal', 'float', 'enum', 'set', 'temporal', 'json'].includes(a.family)) {
        return unchecked;
      }
      if (b.family === 'char') {
        const widerSource = a.family !== 'char' || a.length > b.length;
        if (widerSource) out.push({ kind: 'chars', max: b.length, charset: b.charset });
        if (b.fixed && !(a.family === 'char' && a.fixed)) out.push({ kind: 'trailing-spaces' });
      } else {
        const sourceBytes = a.family === 'text' ? a.maxBytes : a.family === 'binary' ? a.maxBytes : Number.POSITIVE_INFINITY;
        const sameCharset = 'charset' in a && a.charset === b.charset;
        if (!(sameCharset && sourceBytes <= b.maxBytes)) out.push({ kind: 'bytes', max: b.maxBytes, charset: b.charset });
      }
      return out;
    }
    case 'binary': {
      if (a.family === 'binary') return a.maxBytes > b.maxBytes ? [{ kind: 'bytes', max: b.maxBytes, charset: undefined }] : [];
      if (a.family === 'char' || a.family === 'text') return [{ kind: 'bytes', max: b.maxBytes, charset: undefined }];
      return unchecked;
    }
    case 'enum':
      if (a.family === 'enum' || a.family === 'char' || a.family === 'text') {
        if (a.family === 'enum' && a.members.every((m) => b.members.includes(m))) return [];
        return [{ kind: 'members', members: b.members }];
      }
      return unchecked;
    case 'set':
      if (a.family === 'set') {
        const removed = a.members.flatMap((m, i) => (b.members.includes(m) ? [] : [i]));
        // Members keep their values only by label: a SET converts by its members' names.
        return removed.length === 0 ? [] : [{ kind: 'set-members', removed }];
      }
      return unchecked;
    case 'temporal': {
      if (a.family !== 'temporal') return unchecked;
      const out: ValueRisk[] = [];
      const hasTime = a.kind === 'datetime' || a.kind === 'timestamp';
      if (b.kind === 'date' && hasTime) out.push({ kind: 'time-part' });
      if ((b.kind === 'datetime' || b.kind === 'timestamp' || b.kind === 'time') && a.kind !== 'date' && a.kind !== 'year' && a.fsp > b.fsp) out.push({ kind: 'fsp', fsp: b.fsp });
      if (b.kind === 'timestamp' && a.kind !== 'timestamp' && a.kind !== 'time' && a.kind !== 'year') out.push({ kind: 'timestamp-range' });
      if (b.kind === 'year' || a.kind === 'year' || (a.kind === 'time') !== (b.kind === 'time')) return unchecked;
      return out;
    }
    case 'json':
      if (a.family === 'char' || a.family === 'text') return [{ kind: 'json' }];
      return unchecked;
    case 'other':
      return a.family === 'other' && a.name === b.name ? [] : unchecked;
  }
}
