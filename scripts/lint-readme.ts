/**
 * Writes the README's lint rule list from the registry (src/lint/registry.ts), between its
 * markers. `--check` only compares, and exits 1 when the README is out of date (the unit test
 * test/unit/lint/registry.test.ts does the same, so the list cannot drift).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rulesMarkdown, withRules } from '../src/lint/docs.js';
import { CHECKS } from '../src/lint/registry.js';

const file = fileURLToPath(new URL('../README.md', import.meta.url));
const readme = readFileSync(file, 'utf8');
const updated = withRules(readme, rulesMarkdown(CHECKS));
if (updated === undefined) {
  process.stderr.write('README.md has no lint-rules markers: add them to its Lint section\n');
  process.exit(2);
}
if (process.argv.includes('--check')) {
  process.stdout.write(updated === readme ? 'README.md: the lint rule list is up to date\n' : 'README.md: the lint rule list is out of date; run npx tsx scripts/lint-readme.ts\n');
  process.exit(updated === readme ? 0 : 1);
}
if (updated !== readme) writeFileSync(file, updated);
process.stdout.write(`README.md: ${CHECKS.length} checks listed\n`);
