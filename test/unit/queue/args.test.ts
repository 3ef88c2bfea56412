import { describe, expect, it } from 'vitest';
import { queuedConfig, storedArgs } from '../../../src/queue/args.js';
import { formatList } from '../../../src/cli/queue-command.js';
import type { MigrationRecord } from '../../../src/queue/history.js';

describe('what a queued migration stores', () => {
  it('its own flags as typed, never where to connect, a password, or what the runner decides', () => {
    expect(
      storedArgs([
        '--host', 'db1', '--port=3307', '--user', 'ops', '--password', 'secret', '--ssl', '--ssl-ca', '/ca.pem', '--ask-pass', 'false',
        '--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT', '--execute', '--resume', '--window', '0 1 * * *',
        '--window-duration', '4h', '--history-schema', 'ops', '--requested-by', 'ann', '--no-history', '--metrics-port', '9105', '--chunk-size=500',
      ]),
    ).toEqual(['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT', '--window', '0 1 * * *', '--window-duration', '4h', '--chunk-size=500']);
  });

  it('is read back by the migration\'s own parser, with the runner\'s connection and --execute', () => {
    const connection = { host: '10.0.0.1', port: 3306, user: 'runner', password: 'pw' };
    const r = queuedConfig({ id: 7, args: ['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT', '--window', '0 1 * * *', '--window-duration', '4h', '--window-tz', 'UTC'], connection, assumeMasterHost: undefined, historySchema: 'ops', resume: true });
    if ('errors' in r) throw new Error(r.errors.join('; '));
    expect(r.config).toMatchObject({ connection, database: 'app', table: 'users', alter: 'ADD COLUMN x INT', execute: true, resume: true, historySchema: 'ops', metricsPort: undefined, progress: 'plain' });
    // Queued migrations running side by side each read the binlog under their own server id.
    expect(r.config.replicaServerId).toBe(99999 + 7);
    const own = queuedConfig({ id: 7, args: ['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT', '--replica-server-id', '5000'], connection, assumeMasterHost: undefined, historySchema: 'ops', resume: false });
    expect('config' in own && own.config.replicaServerId).toBe(5000);
    // An earlier attempt killed before its first checkpoint left empty tables: the next one starts over.
    const over = queuedConfig({ id: 7, args: ['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT'], connection, assumeMasterHost: undefined, historySchema: 'ops', resume: false, startOver: true });
    expect('config' in over && [over.config.resume, over.config.initiallyDropGhostTable]).toEqual([false, true]);
    expect(r.config.windows.copy).toEqual([{ cron: '0 1 * * *', durationMs: 4 * 3_600_000, timeZone: 'UTC' }]);
    expect(queuedConfig({ id: 7, args: ['--database', 'app', '--table', 'users', '--alter', 'x', '--chunk-size', '1'], connection, assumeMasterHost: undefined, historySchema: 'ops', resume: false })).toEqual({
      errors: ['--chunk-size must be a whole number from 10 to 1000000 (got 1)'],
    });
  });
});

describe('queue list', () => {
  const base: MigrationRecord = {
    id: 3, database: 'app', table: 'users', alter: 'ADD COLUMN x INT', args: [], source: 'queue', requestedBy: 'ann@h', state: 'failed', notBefore: null,
    cancelRequested: false, attempts: 1, runner: 'h:1', createdAt: '2026-12-01 01:00:00.000000', startedAt: '2026-12-01 01:00:01.000000',
    finishedAt: '2026-12-01 01:00:09.000000', updatedAt: '2026-12-01 01:00:09.000000', rowsCopied: 1200, rowsEstimate: 1200, lockMs: null, checksum: null, error: 'VERIFY_MISMATCH …',
  };
  it('aligns columns and puts the ALTER and the error under each row', () => {
    expect(formatList([base, { ...base, id: 2, state: 'succeeded', lockMs: 12, checksum: 'equal (1 chunks, 0 repaired)', error: null }])).toEqual([
      'ID  STATE      TABLE      SOURCE  REQUESTED BY  CREATED (UTC)        STARTED              FINISHED             ROWS  LOCK MS  CHECKSUM',
      '3   failed     app.users  queue   ann@h         2026-12-01 01:00:00  2026-12-01 01:00:01  2026-12-01 01:00:09  1200  -        -',
      '    alter: ADD COLUMN x INT',
      '    error: VERIFY_MISMATCH …',
      '2   succeeded  app.users  queue   ann@h         2026-12-01 01:00:00  2026-12-01 01:00:01  2026-12-01 01:00:09  1200  12       equal (1 chunks, 0 repaired)',
      '    alter: ADD COLUMN x INT',
    ]);
    expect(formatList([])).toEqual(['queue: no migrations recorded']);
  });
});
