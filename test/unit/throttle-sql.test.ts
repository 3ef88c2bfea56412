import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../src/db/flavor.js';
import { endReadOnlyTransaction, startReadOnlyTransaction, throttleSessionLimits } from '../../src/sql/throttle.js';

describe('throttle session SQL', () => {
  it('limits statements and lock waits on MySQL (max_execution_time, ms)', () => {
    expect(throttleSessionLimits(parseServerVersion('9.7.0'), { statementMs: 3000, lockWaitSeconds: 5 })).toEqual([
      { sql: 'SET SESSION lock_wait_timeout = ?', params: [5] },
      { sql: 'SET SESSION max_execution_time = ?', params: [3000] },
    ]);
  });
  it('limits statements and lock waits on MariaDB (max_statement_time, seconds)', () => {
    expect(throttleSessionLimits(parseServerVersion('10.11.14-MariaDB-0+deb12u2'), { statementMs: 2500, lockWaitSeconds: 4.5 })).toEqual([
      { sql: 'SET SESSION lock_wait_timeout = ?', params: [5] },
      { sql: 'SET SESSION max_statement_time = ?', params: [2.5] },
    ]);
  });
  it('limits only lock waits when asked for no statement limit (the replicas\' lag reads)', () => {
    expect(throttleSessionLimits(parseServerVersion('9.7.0'), { lockWaitSeconds: 5 })).toEqual([{ sql: 'SET SESSION lock_wait_timeout = ?', params: [5] }]);
  });
  it('runs the throttle query in a read-only transaction', () => {
    expect(startReadOnlyTransaction()).toEqual({ sql: 'START TRANSACTION READ ONLY', params: [] });
    expect(endReadOnlyTransaction()).toEqual({ sql: 'ROLLBACK', params: [] });
  });
});
