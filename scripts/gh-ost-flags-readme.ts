/**
 * Writes the README's table of gh-ost's flags (test/fixtures/gh-ost-flags.txt, taken from gh-ost's
 * --help) and what oschange does with each (src/cli/gh-ost-compat.ts), between its markers. The
 * unit test test/unit/gh-ost-flags.test.ts fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ghostFlagsMarkdown, withGhostFlags } from '../src/cli/gh-ost-docs.js';

const file = fileURLToPath(new URL('../README.md', import.meta.url));
const fixture = fileURLToPath(new URL('../test/fixtures/gh-ost-flags.txt', import.meta.url));
const flags = readFileSync(fixture, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(' ')[0] as string);
const readme = readFileSync(file, 'utf8');
const updated = withGhostFlags(readme, ghostFlagsMarkdown(flags));
if (updated === undefined) {
  process.stderr.write('README.md has no gh-ost-flags markers\n');
  process.exit(2);
}
if (updated !== readme) writeFileSync(file, updated);
process.stdout.write(`README.md: ${flags.length} gh-ost flags listed\n`);
