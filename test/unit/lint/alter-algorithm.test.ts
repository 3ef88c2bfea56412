import { describe, expect, it } from 'vitest';
import { alterAlgorithm } from '../../../src/lint/rules/alter-algorithm.js';
import type { AlgorithmTrial } from '../../../src/lint/live/trial.js';
import { trialForms } from '../../../src/lint/live/trial.js';
import { findings, MARIADB, MYSQL } from './helpers.js';

const accepted = (algorithm: 'INSTANT' | 'NOCOPY' | 'INPLACE' | 'COPY', lock: 'NONE' | 'SHARED' | undefined, refusals: AlgorithmTrial['refusals'] = []): AlgorithmTrial => ({ outcome: { kind: 'accepted', algorithm, lock }, refusals });
const SQL = 'ALTER TABLE users MODIFY c BIGINT';

describe('alter-algorithm', () => {
  it('says what the server does, from the trial on the empty copy', async () => {
    expect((await findings(alterAlgorithm, SQL, { trial: accepted('INSTANT', undefined) })).map((f) => `${f.severity} ${f.message}`)).toEqual([
      'info MySQL 9.7.4 does this ALTER of users instantly (ALGORITHM=INSTANT: metadata only, no row is rewritten)',
    ]);
    const inplace = accepted('INPLACE', 'NONE', [{ tried: 'ALGORITHM=INSTANT', reason: 'ALGORITHM=INSTANT is not supported. Reason: ADD INDEX. Try ALGORITHM=NOCOPY' }]);
    expect((await findings(alterAlgorithm, SQL, { trial: inplace, version: MARIADB })).map((f) => `${f.severity} ${f.message}`)).toEqual([
      'info MariaDB 10.11.19 does this ALTER of users in place, writes continuing (ALGORITHM=INPLACE, LOCK=NONE); not instantly: ADD INDEX',
    ]);
    const copy = accepted('COPY', undefined, [{ tried: 'ALGORITHM=INSTANT', reason: 'ALGORITHM=INSTANT is not supported. Reason: Cannot change column type INPLACE. Try ALGORITHM=COPY.' }]);
    const [f] = await findings(alterAlgorithm, SQL, { trial: copy, database: 'app' });
    expect(f).toMatchObject({
      severity: 'warning',
      code: 'ALGORITHM_BLOCKS_WRITES',
      message: 'MySQL 9.7.4 does this ALTER of users only by copying the table while blocking writes (ALGORITHM=COPY); not instantly: Cannot change column type INPLACE',
      steps: ['Run it with oschange: oschange --database app --table users --alter "MODIFY c BIGINT" --execute'],
    });
    expect((await findings(alterAlgorithm, SQL, { trial: accepted('INPLACE', 'SHARED') }))[0]?.code).toBe('ALGORITHM_BLOCKS_WRITES');
  });
  it('is an error when the server refuses the ALTER whatever the algorithm', async () => {
    expect(await findings(alterAlgorithm, SQL, { trial: { outcome: { kind: 'refused', error: "Unknown column 'c' in 'users'" }, refusals: [] } })).toMatchObject([
      { severity: 'error', code: 'ALTER_REFUSED', message: "MySQL 9.7.4 refuses this ALTER of users: Unknown column 'c' in 'users'" },
    ]);
  });
  it('stays silent without a trial (no server, or a migration’s gate) and for statements that are no ALTER', async () => {
    expect(await findings(alterAlgorithm, SQL)).toEqual([]);
    expect(await findings(alterAlgorithm, 'DROP TABLE t', { trial: accepted('INSTANT', undefined) })).toEqual([]);
  });
  it('tries the fastest form first, with NOCOPY on MariaDB only', () => {
    expect(trialForms(MYSQL).map((f) => `${f.algorithm}/${f.lock ?? '-'}`)).toEqual(['INSTANT/-', 'INPLACE/NONE', 'INPLACE/SHARED', 'COPY/-']);
    expect(trialForms(MARIADB).map((f) => `${f.algorithm}/${f.lock ?? '-'}`)).toEqual(['INSTANT/-', 'NOCOPY/NONE', 'INPLACE/NONE', 'INPLACE/SHARED', 'COPY/-']);
  });
});
