import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { describeError, ExitCode, OschangeError } from '../errors.js';
import type { Logger } from '../log.js';

/**
 * Connects again after a lost connection, backing off from 0.25 s to 5 s between tries, until the
 * server answers or `timeoutMs` has passed (a restart of a busy server can take a while).
 */
export async function reconnect(o: { endpoint: Endpoint; timeoutMs: number; signal: AbortSignal; log: Logger }): Promise<Connection> {
  const deadline = Date.now() + o.timeoutMs;
  let pause = 250;
  let last: unknown;
  for (let attempt = 1; ; attempt++) {
    o.signal.throwIfAborted();
    try {
      const conn = await connect(o.endpoint, { connectTimeoutMs: 5000 });
      o.log.info({ attempt }, 'reconnected');
      return conn;
    } catch (err) {
      last = err;
      if (Date.now() + pause > deadline) break;
      if (attempt === 1 || attempt % 10 === 0) o.log.warn({ attempt, err: describeError(err) }, 'cannot reconnect yet');
      await sleep(pause, undefined, { signal: o.signal });
      pause = Math.min(5000, pause * 2);
    }
  }
  throw new OschangeError(
    'RECONNECT_FAILED',
    `lost the connection to ${o.endpoint.host}:${o.endpoint.port} and could not reconnect within ${Math.round(o.timeoutMs / 1000)} s (${describeError(last)}); ` +
      'the ghost table and checkpoint are kept: run the same command with --resume once the server is back',
    { exitCode: ExitCode.environment, cause: last },
  );
}
