import type { TestProject } from 'vitest/node';
import { connect, queryValue } from '../../src/db/connect.js';
import { parseDsn, redactDsn } from '../../src/db/dsn.js';
import { parseServerVersion, describeVersion } from '../../src/db/flavor.js';
import type { Sandbox } from '../../src/sandbox/sandbox.js';
import { SANDBOX_FLAVORS } from '../../src/sandbox/install.js';
import { ALL_FLAVORS, startAnySandbox, type AnyFlavor } from '../../src/sandbox/start.js';
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
      if (!ALL_FLAVORS.includes(f as AnyFlavor)) throw new Error(`OSCHANGE_TEST_FLAVORS: unknown flavor ${f} (use ${ALL_FLAVORS.join(', ')})`);
    }
    const results = await Promise.allSettled(wanted.map((flavor) => startAnySandbox(flavor as AnyFlavor)));
    for (const r of results) if (r.status === 'fulfilled') sandboxes.push(r.value);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) {
      // A failed start must not leave its siblings running.
      await Promise.allSettled(sandboxes.map((s) => s.stop({ graceMs: 0 })));
      throw failed.reason;
    }
    for (const s of sandboxes) {
      servers.push({
        name: s.flavor,
        version: s.version,
        primary: { admin: s.primary.admin, app: s.primary.app },
        replica: { admin: s.replica.admin, app: s.replica.app },
      });
      console.log(
        `oschange tests: ${describeVersion(s.version)} (${s.version.raw}) primary ${s.primary.admin.host}:${s.primary.port} + replica ${s.replica.admin.host}:${s.replica.port}, replication running`,
      );
    }
  }
  project.provide('servers', servers);
  return async () => {
    await Promise.all(sandboxes.map((s) => s.stop({ graceMs: 5000 })));
  };
}
