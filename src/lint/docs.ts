import type { Check } from './check.js';

export const RULES_BEGIN = '<!-- lint-rules:begin — generated from src/lint/registry.ts by `npx tsx scripts/lint-readme.ts`; do not edit by hand -->';
export const RULES_END = '<!-- lint-rules:end -->';

/** Where a check runs: before every migration, in oschange lint (with or without a server), in the --execute gate. */
function where(c: Check): string {
  switch (c.scope) {
    case 'server':
      return 'every migration';
    case 'table':
    case 'data':
      return 'every migration; lint with a server';
    case 'statement':
      return c.needsServer === true ? 'lint with a server; the gate' : 'lint; the gate';
    case 'live':
      return c.lintOnly === true ? 'lint with a server' : 'lint with a server; the gate';
  }
}

/** The rule list of the README's Lint section, from the registry: one row per check, in its order. */
export function rulesMarkdown(checks: readonly Check[]): string {
  const rows = checks.map((c) => {
    return `| \`${c.id}\` | ${c.severity ?? 'error'} | ${where(c)} | ${c.describe} |`;
  });
  return ['| id | severity (at most) | runs in | what it finds |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The README with its rule list replaced by `list`; undefined when the markers are missing. */
export function withRules(readme: string, list: string): string | undefined {
  const begin = readme.indexOf(RULES_BEGIN);
  const end = readme.indexOf(RULES_END);
  if (begin < 0 || end < begin) return undefined;
  return `${readme.slice(0, begin + RULES_BEGIN.length)}\n${list}\n${readme.slice(end)}`;
}
