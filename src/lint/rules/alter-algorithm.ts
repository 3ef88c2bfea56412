import { describeVersion } from '../../db/flavor.js';
import { oschangeRun, tableRef } from '../advice.js';
import type { Check, LiveContext } from '../check.js';
import type { AlgorithmTrial } from '../live/trial.js';
import { actionsWithoutAlgorithm, finding } from './common.js';

/**
 * What this server does with the ALTER, found by trying it on an empty copy of the table
 * (src/lint/live/): INSTANT (metadata only), in place without blocking writes, in place blocking
 * writes, or a full copy that blocks writes. Info for the online forms; warning when a plain ALTER
 * would block writes (oschange's copy does not); error when the server refuses the ALTER outright.
 */
export const alterAlgorithm: Check = {
  id: 'alter-algorithm',
  scope: 'live',
  severity: 'error',
  needsServer: true,
  lintOnly: true,
  describe: 'what the server does with the ALTER (instant, in place, or a blocking copy), tried on an empty copy of the table',
  async run(ctx) {
    const s = ctx.item.statement;
    if (ctx.trial === undefined || s.kind !== 'alter') return [];
    const server = describeVersion(ctx.version);
    const table = tableRef(s.table);
    const run = oschangeRun({ table: s.table, database: ctx.database, alter: actionsWithoutAlgorithm(s.alter) });
    const o = ctx.trial.outcome;
    if (o.kind === 'refused') {
      return [finding(this.id, 'error', 'ALTER_REFUSED', `${server} refuses this ALTER of ${table}: ${o.error}`, 'It fails the same way on the table itself, and oschange stops before copying anything.', ['Fix the statement, then lint it again.'])];
    }
    const why = whyNotFaster(ctx.trial);
    switch (o.algorithm) {
      case 'INSTANT':
        return [
          finding(
            this.id,
            'info',
            'ALGORITHM_INSTANT',
            `${server} does this ALTER of ${table} instantly (ALGORITHM=INSTANT: metadata only, no row is rewritten)`,
            'An instant ALTER still needs an exclusive metadata lock for a moment: it waits behind any long transaction on the table, and queries queue behind it meanwhile.',
            [`oschange does it this way first, waiting at most 1 s for the lock, and copies online when it cannot get it: ${run}`],
          ),
        ];
      case 'NOCOPY':
      case 'INPLACE':
        if (o.lock === 'NONE') {
          return [
            finding(
              this.id,
              'info',
              'ALGORITHM_INPLACE',
              `${server} does this ALTER of ${table} in place, writes continuing (ALGORITHM=${o.algorithm}, LOCK=NONE)${why}`,
              "A replica applies the ALTER only after the primary has finished it, and then on its own: it lags by the ALTER's whole duration. oschange's copy throttles on replica lag instead.",
              [`Run it with oschange: ${run}`],
            ),
          ];
        }
        return [blocking(this.id, ctx, `in place, but blocking writes while it runs (ALGORITHM=${o.algorithm}, LOCK=SHARED)${why}`, run)];
      case 'COPY':
        return [blocking(this.id, ctx, `only by copying the table while blocking writes (ALGORITHM=COPY)${why}`, run)];
    }
  },
};

function blocking(id: string, ctx: LiveContext, how: string, run: string) {
  const s = ctx.item.statement;
  const table = s.kind === 'alter' ? tableRef(s.table) : '';
  return finding(
    id,
    'warning',
    'ALGORITHM_BLOCKS_WRITES',
    `${describeVersion(ctx.version)} does this ALTER of ${table} ${how}`,
    'Run as a plain ALTER TABLE it blocks every write to the table until it ends; oschange copies the rows online instead.',
    [`Run it with oschange: ${run}`],
  );
}

/** "; not instantly: <the server's reason>" — what the server said about the fastest form it refused. */
function whyNotFaster(trial: AlgorithmTrial): string {
  const reason = /Reason: (.*)$/s.exec(trial.refusals[0]?.reason ?? '')?.[1];
  if (reason === undefined) return '';
  return `; not instantly: ${reason.replace(/\.?\s*Try ALGORITHM=[\w/]+\.?$/, '').trim()}`;
}
