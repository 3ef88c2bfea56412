import { GHOST_FLAGS } from './gh-ost-compat.js';

const BEGIN = '<!-- gh-ost-flags:begin -->';
const END = '<!-- gh-ost-flags:end -->';

/** The README's table of every gh-ost flag and what oschange does with it. */
export function ghostFlagsMarkdown(flags: readonly string[]): string {
  const rows = [...flags].sort().map((name) => {
    const f = GHOST_FLAGS.get(name);
    const what = f === undefined ? 'the same flag' : f.kind === 'same' ? `the same as \`--${f.as}\`` : f.kind === 'noted' ? `accepted: ${f.why}` : `refused: ${f.why}`;
    return `| \`--${name}\` | ${what.replaceAll('|', '\\|')} |`;
  });
  return ['| gh-ost flag | in oschange |', '| --- | --- |', ...rows].join('\n');
}

/** The README with the table between its markers replaced, or undefined when it has no markers. */
export function withGhostFlags(readme: string, table: string): string | undefined {
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) return undefined;
  return `${readme.slice(0, a + BEGIN.length)}\n${table}\n${readme.slice(b)}`;
}
