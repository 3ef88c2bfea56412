import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connect, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';
import type { ServerVersion } from '../../src/db/flavor.js';
import { dropDatabase } from '../../src/sql/sandbox.js';
import { createAppDatabase } from '../../src/sandbox/databases.js';

/** One server pair the integration tests run against (serializable: it crosses into the workers). */
export interface TestServer {
  /** `mysql` or `mariadb` for sandboxes, `external` for OSCHANGE_TEST_DSN. */
  readonly name: string;
  readonly version: ServerVersion;
  readonly primary: { readonly admin: Endpoint; readonly app: Endpoint };
  readonly replica: { readonly admin: Endpoint; readonly app: Endpoint } | undefined;
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServer[];
  }
}

export function testServers(): TestServer[] {
  return inject('servers');
}

/** A label for describe.each: `MySQL 9.7.4`. */
export function label(s: TestServer): string {
  return `${s.version.flavor === 'mariadb' ? 'MariaDB' : 'MySQL'} ${s.version.major}.${s.version.minor}.${s.version.patch}`;
}

/**
 * A fresh database for one test file, with the app user's documented privileges on it.
 * Returns the name and a function that drops it.
 */
export async function freshDatabase(s: TestServer, prefix: string): Promise<{ name: string; app: Endpoint; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = await connect(s.primary.admin);
  try {
    await createAppDatabase(admin, name, s.primary.app.user);
  } finally {
    await admin.end();
  }
  return {
    name,
    app: { ...s.primary.app, database: name },
    drop: async () => {
      const c = await connect(s.primary.admin);
      try {
        await c.query(dropDatabase(name).sql);
      } finally {
        await c.end();
      }
    },
  };
}

export async function adminConnection(s: TestServer, role: 'primary' | 'replica' = 'primary'): Promise<Connection> {
  const target = role === 'primary' ? s.primary : s.replica;
  if (target === undefined) throw new Error(`${s.name} has no replica`);
  return connect(target.admin);
}
