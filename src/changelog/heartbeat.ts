import type { Connection } from '../db/connect.js';
import type { Logger } from '../log.js';
import { writeChangelog, writeHeartbeat } from '../sql/changelog.js';
import { describeError } from '../errors.js';
import { isTransientError } from '../db/transient.js';

const LOST_AFTER_FAILURES = 3;

/**
 * Writes a heartbeat into the changelog table every interval. The binlog brings it back to the
 * applier, so "now − newest heartbeat seen" is how far behind the applier is.
 */
export function startHeartbeat(o: {
  conn: Connection;
  database: string;
  changelog: string;
  intervalMs: number;
  now: () => number;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  return new Promise((resolve, reject) => {
    let busy = false;
    let failures = 0;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const s = writeHeartbeat(o.database, o.changelog, o.now());
      o.conn
        .query(s.sql, [...s.params])
        .then(() => (failures = 0))
        .catch((err: unknown) => {
          failures++;
          // A lost connection ends the heartbeat: the migration reconnects everything together.
          if (isTransientError(err) && failures >= LOST_AFTER_FAILURES && !o.signal.aborted) {
            clearInterval(timer);
            reject(err instanceof Error ? err : new Error(String(err)));
            return;
          }
          // One missed beat is harmless; lag simply grows until the next one lands.
          if (failures === 1 || failures % 50 === 0) o.log.warn({ err: describeError(err), failures }, 'heartbeat write failed');
        })
        .finally(() => (busy = false));
    }, o.intervalMs);
    o.signal.addEventListener(
      'abort',
      () => {
        clearInterval(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/** Writes a state marker into the changelog table (seen by the applier through the binlog). */
export async function writeMarker(conn: Connection, database: string, changelog: string, hint: string, value: string): Promise<void> {
  const s = writeChangelog(database, changelog, hint, value);
  await conn.query(s.sql, [...s.params]);
}
