import { describe, expect, it } from 'vitest';
import { readInput } from '../../../src/lint/inputs.js';
import { LINT_IDS } from '../../../src/lint/registry.js';
import { parseLintConfig, withDisabled } from '../../../src/lint/settings.js';

describe('the lint config file', () => {
  it('reads disabled rules and changed severities', () => {
    const parsed = parseLintConfig('{"disable": ["timestamp-2038"], "severity": {"float-for-money": "error"}}', '.oschange-lint.json', LINT_IDS);
    expect(parsed).toEqual({ settings: { disabled: new Set(['timestamp-2038']), severity: new Map([['float-for-money', 'error']]) } });
  });
  it('reports every problem at once: unknown keys and rules, bad severities, bad JSON', () => {
    expect(parseLintConfig('{"disabled": [], "disable": ["no-such"], "severity": {"drop-column": "fatal"}}', 'f.json', LINT_IDS)).toEqual({
      errors: [
        'f.json: unknown key "disabled" (expected "disable" and "severity")',
        `f.json: "disable" names "no-such", which is not a rule (${LINT_IDS.join(', ')})`,
        'f.json: "severity" of drop-column must be error, warning, info (got "fatal")',
      ],
    });
    expect(parseLintConfig('{', 'f.json', LINT_IDS)).toMatchObject({ errors: [expect.stringMatching(/^f\.json: not valid JSON/)] });
    expect(parseLintConfig('[]', 'f.json', LINT_IDS)).toEqual({ errors: ['f.json: expected an object like {"disable": […], "severity": {…}}'] });
  });
  it('adds --disable to the file’s choices', () => {
    expect(withDisabled({ disabled: new Set(['a-b']), severity: new Map() }, 'drop-column, timestamp-2038', LINT_IDS)).toEqual({ settings: { disabled: new Set(['a-b', 'drop-column', 'timestamp-2038']), severity: new Map() } });
    expect(withDisabled({ disabled: new Set(), severity: new Map() }, 'drop-colum', LINT_IDS)).toMatchObject({ errors: [expect.stringMatching(/^--disable: "drop-colum" is not a rule/)] });
  });
});

describe('what lint reads', () => {
  it('one ALTER for a table, as a migration takes it', () => {
    expect(readInput({ kind: 'alter', table: 'users', alter: 'DROP COLUMN c' }, () => '')).toMatchObject({
      batch: [{ statement: { kind: 'alter', form: 'clause', table: { database: undefined, name: 'users' } }, text: 'ALTER TABLE users DROP COLUMN c', file: undefined, line: 1 }],
    });
    expect(readInput({ kind: 'alter', table: 'users', alter: 'ALTER TABLE other DROP c' }, () => '')).toEqual({ errors: ['--alter names table other, but --table is users'] });
  });
  it('files, naming the file and line of every statement it cannot read, all at once', () => {
    const files: Record<string, string> = { 'a.sql': 'ALTER TABLE t ADD c INT;\nALTER TABLE t ADD COLUMN;\n', 'b.sql': "SELECT 'x" };
    expect(readInput({ kind: 'files', files: ['a.sql', 'b.sql', 'c.sql'] }, (f) => {
      const text = files[f];
      if (text === undefined) throw new Error('ENOENT: no such file');
      return text;
    })).toEqual({
      errors: ['a.sql:2: cannot read "ALTER TABLE t ADD COLUMN": "ADD COLUMN": expected a column name at its end', "b.sql: line 1: a string opened here (') is never closed", 'c.sql: cannot read it (ENOENT: no such file)'],
    });
  });
  it('statements given on the command line', () => {
    const r = readInput({ kind: 'statement', sql: 'ALTER TABLE t ADD c INT; DROP TABLE u' }, () => '');
    expect('batch' in r && r.batch.map((s) => [s.statement.kind, s.line, s.file])).toEqual([
      ['alter', 1, undefined],
      ['drop-table', 1, undefined],
    ]);
  });
});
