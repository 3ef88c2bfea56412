import { stmt } from '../sql/quote.js';
import { endReadOnlyTransaction, startReadOnlyTransaction } from '../sql/throttle.js';
import type { TimedSession } from './timed-session.js';

/**
 * The operator's throttle query's first value (undefined for no rows). Whether it came from the
 * command line or the socket, it runs in a READ ONLY transaction on the throttler's own session,
 * under the session's statement time limit (src/sql/throttle.ts) and the client's.
 */
export async function runThrottleQuery(session: TimedSession, sql: string, signal?: AbortSignal): Promise<unknown> {
  return session.use(async (query) => {
    await query(startReadOnlyTransaction());
    try {
      const [first] = await query(stmt(sql));
      return first === undefined ? undefined : Object.values(first)[0];
    } finally {
      // On a session that timed out this fails too; it is destroyed anyway.
      await query(endReadOnlyTransaction()).catch(() => undefined);
    }
  }, signal);
}
