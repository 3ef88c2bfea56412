import { rmSync } from 'node:fs';

/**
 * Control-socket paths for one test file's runs, a new one for each call. A run that exits removes its
 * socket; one the test SIGKILLs cannot, so the file removes them all when it ends.
 */
export function socketPaths(tag: string): { next: (name: string) => string; removeAll: () => void } {
  const made: string[] = [];
  return {
    next: (name) => {
      const path = `/tmp/oschange-${tag}-${name}-${process.pid}-${made.length + 1}.sock`;
      made.push(path);
      return path;
    },
    removeAll: () => {
      for (const path of made) rmSync(path, { force: true });
    },
  };
}
