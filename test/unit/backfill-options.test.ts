import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import type { BackfillConfig } from '../../src/backfill/config.js';
import { backfillDoneLine, backfillStatusLine } from '../../src/backfill/report.js';
import { defaultBackfillSocketPath } from '../../src/backfill/socket-path.js';
import { BackfillState } from '../../src/backfill/state.js';
import { backfillFlags, parseBackfillOptions } from '../../src/cli/backfill-options.js';
import { replyTo } from '../../src/control/commands.js';
import { backfillTarget } from '../../src/control/backfill-target.js';
import { NumericLiteral } from '../../src/sql/literals.js';

const parse = (argv: string[], env: Record<string, string> = {}) =>
  parseBackfillOptions(backfillFlags(yargs(argv)).parseSync(), { env, readFile: () => { throw new Error('ENOENT'); } });

const config = (argv: string[] = []): BackfillConfig => {
  const r = parse(['--database', 'app', '--table', 'users', '--set', "phone = ''", '--where', 'phone IS NULL', '--user', 'u', ...argv], { OSCHANGE_PASSWORD: 'pw' });
  if (!('config' in r)) throw new Error(r.errors.join('; '));
  return r.config;
};

describe('backfill options', () => {
  it('takes the migration\'s defaults but a shorter chunk time: adaptive chunks from 1000 rows toward 25 ms, 1.5 s max lag, a dry run', () => {
    const c = config();
    expect(c).toMatchObject({
      database: 'app', table: 'users', setText: "phone = ''", whereText: 'phone IS NULL', execute: false, resume: false,
      chunkSize: 1000, chunkTimeMs: 25, lockWaitSeconds: 2, countTimeoutMs: 10_000, maxLagMillis: 1500, niceRatio: 0, heartbeatIntervalMs: 100,
    });
    expect(c.connection).toEqual({ host: '127.0.0.1', port: 3306, user: 'u', password: 'pw' });
    expect(c.expressions.set.map((a) => a.column)).toEqual(['phone']);
  });
  it('keeps a --chunk-size given alone fixed, as a migration does', () => {
    expect(config(['--chunk-size', '500'])).toMatchObject({ chunkSize: 500, chunkTimeMs: 0 });
    expect(config(['--chunk-size', '500', '--chunk-time-millis', '250'])).toMatchObject({ chunkSize: 500, chunkTimeMs: 250 });
  });
  it('parses throttling with the migration\'s parsers', () => {
    const c = config(['--max-load', 'Threads_running=25', '--critical-load', 'Threads_running=200', '--throttle-control-replicas', 'r1:3307,r2', '--max-lag-millis', '3000', '--execute', '--resume']);
    expect(c.maxLoad).toEqual(new Map([['Threads_running', 25]]));
    expect(c.criticalLoad).toEqual(new Map([['Threads_running', 200]]));
    expect(c.throttleControlReplicas).toEqual([{ host: 'r1', port: 3307 }, { host: 'r2', port: 3306 }]);
    expect(c).toMatchObject({ maxLagMillis: 3000, execute: true, resume: true });
  });
  it('reports every problem at once, the expressions\' among them', () => {
    expect(parse(['--table', 'users', '--set', 'phone', '--where', 'x; y', '--chunk-size', '5', '--max-lag-millis', '10', '--max-load', 'nonsense', '--nice-ratio', '-1'])).toEqual({
      errors: [
        '--database is required: the database of the table',
        '--set must be column = expression[, column = expression …]; "phone" at character 1 is not (name the column alone, without its table)',
        '--where holds a ";" at character 2: give a single expression, not statements',
        '--nice-ratio must be a number from 0 to 100 (got -1)',
        '--chunk-size must be a whole number from 10 to 1000000 (got 5)',
        '--max-lag-millis must be a whole number from 100 to 3600000 (got 10)',
        expect.stringMatching(/^--max-load must be /),
      ],
    });
  });
  it('requires --set and --where, and says how to update every row', () => {
    expect(parse(['--database', 'app', '--table', 'users'])).toEqual({
      errors: [
        "--set is required: what to set, e.g. --set \"phone = ''\"",
        '--where is required: which rows, e.g. --where "phone IS NULL" (--where "TRUE" for every row)',
      ],
    });
    expect(parse(['--database', 'app', '--table', 'users', '--set', 'a = 1', '--where', 'TRUE', '--where', 'FALSE'])).toEqual({ errors: ['--where is given 2 times: give it once'] });
  });
  it('serves its socket beside the migration\'s', () => {
    expect(defaultBackfillSocketPath('app', 'users')).toBe('/tmp/oschange.app.users.backfill.sock');
    expect(defaultBackfillSocketPath('app', 'we ird')).toMatch(/^\/tmp\/oschange\.app\.we_ird\.[0-9a-f]{8}\.backfill\.sock$/);
    expect(Buffer.byteLength(defaultBackfillSocketPath('d'.repeat(60), 't'.repeat(60)))).toBeLessThanOrEqual(107);
  });
});

describe('backfill status', () => {
  const state = (): BackfillState => {
    const s = new BackfillState({ nowMs: 0, chunkSize: 1000, chunkTimeMs: 100, dmlBatchSize: 1 });
    s.tableRows = 100_000;
    s.matchingAtStart = 40_000;
    s.backfillPhase = 'backfilling';
    s.walkStartedAtMs = 0;
    s.doneUpTo = [new NumericLiteral('12000')];
    s.rowsWalked = 12_000;
    s.rowsMatched = 4800;
    s.rowsChanged = 4790;
    s.chunks = 12;
    s.throttledMs = 1500;
    return s;
  };
  it('prints progress by key, rows matched and changed, time throttled and an ETA', () => {
    expect(backfillStatusLine(state(), ['id'], 6000)).toBe(
      'Backfill: 12000/100000 12.0%; Key: id 12000; Matched: 4800/40000; Changed: 4790; Chunks: 12 (size 1000); Time: 6s(total), 1.5s(throttled); State: backfilling; ETA: 44s',
    );
    const s = state();
    s.throttleReason = 'lag=2.10s on replica 127.0.0.1:3307';
    expect(backfillStatusLine(s, ['id'], 6000)).toContain('; State: throttled, lag=2.10s on replica 127.0.0.1:3307; ');
  });
  it('ends with rows matched, rows changed, chunks, time and time throttled', () => {
    const s = state();
    s.before = { rowsWalked: 5000, chunks: 5, busyMs: 0, throttledMs: 0 };
    expect(backfillDoneLine(s, config(), 65_000)).toBe('Done: app.users backfilled in 1m5s; rows matched: 4800, rows changed: 4790; chunks: 12 (5 of them before the resume); time throttled: 1.5s.');
  });
});

describe('the socket of a backfill', () => {
  it('takes the throttling commands and refuses those of a migration only', async () => {
    const s = new BackfillState({ nowMs: 0, chunkSize: 1000, chunkTimeMs: 25, dmlBatchSize: 1 });
    let panicked: string | undefined;
    const target = backfillTarget({ state: s, config: config(), statusLine: () => 'Backfill: …', onPanic: (r) => (panicked = r) });
    expect(await replyTo('sup', target)).toBe('Backfill: …');
    expect(await replyTo('chunk-size=250', target)).toBe('chunk-size: 1000 → 250');
    expect(s.chunkTimeMs).toBe(0);
    expect(await replyTo('max-lag-millis=3000', target)).toBe('max-lag-millis: 1500 → 3000');
    expect(await replyTo('throttle', target)).toBe('throttle: off → on; "no-throttle" resumes');
    expect(s.commandedThrottle).toBe(true);
    expect((await replyTo('status', target)).split('\n').slice(0, 2)).toEqual(["# Backfilling app.users; SET phone = ''; WHERE phone IS NULL", '# Chunk size: 250; max lag: 3000ms; nice ratio: 0']);
    expect(await replyTo('unpostpone', target)).toBe('ERROR: unpostpone refused: a backfill has no cut-over');
    expect(await replyTo('dml-batch-size=10', target)).toBe('ERROR: dml-batch-size refused: a backfill applies no binlog events');
    expect(await replyTo('coordinates', target)).toBe('ERROR: coordinates refused: a backfill reads no binlog');
    expect(await replyTo('panic', target)).toBe('panic: the migration is being stopped');
    expect(panicked).toBe('panic command');
  });
});
