import { defaultSocketPath, MAX_SOCKET_PATH_BYTES } from '../control/socket-path.js';

/**
 * `/tmp/oschange.<db>.<table>.backfill.sock`: beside the migration's socket of the same table, not
 * on it (src/control/socket-path.ts tames unusual names and hashes them, as for a migration).
 */
export function defaultBackfillSocketPath(database: string, table: string): string {
  const path = defaultSocketPath(database, table).replace(/\.sock$/, '.backfill.sock');
  if (Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES) return path;
  // Too long with the suffix: the hashed form of a name that differs from the migration's.
  return defaultSocketPath(database, `${table}.backfill`);
}
