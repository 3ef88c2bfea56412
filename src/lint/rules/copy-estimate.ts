import { tableRef } from '../advice.js';
import type { Check } from '../check.js';
import { bytes, count, duration } from '../quantities.js';
import { finding, sameTable } from './common.js';

/**
 * How big the table is and how long oschange's copy would take, from a sample of its rows copied
 * into an empty altered copy (src/lint/live/size.ts) and timed. Info: a plan, not a problem. The
 * estimate is for a quiet server; load, throttling and a cold buffer pool make the copy longer.
 */
export const copyEstimate: Check = {
  id: 'copy-estimate',
  scope: 'live',
  severity: 'info',
  needsServer: true,
  lintOnly: true,
  describe: "the table's size and how long oschange's copy would take, from a measured sample",
  async run(ctx) {
    const s = ctx.item.statement;
    if (ctx.size === undefined || s.kind !== 'alter' || ctx.trial?.outcome.kind !== 'accepted') return [];
    const z = ctx.size;
    const table = tableRef(s.table);
    const size = `~${count(z.rows)} rows, ${bytes(z.dataBytes)} of data and ${bytes(z.indexBytes)} of indexes`;
    if (ctx.trial?.outcome.kind === 'accepted' && ctx.trial.outcome.algorithm === 'INSTANT') {
      // The size once per table (at its first ALTER); an instant ALTER has no copy to estimate.
      if (ctx.batch.slice(0, ctx.index).some((b) => b.statement.kind === 'alter' && sameTable(b.statement.table, s.table, ctx.database))) return [];
      return [finding(this.id, 'info', 'NO_COPY', `${table}: ${size}; no copy: the server does this ALTER instantly`, 'oschange tries ALGORITHM=INSTANT on the table first.', [])];
    }
    const disk = `it needs about ${bytes(z.dataBytes + z.indexBytes)} of free disk for the copy, plus the binary logs it writes`;
    if (z.sample.kind === 'skipped') {
      return [finding(this.id, 'info', 'COPY_SIZE', `${table}: ${size}; ${disk}; no time estimate (${z.sample.reason})`, 'The copy rewrites every row into a new table.', [])];
    }
    const { rows, ms } = z.sample;
    const estimate = rows === 0 ? 0 : (ms / rows) * Math.max(z.rows, rows);
    return [
      finding(
        this.id,
        'info',
        'COPY_ESTIMATE',
        `${table}: ${size}; oschange's copy would take ${duration(estimate)} on a quiet server (a sample of ${count(rows)} rows copied in ${Math.round(ms)} ms); ${disk}`,
        'The estimate scales a sample copied into an empty copy of the table; load on the server, throttling on replica lag and a cold buffer pool make the real copy longer.',
        [],
      ),
    ];
  },
};
