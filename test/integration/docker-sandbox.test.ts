import { describe, expect, it } from 'vitest';
import { connect, queryValue } from '../../src/db/connect.js';
import { startDockerSandbox } from '../../src/sandbox/docker.js';
import { OschangeError } from '../../src/errors.js';

/**
 * MySQL 8.4 through testcontainers. Without a Docker engine (as on the project's own machines) the
 * start must fail at once with one clear line; with one, the pair must replicate.
 */
describe('mysql-8.4 sandbox through Docker', () => {
  it('starts a replicating pair, or says plainly that Docker is missing', async () => {
    const t0 = Date.now();
    let sandbox;
    try {
      sandbox = await startDockerSandbox('mysql-8.4');
    } catch (err) {
      expect(err).toBeInstanceOf(OschangeError);
      expect((err as OschangeError).code).toBe('SANDBOX_NO_DOCKER');
      expect((err as Error).message).toMatch(/^--flavor mysql-8.4 needs a Docker engine, and none answers here \(.+\); use --flavor mysql or mariadb$/);
      expect(Date.now() - t0).toBeLessThan(30_000);
      return;
    }
    try {
      expect(sandbox.version.raw).toMatch(/^8\.4\./);
      const primary = await connect(sandbox.primary.app);
      await primary.query('CREATE TABLE t (id INT PRIMARY KEY)');
      await primary.query('INSERT INTO t VALUES (42)');
      await primary.end();
      const replica = await connect(sandbox.replica.app);
      let seen: unknown;
      for (let i = 0; i < 100 && seen === undefined; i++) {
        seen = await queryValue(replica, 'SELECT id FROM t').catch(() => undefined);
        if (seen === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      await replica.end();
      expect(seen).toBe(42);
    } finally {
      await sandbox.stop();
    }
  });
});
