import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { LineBuffer } from './line-buffer.js';

/** Longest unfinished line a client may send; a throttle-query fits easily. */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Replies a client has not read yet, at most (bytes queued in our socket): past this we stop
 * reading its commands until it reads, so a client that sends and never reads holds a bounded
 * amount of our memory. The kernel's socket buffers then push back on the client.
 */
export const MAX_UNREAD_REPLY_BYTES = 256 * 1024;

/** Received lines not yet answered, at most (characters): past this we stop reading too. */
export const MAX_QUEUED_CHARS = 64 * 1024;

export interface ConnectionTimeouts {
  /**
   * Quiet time after the last reply before we end the connection. gh-ost answers one command per
   * connection and closes, so `echo status | nc -U path` (which waits for the server to close)
   * must end on its own; clients that pipeline or answer promptly are unaffected.
   */
  readonly afterReplyMs: number;
  /** Quiet time before a reply is owed (silent client, unfinished line, a client not reading). */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectionTimeouts = { afterReplyMs: 500, idleMs: 60_000 };

/** The answer to one line; `close` ends the connection after it (a failed authentication). */
export interface Handled {
  readonly reply: string;
  readonly close?: boolean;
}

type Item = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'overflow' };

/**
 * One client: every line gets exactly one reply ending in "\n", in order, one command at a time
 * (a command may wait on the interactive-command hook). The socket must be created with
 * `allowHalfOpen` so that `nc -N` (which shuts down its sending side at EOF) still gets the
 * replies; we end our side once the client has ended and been answered.
 */
export function serveConnection(o: {
  readonly socket: Socket;
  readonly handle: (line: string) => Promise<Handled>;
  readonly log: Logger;
  readonly timeouts?: ConnectionTimeouts;
}): void {
  const { socket, log } = o;
  const timeouts = o.timeouts ?? DEFAULT_TIMEOUTS;
  const lines = new LineBuffer(MAX_LINE_CHARS);
  const queue: Item[] = [];
  let queuedChars = 0;
  let partial = false;
  let clientEnded = false;
  let busy = false;
  const gone = (): boolean => socket.destroyed || socket.writableEnded;
  const full = (): boolean => queuedChars > MAX_QUEUED_CHARS || socket.writableLength > MAX_UNREAD_REPLY_BYTES;
  const readMoreIfRoom = (): void => {
    if (!full() && !clientEnded && socket.isPaused()) socket.resume();
  };

  const pump = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (let item = queue.shift(); item !== undefined && !gone(); item = queue.shift()) {
        if (item.kind === 'overflow') {
          log.warn({ maxChars: MAX_LINE_CHARS }, 'control client sent an over-long line; closing its connection');
          socket.write(`ERROR: line too long (over ${MAX_LINE_CHARS} characters without a newline); closing\n`);
          endConnection(socket);
          return;
        }
        queuedChars -= item.text.length;
        // No idle timeout while a command runs (a hook may take a while); a client that does not
        // read our replies is given idleMs to start.
        socket.setTimeout(0);
        const { reply, close } = await o.handle(item.text);
        if (gone()) return;
        if (!socket.write(`${reply}\n`) && socket.writableLength > MAX_UNREAD_REPLY_BYTES) {
          socket.pause();
          socket.setTimeout(timeouts.idleMs);
          await drained(socket);
        }
        if (close === true) {
          endConnection(socket);
          return;
        }
      }
    } finally {
      busy = false;
    }
    if (gone()) return;
    if (clientEnded) {
      endConnection(socket);
      return;
    }
    readMoreIfRoom();
    socket.setTimeout(partial ? timeouts.idleMs : timeouts.afterReplyMs);
  };
  const run = (): void => {
    pump().catch((err: unknown) => {
      log.error({ err }, 'control connection failed');
      socket.destroy();
    });
  };

  socket.setEncoding('utf8');
  socket.setTimeout(timeouts.idleMs);
  socket.on('data', (chunk: string) => {
    if (gone() || queue.some((i) => i.kind === 'overflow')) return;
    const { lines: complete, overflow, pending } = lines.push(chunk);
    partial = pending;
    for (const text of complete) {
      queue.push({ kind: 'line', text });
      queuedChars += text.length;
    }
    if (overflow) {
      queue.push({ kind: 'overflow' });
      socket.pause();
    }
    if (full()) socket.pause();
    run();
  });
  socket.on('end', () => {
    clientEnded = true;
    const rest = lines.end();
    if (rest !== undefined) {
      queue.push({ kind: 'line', text: rest });
      queuedChars += rest.length;
    }
    partial = false;
    run();
  });
  socket.on('drain', readMoreIfRoom);
  socket.on('timeout', () => endConnection(socket));
  // A client that disconnects abruptly (EPIPE, ECONNRESET) is its own business, not a failure.
  socket.on('error', (err) => log.debug({ err }, 'control connection error'));
}

/** Resolves once the socket's write buffer has drained, or the socket is gone. */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
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
