import { createHash, timingSafeEqual } from 'node:crypto';
import type { Handled } from './connection.js';

/**
 * The TCP port is open to every local user, so a TCP client's first line must be `auth <token>`
 * (the token from --serve-tcp-token-file) before any command is taken; anything else, or a wrong
 * token, is answered with one `ERROR:` line and the connection is closed. The unix socket needs
 * no token: its file mode (0600) already admits only the owner.
 */
export function checkAuthLine(line: string, token: string): Handled & { readonly ok: boolean } {
  const m = /^\s*auth\s+(\S+)\s*$/i.exec(line);
  if (m?.[1] === undefined) {
    return { ok: false, close: true, reply: 'ERROR: authentication required: send "auth <token>" first (the token in the --serve-tcp-token-file file); closing' };
  }
  if (!sameToken(m[1], token)) return { ok: false, close: true, reply: 'ERROR: authentication failed: wrong token; closing' };
  return { ok: true, reply: 'auth: ok' };
}

/** Constant-time comparison: hashing first makes the lengths equal and hides the token's length. */
export function sameToken(given: string, token: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(token));
}
