import { oschangeRun } from '../advice.js';
import type { Check } from '../check.js';
import type { Finding } from '../finding.js';
import { actionsWithoutAlgorithm, createdEarlier, finding } from './common.js';

/**
 * An ALTER with its own ALGORITHM= or LOCK=. oschange chooses how an ALTER runs — ALGORITHM=INSTANT
 * on the table when the server can, else an online copy that throttles on load and replica lag —
 * and when the ALTER names an algorithm or lock it does not try the instant change at all (it
 * would override the operator's choice; src/migration/instant.ts) and applies the clause to its
 * empty ghost table only. Warning: the clause costs the instant path, ALGORITHM=INSTANT makes
 * oschange stop where it would have copied, and the same file run as a plain ALTER with
 * ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE blocks writes for the whole ALTER.
 */
export const algorithmLockClause: Check = {
  id: 'algorithm-lock-clause',
  scope: 'statement',
  severity: 'warning',
  describe: 'an ALTER with its own ALGORITHM= or LOCK=: oschange then never changes the table instantly, and run plainly it may block writes',
  run(ctx) {
    const s = ctx.item.statement;
    if (s.kind !== 'alter' || createdEarlier(ctx, s.table)) return [];
    const out: Finding[] = [];
    for (const a of s.alter.actions) {
      if (a.kind !== 'algorithm' && a.kind !== 'lock') continue;
      const clause = `${a.kind === 'algorithm' ? 'ALGORITHM' : 'LOCK'}=${a.value}`;
      const blocking = (a.kind === 'algorithm' && a.value === 'COPY') || (a.kind === 'lock' && ['SHARED', 'EXCLUSIVE'].includes(a.value));
      const effect =
        a.kind === 'algorithm' && a.value === 'INSTANT'
          ? 'oschange then never changes the table instantly (it copies), and stops where the server cannot do the change instantly'
          : `oschange then never changes the table instantly (it always copies)${blocking ? `, and run as a plain ALTER it blocks writes to ${s.table.name} until the ALTER ends` : ''}`;
      out.push(
        finding(
          this.id,
          'warning',
          'ALGORITHM_CLAUSE',
          `${clause} in the ALTER of ${s.table.name}: ${effect}`,
          'oschange tries ALGORITHM=INSTANT on the table first and copies online otherwise; an ALGORITHM or LOCK of the ALTER\'s own takes that choice away, and applies only to oschange\'s empty ghost table.',
          [
            `Leave it out and let oschange choose (instant when the server can, else an online copy): ${oschangeRun({ table: s.table, database: ctx.database, alter: actionsWithoutAlgorithm(s.alter) })}`,
            'To know beforehand what the server can do, lint with a connection: the alter-algorithm rule tries the ALTER on an empty copy of the table.',
          ],
        ),
      );
    }
    return out;
  },
};
