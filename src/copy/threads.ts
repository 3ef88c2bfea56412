/** Copy workers when --copy-threads is not given. */
export const REMOTE_COPY_THREADS = 4;

/**
 * A sensible number of copy workers for the server: a server on this host shares its cores with
 * oschange and the application, and parallel chunks only help while there are cores to spare (on 2
 * cores, 2 workers copied slower than 1 in `make bench`): half the cores, 1 to 4. A remote server's
 * cores are unknown from here; production servers have several, so 4.
 */
export function defaultCopyThreads(host: string, localCores: number): number {
  const local = host === 'localhost' || host === '::1' || host.startsWith('127.') || host.startsWith('/');
  return local ? Math.max(1, Math.min(REMOTE_COPY_THREADS, Math.floor(localCores / 2))) : REMOTE_COPY_THREADS;
}
