import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { GHOST_FLAGS } from '../../src/cli/gh-ost-compat.js';
import { ghostFlagsMarkdown, withGhostFlags } from '../../src/cli/gh-ost-docs.js';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';

/** gh-ost's flags as its --help lists them (test/fixtures/gh-ost-flags.txt): name, and the kind of value it takes. */
const GHOST = readFileSync(join(import.meta.dirname, '../fixtures/gh-ost-flags.txt'), 'utf8')
  .split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => {
    const [name, kind] = l.split(' ');
    return { name: name as string, kind: kind ?? '' };
  });

const SAMPLE: Readonly<Record<string, string>> = {
  int: '5', uint: '5', float: '0.5', string: 'x', value: 'a=b',
};
const VALUES: Readonly<Record<string, string>> = {
  'max-load': 'Threads_running=25', 'critical-load': 'Threads_running=100', 'throttle-control-replicas': '127.0.0.1:3307', 'assume-master-host': 'db2:3306',
  'cut-over': 'atomic', 'throttle-http': 'http://127.0.0.1:9/', 'throttle-query': 'SELECT 0', 'serve-socket-file': '/tmp/x.sock', 'replica-server-id': '12345',
  'chunk-size': '1000', 'dml-batch-size': '50', 'max-lag-millis': '1500', 'nice-ratio': '0.5', 'heartbeat-interval-millis': '100',
};
const base = ['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN c INT'];
/** Handled by the top-level command (src/cli/main.ts), not by the migration's options. */
const TOP_LEVEL = new Set(['help', 'version']);

function parse(argv: readonly string[]) {
  const raw = migrationFlags(yargs([...argv])).strict().exitProcess(false).fail((msg: string | null, err: Error | undefined) => {
    throw err ?? new Error(msg ?? 'bad usage');
  }).parseSync();
  return parseMigrationOptions(raw, { env: {}, readFile: () => '' });
}

describe("gh-ost's whole command line", () => {
  it('lists every gh-ost flag (a fixture taken from its --help)', () => {
    expect(GHOST.length).toBeGreaterThan(100);
  });

  it.each(GHOST.filter((f) => !TOP_LEVEL.has(f.name)).map((f) => [f.name, f] as const))('--%s is taken, never "Unknown argument"', (_n, f) => {
    const given = base.includes(`--${f.name}`) ? [] : [`--${f.name}`, ...(f.kind === '' ? [] : [VALUES[f.name] ?? SAMPLE[f.kind] ?? 'x'])];
    const argv = [...base, ...given];
    const result = parse(argv);
    const rule = GHOST_FLAGS.get(f.name);
    if (rule?.kind === 'noted') {
      expect('config' in result && result.config.notes).toContain(`--${f.name} (gh-ost): ${rule.why}`);
    } else if (rule?.kind === 'refused') {
      expect('errors' in result && result.errors).toContain(`--${f.name} (gh-ost) is not taken: ${rule.why}`);
    } else if ('errors' in result) {
      // oschange's own flag: a value of the wrong form may be refused, but never as unknown.
      for (const e of result.errors) expect(e).not.toMatch(/unknown/i);
    }
  });

  it('refuses a flag given twice with one line, not a crash', () => {
    // A second --table is a second table (several tables, one cut-over), which needs its own --alter.
    expect(parse([...base, '--table', 'orders'])).toEqual({ errors: ['--table is given 2 times and --alter 1: give one --alter after each --table'] });
    expect(parse([...base, '--database', 'other'])).toEqual({ errors: ['--database is given 2 times: give it once'] });
  });

  it('are all in the README\'s table (npx tsx scripts/gh-ost-flags-readme.ts writes it)', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(withGhostFlags(readme, ghostFlagsMarkdown(GHOST.map((f) => f.name)))).toBe(readme);
  });

  it('reads --checkpoint-seconds as --checkpoint-interval-seconds', () => {
    const r = parse([...base, '--checkpoint-seconds', '7']);
    expect('config' in r && r.config.checkpointIntervalMs).toBe(7000);
  });

  it('explains every flag it does not take under gh-ost\'s name in one line', () => {
    for (const [name, f] of GHOST_FLAGS) {
      expect(GHOST.map((g) => g.name)).toContain(name);
      if (f.kind !== 'same') expect(f.why).not.toMatch(/\n/);
    }
  });
});
