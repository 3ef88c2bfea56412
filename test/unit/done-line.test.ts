import { describe, expect, it } from 'vitest';
import { checksumPart, migrationDoneLine } from '../../src/status/done-line.js';

const counters = { rowsCopied: 1000, rowsCopiedBefore: 0, eventsApplied: 42, verifyStartedAtMs: 10_000, verifyEndedAtMs: 11_450, verifyChunks: 3, verifyRepairs: 0, verifySkipped: undefined };

describe('the Done line', () => {
  it('one table: copy, apply, checksum, lock time, old table dropped', () => {
    expect(migrationDoneLine({ migrated: ['app.users'], elapsedMs: 12_345, state: counters, lockMs: 9, childrenNote: '', oldTables: ['_users_del'], oldDropped: true })).toBe(
      'Done: app.users migrated in 12.3s; rows copied: 1000, binlog events applied: 42; checksum equal (3 chunks, 0 repaired, 1.4s); original table locked for 9 ms at cut-over; old table dropped.',
    );
  });

  it('several tables after a resume, checksum skipped, old tables kept', () => {
    const state = { ...counters, rowsCopiedBefore: 400, verifyStartedAtMs: undefined, verifyEndedAtMs: undefined, verifySkipped: '--no-checksum' };
    expect(migrationDoneLine({ migrated: ['app.a', 'app.b'], elapsedMs: 500, state, lockMs: 17, childrenNote: '', oldTables: ['_a_del', '_b_del'], oldDropped: false })).toBe(
      'Done: app.a, app.b migrated in 0.5s; rows copied: 1000 (400 of them before the resume), binlog events applied: 42; checksum skipped (--no-checksum); ' +
        'original tables locked for 17 ms at cut-over, swapped in one RENAME; old tables kept as _a_del, _b_del.',
    );
  });

  it('says when the lock time is unknown, and passes the foreign-key note through', () => {
    const line = migrationDoneLine({ migrated: ['app.t'], elapsedMs: 1000, state: counters, lockMs: undefined, childrenNote: 'child keys rebuilt on app.c; ', oldTables: ['_t_del'], oldDropped: false });
    expect(line).toContain('lock time unknown (the connection was lost during the cut-over); child keys rebuilt on app.c; old table kept as _t_del.');
  });

  it("a revert's checksum part has no time", () => {
    expect(checksumPart(counters, { seconds: false })).toBe('checksum equal (3 chunks, 0 repaired); ');
    expect(checksumPart({ ...counters, verifyEndedAtMs: undefined }, { seconds: false })).toBe('');
  });
});
