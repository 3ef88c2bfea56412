import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES_BEGIN, RULES_END, rulesMarkdown } from '../../../src/lint/docs.js';
import { CHECKS, LINT_IDS, LINT_RULES } from '../../../src/lint/registry.js';

const root = join(import.meta.dirname, '../../..');

describe('the lint rules in the registry', () => {
  it('are the checks of scopes statement and live, after the checks of every migration', () => {
    expect(LINT_RULES.map((r) => r.id)).toEqual([
      'not-null-without-default', 'rename-column', 'rename-table', 'drop-column', 'drop-table', 'drop-primary-key', 'add-unique-key', 'add-foreign-key', 'narrower-type',
      'key-column-charset', 'combine-alters', 'algorithm-lock-clause', 'float-for-money', 'timestamp-2038', 'alter-algorithm', 'copy-estimate', 'column-still-used', 'pk-near-max',
    ]);
    expect(LINT_IDS).not.toContain('privileges');
  });
  it('each live in a file of their own, with a unit test of their own', () => {
    for (const r of LINT_RULES) {
      expect(existsSync(join(root, 'src/lint/rules', `${r.id}.ts`)), r.id).toBe(true);
      expect(existsSync(join(root, 'test/unit/lint', `${r.id}.test.ts`)), r.id).toBe(true);
      expect(r.describe.length).toBeGreaterThan(20);
    }
  });
  it('are listed in the README exactly as the registry has them (npx tsx scripts/lint-readme.ts writes the list)', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const begin = readme.indexOf(RULES_BEGIN);
    const end = readme.indexOf(RULES_END);
    expect(begin).toBeGreaterThan(0);
    expect(readme.slice(begin + RULES_BEGIN.length, end).trim()).toBe(rulesMarkdown(CHECKS));
  });
});
