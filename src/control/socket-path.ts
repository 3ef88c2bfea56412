import { createHash } from 'node:crypto';

/** sun_path holds 108 bytes on Linux (104 on macOS), the terminating NUL included. */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

/**
 * gh-ost's convention, `/tmp/oschange.<db>.<table>.sock`. Names with characters a shell or a
 * path would trip on (or too long for a unix socket) are tamed and get a hash of the real names,
 * so two tables never share a socket.
 */
export function defaultSocketPath(database: string, table: string): string {
  const plain = `/tmp/oschange.${database}.${table}.sock`;
  const safe = /^[A-Za-z0-9_-]+$/;
  if (safe.test(database) && safe.test(table) && Buffer.byteLength(plain) <= MAX_SOCKET_PATH_BYTES) return plain;
  const hash = createHash('sha256').update(`${database}\0${table}`).digest('hex').slice(0, 8);
  const tame = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 36);
  return `/tmp/oschange.${tame(database)}.${tame(table)}.${hash}.sock`;
}
