import { describe, expect, it } from 'vitest';
import { sampleRows } from '../../../src/lint/live/size.js';
import type { AlgorithmTrial, TableSize } from '../../../src/lint/live/trial.js';
import { bytes, count, duration } from '../../../src/lint/quantities.js';
import { copyEstimate } from '../../../src/lint/rules/copy-estimate.js';
import { findings } from './helpers.js';

const copy: AlgorithmTrial = { outcome: { kind: 'accepted', algorithm: 'COPY', lock: undefined }, refusals: [] };
const size: TableSize = { rows: 12_000_000, dataBytes: 3 * 1024 ** 3, indexBytes: 512 * 1024 ** 2, sample: { kind: 'measured', rows: 2000, ms: 250 } };

describe('copy-estimate', () => {
  it('scales the measured sample to the table, and says how much disk the copy needs', async () => {
    expect((await findings(copyEstimate, 'ALTER TABLE users MODIFY c BIGINT', { trial: copy, size })).map((f) => f.message)).toEqual([
      "users: ~12,000,000 rows, 3.0 GB of data and 512.0 MB of indexes; oschange's copy would take about 25 min on a quiet server (a sample of 2,000 rows copied in 250 ms); it needs about 3.5 GB of free disk for the copy, plus the binary logs it writes",
    ]);
  });
  it('says there is no copy when the server does it instantly, and why there is no estimate when the sample was skipped', async () => {
    const instant: AlgorithmTrial = { outcome: { kind: 'accepted', algorithm: 'INSTANT', lock: undefined }, refusals: [] };
    expect((await findings(copyEstimate, 'ALTER TABLE users ADD c INT', { trial: instant, size }))[0]?.message).toBe('users: ~12,000,000 rows, 3.0 GB of data and 512.0 MB of indexes; no copy: the server does this ALTER instantly');
    const skipped: TableSize = { ...size, sample: { kind: 'skipped', reason: 'the sample copy failed: boom' } };
    expect((await findings(copyEstimate, 'ALTER TABLE users MODIFY c BIGINT', { trial: copy, size: skipped }))[0]?.message).toBe(
      'users: ~12,000,000 rows, 3.0 GB of data and 512.0 MB of indexes; it needs about 3.5 GB of free disk for the copy, plus the binary logs it writes; no time estimate (the sample copy failed: boom)',
    );
  });
  it('stays silent without a measurement, or when the server refuses the ALTER', async () => {
    expect(await findings(copyEstimate, 'ALTER TABLE users MODIFY c BIGINT', { trial: copy })).toEqual([]);
    expect(await findings(copyEstimate, 'ALTER TABLE users MODIFY c BIGINT', { trial: { outcome: { kind: 'refused', error: 'x' }, refusals: [] }, size })).toEqual([]);
  });
  it('samples about 16 MB of rows, 100 to 2,000 of them', () => {
    expect([sampleRows(0), sampleRows(100), sampleRows(10_000), sampleRows(1_000_000)]).toEqual([2000, 2000, 1677, 100]);
  });
  it('reads numbers as a person would', () => {
    expect([count(1234567), count(12345678901234567890n), bytes(512), bytes(1536), bytes(5 * 1024 ** 4)]).toEqual(['1,234,567', '12,345,678,901,234,567,890', '512 B', '1.5 KB', '5.0 TB']);
    expect([duration(400), duration(42_000), duration(30 * 60_000), duration(200 * 60_000), duration(179.9 * 60_000)]).toEqual(['under a second', 'about 42 s', 'about 30 min', 'about 3 h 20 min', 'about 3 h']);
  });
});
