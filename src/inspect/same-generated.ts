import { quoteId } from '../sql/quote.js';
import type { Column, TableInfo } from './table-info.js';

const lower = (s: string): string => s.toLowerCase();

/** The same type, charset and collation: a value reads back with the same bytes from both. */
function sameDefinition(a: Column, b: Column): boolean {
  return a.columnType === b.columnType && a.charset === b.charset && a.collation === b.collation;
}

/**
 * The generated columns the ALTER keeps that hold the same values in both tables, so their values
 * can identify a row in either (docs/design.md, "The shared key"): the ghost's column is generated
 * the same way (the same storage, and the same expression as the server prints it — the ghost is made
 * on the same server, with CREATE TABLE … LIKE), has the same type, charset and collation, and every
 * column the expression reads keeps its type, charset and collation (a generated one, recursively).
 *
 * The columns an expression reads are found as quoted names in its text: both flavors print every
 * column reference in backticks (MySQL `(`a` * 2)`, MariaDB `` `a` * 2 ``). A name that only occurs
 * inside a string literal makes the test stricter, never looser; the checksum compares the key's
 * generated values as well (src/verify/comparison.ts).
 */
export function sameGeneratedColumns(
  original: TableInfo,
  ghost: TableInfo,
  /** Every original column the ALTER keeps, generated or not, with its ghost column. */
  kept: readonly { readonly from: string; readonly to: string }[],
): { from: string; to: string }[] {
  const originalByName = new Map(original.columns.map((c) => [lower(c.name), c]));
  const ghostByName = new Map(ghost.columns.map((c) => [lower(c.name), c]));
  const keptAs = new Map(kept.map((k) => [lower(k.from), k.to]));
  const memo = new Map<string, boolean>();
  const same = (name: string): boolean => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    // Generated columns cannot read each other in a circle; this only guards the recursion.
    memo.set(name, false);
    const a = originalByName.get(name);
    const to = keptAs.get(name);
    const b = to === undefined ? undefined : ghostByName.get(lower(to));
    let result = a !== undefined && b !== undefined && sameDefinition(a, b) && a.generated === b.generated;
    if (result && a !== undefined && b !== undefined && a.generated) {
      const ga = a.generation;
      const gb = b.generation;
      result = ga !== undefined && gb !== undefined && ga.storage === gb.storage && ga.expression === gb.expression;
      const text = lower(ga?.expression ?? '');
      for (const c of original.columns) {
        if (!result) break;
        if (lower(c.name) !== name && text.includes(lower(quoteId(c.name)))) result = same(lower(c.name));
      }
    }
    memo.set(name, result);
    return result;
  };
  return kept.filter((k) => originalByName.get(lower(k.from))?.generated === true && same(lower(k.from))).map((k) => ({ from: k.from, to: k.to }));
}
