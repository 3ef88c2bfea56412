import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/** The sandbox's app user holds exactly the privileges the README documents, and no more. */
const sandboxes = testServers().filter((s) => s.name !== 'external');

describe.each(sandboxes.map((s) => [label(s), s] as const))('%s app user', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let app: Connection;
  beforeAll(async () => {
    db = await freshDatabase(server, 'priv');
    app = await connect(db.app);
  });
  afterAll(async () => {
    await app?.end();
    await db?.drop();
  });

  it('has the documented grants', async () => {
    const grants = (await queryRows(app, 'SHOW GRANTS')).map((r) => String(Object.values(r)[0]).replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''));
    const expectedGlobals = server.version.flavor === 'mariadb' ? ['BINLOG MONITOR', 'REPLICATION MASTER ADMIN', 'REPLICATION SLAVE', 'SLAVE MONITOR'] : ['REPLICATION CLIENT', 'REPLICATION SLAVE'];
    const bt = (name: string): string => '`' + name + '`';
    const account = `${bt('oschange')}@${bt('%')}`;
    const globalLine = grants.find((g) => g.includes(` ON *.* TO ${account}`)) ?? '';
    expect(/^GRANT (.+) ON \*\.\* TO /.exec(globalLine)?.[1]?.split(', ').sort()).toEqual(expectedGlobals);
    // GRANT escapes `_` in a database name, or it would be a wildcard.
    const database = bt(db.name.replaceAll('_', '\\_'));
    expect(grants).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, LOCK TABLES, TRIGGER ON ${database}.* TO ${account}`);
  });

  it('cannot touch other databases', async () => {
    await expect(app.query('CREATE DATABASE oschange_should_not_exist')).rejects.toThrow(/denied/i);
    await expect(app.query('SELECT * FROM mysql.user')).rejects.toThrow(/denied/i);
  });
});
