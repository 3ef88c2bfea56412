import type { TableChange } from '../config.js';

/**
 * `--table a --alter "…" --table b --alter "…"`: the tables of one run and each one's change, paired
 * in the order given (yargs gives an array for a flag given more than once). Problems go to `errors`.
 */
export function readTableChanges(raw: { readonly table?: string | readonly string[] | undefined; readonly alter?: string | readonly string[] | undefined }, errors: string[]): TableChange[] {
  const list = (v: string | readonly string[] | undefined): readonly string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : v);
  const tables = list(raw.table);
  const alters = list(raw.alter);
  const noTable = tables.length === 0 || tables.every((t) => t.trim() === '');
  const noAlter = alters.length === 0 || alters.every((a) => a.trim() === '');
  if (noTable) errors.push('--table is required');
  if (noAlter) errors.push('--alter is required');
  if (noTable || noAlter) return [{ table: tables[0] ?? '', alter: alters[0] ?? '' }];
  if (tables.length !== alters.length) {
    errors.push(`--table is given ${tables.length} times and --alter ${alters.length}: give one --alter after each --table`);
    return [{ table: tables[0] ?? '', alter: alters[0] ?? '' }];
  }
  for (const [i, t] of tables.entries()) if (t.trim() === '') errors.push(`--table number ${i + 1} is empty`);
  for (const [i, a] of alters.entries()) if (a.trim() === '') errors.push(`--alter number ${i + 1} (for ${tables[i] ?? ''}) is empty`);
  return tables.map((table, i) => ({ table, alter: alters[i] ?? '' }));
}

/**
 * What several tables in one cut-over cannot be combined with, refused before anything connects
 * (docs/design.md, "Several tables in one cut-over"); each message names the way that works.
 */
export function checkSeveral(
  changes: readonly TableChange[],
  raw: { readonly resume?: boolean | undefined; readonly 'keep-reverse-sync'?: string | undefined; readonly 'force-kill-blockers-after'?: number | undefined },
  errors: string[],
): void {
  if (changes.length < 2) return;
  const seen = new Set<string>();
  for (const c of changes) {
    const key = c.table.toLowerCase();
    if (seen.has(key)) errors.push(`${c.table} is named twice: give each table once (one ALTER can hold several changes, separated by commas)`);
    seen.add(key);
  }
  const refused: [boolean, string][] = [
    [raw.resume === true, '--resume (several tables keep no checkpoint: a stopped run starts over with --initially-drop-ghost-table)'],
    [raw['keep-reverse-sync'] !== undefined, '--keep-reverse-sync (a revert swaps one table back)'],
    [raw['force-kill-blockers-after'] !== undefined, '--force-kill-blockers-after (the shared cut-over does not kill blockers yet)'],
  ];
  for (const [given, what] of refused) if (given) errors.push(`several tables in one cut-over cannot be combined with ${what}; migrate the tables one by one for it`);
}
