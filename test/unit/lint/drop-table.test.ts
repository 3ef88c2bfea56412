import { describe, expect, it } from 'vitest';
import { dropTable } from '../../../src/lint/rules/drop-table.js';
import { codes, findings } from './helpers.js';

describe('drop-table', () => {
  it('fires on DROP TABLE, with rename-first, backup and a quiet-hour drop', async () => {
    const [f] = await findings(dropTable, 'DROP TABLE IF EXISTS old_sessions', { database: 'app' });
    expect(f).toEqual({
      check: 'drop-table',
      severity: 'error',
      code: 'DROP_TABLE',
      message: 'table old_sessions is dropped: code that still uses it fails at once, and its rows are gone for good',
      why: 'A dropped table cannot be brought back by a deploy or from the binary log; only a backup restores it.',
      steps: [
        'Deploy code that no longer uses old_sessions.',
        'Check that nothing uses it any more (statement digests, on the primary and each replica): oschange lint --host PRIMARY --database app --statement "DROP TABLE old_sessions"',
        'Rename it first, so that anything still using it fails loudly while the rows are still there: RENAME TABLE old_sessions TO _old_sessions_retired',
        'Keep a copy: mysqldump --single-transaction app old_sessions > old_sessions.sql',
        'After some days without complaint, drop it in a quiet hour (dropping a big table can stall the server for a moment): DROP TABLE _old_sessions_retired',
      ],
    });
  });
  it('names every table of the statement', async () => {
    expect((await findings(dropTable, 'DROP TABLE a, shop.b')).map((f) => f.message)).toEqual([
      'table a is dropped: code that still uses it fails at once, and its rows are gone for good',
      'table shop.b is dropped: code that still uses it fails at once, and its rows are gone for good',
    ]);
  });
  it.each(['DROP TEMPORARY TABLE tmp', 'CREATE TABLE scratch (a INT); DROP TABLE scratch', 'DROP INDEX i ON t', 'DROP VIEW v', 'ALTER TABLE t DROP COLUMN c'])('stays silent: %s', async (sql) => {
    expect(await codes(dropTable, sql)).toEqual([]);
  });
});
