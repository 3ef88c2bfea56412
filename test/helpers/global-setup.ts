import type { TestProject } from 'vitest/node';
import { connect, queryValue } from '../../src/db/connect.js';
import { parseDsn, redactDsn } from '../../src/db/dsn.js';
import { parseServerVersion, describeVersion } from '../../src/db/flavor.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/sandbox.js';
import { SANDBOX_FLAVORS, type SandboxFlavor } from '../../src/sandbox/install.js';
import type { TestServer } from './servers.js';

/**
 * Starts one primary + replica pair per flavor for the whole integration run, or uses the servers
 * named by OSCHANGE_TEST_DSN / OSCHANGE_TEST_REPLICA_DSN. OSCHANGE_TEST_FLAVORS=mysql,mariadb
 * picks flavors (default: both).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env['OSCHANGE_TEST_DSN'];
  const sandboxes: Sandbox[] = [];
  const servers: TestServer[] = [];
  if (external !== undefined && external !== '') {
    const primary = parseDsn(external);
    const replicaDsn = process.env['OSCHANGE_TEST_REPLICA_DSN'];
    const replica = replicaDsn ? parseDsn(replicaDsn) : undefined;
    const conn = await connect(primary);
    const version = parseServerVersion(String(await queryValue(conn, 'SELECT VERSION()')));
    await conn.end();
    servers.push({ name: 'external', version, primary: { admin: primary, app: primary }, replica: replica && { admin: replica, app: replica } });
    console.log(`oschange tests: ${describeVersion(version)} (${version.raw}) at ${redactDsn(external)}${replica ? ' + replica' : ' (no replica)'}`);
  } else {
    const wanted = (process.env['OSCHANGE_TEST_FLAVORS'] ?? SANDBOX_FLAVORS.join(','))
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== '');
    for (const f of wanted) {
      if (!SANDBOX_FLAVORS.includes(f as SandboxFlavor)) throw new Error(`OSCHANGE_TEST_FLAVORS: unknown flavor ${f} (use ${SANDBOX_FLAVORS.join(', ')})`);
    }
    try {
      const started = await Promise.all(wanted.map((flavor) => startSandbox({ flavor: flavor as SandboxFlavor })));
      sandboxes.push(...started);
    } catch (err) {
      await Promise.allSettled(sandboxes.map((s) => s.stop({ graceMs: 0 })));
      throw err;
    }
    for (const s of sandboxes) {
      servers.push({
        name: s.flavor,
        version: s.version,
        primary: { admin: s.primary.admin, app: s.primary.app },
        replica: { admin: s.replica.admin, app: s.replica.app },
      });
      console.log(
        `oschange tests: ${describeVersion(s.version)} (${s.version.raw}) primary 127.0.0.1:${s.primary.port} + replica 127.0.0.1:${s.replica.port}, replication running`,
      );
    }
  }
  project.provide('servers', servers);
  return async () => {
    await Promise.all(sandboxes.map((s) => s.stop({ graceMs: 5000 })));
  };
}
