import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { migrationFlags, parseMigrationOptions } from '../../../src/cli/migration-options.js';
import { blockingLint, isAllowed, refuseUnallowed } from '../../../src/lint/gate.js';
import type { Finding } from '../../../src/lint/finding.js';
import { lint } from '../../../src/lint/lint.js';
import { NO_SETTINGS } from '../../../src/lint/settings.js';
import { statements } from './helpers.js';

const config = (flags: readonly string[]) => {
  const raw = migrationFlags(yargs(['--database', 'app', '--table', 'users', '--alter', 'DROP COLUMN c', ...flags])).strict().parseSync();
  return parseMigrationOptions(raw, { env: {}, readFile: () => '' });
};
const drop: Finding = { check: 'drop-column', severity: 'error', code: 'DROP_COLUMN', message: 'column c of users is dropped' };
const rename: Finding = { check: 'rename-column', severity: 'error', code: 'RENAME_COLUMN', message: 'users.a is renamed to b in one step' };
const warn: Finding = { check: 'timestamp-2038', severity: 'warning', code: 'TIMESTAMP_2038', message: 'x' };

describe('the lint gate of --execute', () => {
  it('--allow takes rule ids, and refuses what is not one', () => {
    const ok = config(['--allow', 'drop-column, add-foreign-key']);
    expect('config' in ok && [...ok.config.allowRules]).toEqual(['drop-column', 'add-foreign-key']);
    expect(config(['--allow', 'drop-columns'])).toEqual({ errors: [expect.stringMatching(/^--allow must be lint rule ids, comma-separated \(got drop-columns: "drop-columns" is not a lint rule; they are not-null-without-default, /)] });
  });
  it('stops at error-level findings the operator has not named, naming them all and the flag', () => {
    const c = config([]);
    if (!('config' in c)) throw new Error('config');
    expect(blockingLint([drop, rename, warn], c.config)).toEqual([drop, rename]);
    expect(() => refuseUnallowed([drop, rename, warn], c.config)).toThrow(
      '[drop-column] column c of users is dropped; [rename-column] users.a is renamed to b in one step. The dry run shows the safe path (and oschange lint --database app --table users --alter "DROP COLUMN c"); to run it as it is, name each rule: --allow drop-column,rename-column',
    );
  });
  it('--allow names a rule; --approve-renamed-columns names rename-column', () => {
    const c = config(['--allow', 'drop-column', '--approve-renamed-columns']);
    if (!('config' in c)) throw new Error('config');
    expect([isAllowed(drop, c.config), isAllowed(rename, c.config)]).toEqual([true, true]);
    expect(() => refuseUnallowed([drop, rename, warn], c.config)).not.toThrow();
  });
});

describe('oschange lint on its own scenarios', () => {
  // Each scenario runs with --execute: every error lint finds in its ALTER must be named in its extra_args.
  const dir = join(import.meta.dirname, '../../scenarios');
  const cases = readdirSync(dir).filter((n) => existsSync(join(dir, n, 'alter')) && !existsSync(join(dir, n, 'expect_failure')));
  it.each(cases)('%s', async (name) => {
    const alter = readFileSync(join(dir, name, 'alter'), 'utf8').trim();
    const table = existsSync(join(dir, name, 'table')) ? readFileSync(join(dir, name, 'table'), 'utf8').trim() : 't';
    const extra = existsSync(join(dir, name, 'extra_args')) ? readFileSync(join(dir, name, 'extra_args'), 'utf8').trim().split(/\s+/) : [];
    const report = await lint({ batch: statements(`ALTER TABLE \`${table}\` ${alter}`), database: 'app', settings: NO_SETTINGS });
    const c = config(extra);
    if (!('config' in c)) throw new Error(c.errors.join('; '));
    expect(blockingLint(report.statements.flatMap((s) => s.findings), c.config).map((f) => f.check)).toEqual([]);
  });
});
