import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { LineBuffer } from './line-buffer.js';

/** Longest unfinished line a client may send; a throttle-query fits easily. */
export const MAX_LINE_CHARS = 64 * 1024;

export interface ConnectionTimeouts {
  /**
   * Quiet time after the last reply before we end the connection. gh-ost answers one command per
   * connection and closes, so `echo status | nc -U path` (which waits for the server to close)
   * must end on its own; clients that pipeline or answer promptly are unaffected.
   */
  readonly afterReplyMs: number;
  /** Quiet time before a reply is owed (silent client, unfinished line). */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectionTimeouts = { afterReplyMs: 500, idleMs: 60_000 };

/**
 * One client: every line gets exactly one reply ending in "\n", in order. The socket must be
 * created with `allowHalfOpen` so that `nc -N` (which shuts down its sending side at EOF) still
 * gets the replies; we end our side once the client has ended and been answered.
 */
export function serveConnection(o: {
  readonly socket: Socket;
  readonly reply: (line: string) => string;
  readonly log: Logger;
  readonly timeouts?: ConnectionTimeouts;
}): void {
  const { socket, log } = o;
  const timeouts = o.timeouts ?? DEFAULT_TIMEOUTS;
  const lines = new LineBuffer(MAX_LINE_CHARS);
  const answer = (line: string): void => {
    // After close() began (or the client vanished) nothing more is read or answered.
    if (socket.writableEnded || socket.destroyed) return;
    socket.write(`${o.reply(line)}\n`);
  };
  socket.setEncoding('utf8');
  socket.setTimeout(timeouts.idleMs);
  socket.on('data', (chunk: string) => {
    if (socket.writableEnded) return;
    const { lines: complete, overflow, pending } = lines.push(chunk);
    for (const line of complete) answer(line);
    if (overflow && !socket.writableEnded) {
      log.warn({ maxChars: MAX_LINE_CHARS }, 'control client sent an over-long line; closing its connection');
      socket.write(`ERROR: line too long (over ${MAX_LINE_CHARS} characters without a newline); closing\n`);
      endConnection(socket);
      return;
    }
    socket.setTimeout(pending ? timeouts.idleMs : timeouts.afterReplyMs);
  });
  socket.on('end', () => {
    const rest = lines.end();
    if (rest !== undefined) answer(rest);
    endConnection(socket);
  });
  socket.on('timeout', () => endConnection(socket));
  // A client that disconnects abruptly (EPIPE, ECONNRESET) is its own business, not a failure.
  socket.on('error', (err) => log.debug({ err }, 'control connection error'));
}

/** Flush what we owe the client, then drop it; a client that never reads gets 1 s. */
export function endConnection(socket: Socket): void {
  if (socket.destroyed) return;
  socket.setTimeout(0);
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  if (!socket.writableEnded) socket.end(() => socket.destroy());
}
