import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { swapTogether, swapTogetherUnsupported } from '../../src/cutover/swap-together.js';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import { tableNames } from '../../src/inspect/names.js';
import { silentLogger } from '../../src/log.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * Two tables swapped in one cut-over (src/cutover/swap-together.ts), under an application that writes
 * both in one transaction and a reader that reads both in one statement: over 20 swaps the reader
 * never sees one table new and the other old, and no committed write is left behind in an old table.
 */
const SWAPS = 20;

describe.each(testServers().map((s) => [label(s), s] as const))('several tables in one cut-over on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const unsupported = swapTogetherUnsupported(server.version);

  beforeAll(async () => {
    db = await freshDatabase(server, 'together');
    admin = await connect({ ...server.primary.admin, database: db.name });
    for (const t of ['a', 'b']) {
      await admin.query(`CREATE TABLE ${t} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, tag VARCHAR(10) NOT NULL DEFAULT 'g0') ENGINE=InnoDB`);
      await admin.query(`INSERT INTO ${t} (id, v) VALUES (1, 0)`);
    }
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  const names = [tableNames('a'), tableNames('b')];
  const makeGhosts = async (generation: number): Promise<void> => {
    for (const n of names) {
      await admin.query(`CREATE TABLE ${n.ghost} LIKE ${n.original}`);
      await admin.query(`ALTER TABLE ${n.ghost} ALTER COLUMN tag SET DEFAULT 'g${generation}'`);
      await admin.query(`INSERT IGNORE INTO ${n.ghost} (id, v) SELECT id, v FROM ${n.original}`);
    }
  };

  if (unsupported !== undefined) {
    it('refuses, saying why, and changes nothing', async () => {
      await makeGhosts(1);
      const before = await queryRows(admin, 'SHOW TABLES');
      const error = await swapTogether({
        connect: () => connect(db.app),
        database: db.name,
        version: server.version,
        tables: names,
        lockTimeoutSeconds: 3,
        flush: async () => undefined,
        log: silentLogger(),
        now: Date.now,
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(String(error)).toContain('several tables cannot be swapped in one cut-over here: MariaDB refuses RENAME TABLE under LOCK TABLES');
      expect(await queryRows(admin, 'SHOW TABLES')).toEqual(before);
    });
    return;
  }

  it(`never shows one table swapped and the other not, and leaves no committed write behind, over ${SWAPS} swaps`, async () => {
    let running = true;
    const committed = { a: new Set<number>(), b: new Set<number>() };
    const writer = (async () => {
      const c = await connect(db.app);
      try {
        for (let n = 1; running; n++) {
          await c.query('BEGIN');
          const [ra] = (await c.query('INSERT INTO a (v) VALUES (?)', [n])) as unknown as [{ insertId: number }];
          const [rb] = (await c.query('INSERT INTO b (v) VALUES (?)', [n])) as unknown as [{ insertId: number }];
          await c.query('COMMIT');
          committed.a.add(ra.insertId);
          committed.b.add(rb.insertId);
        }
      } finally {
        await c.end();
      }
    })();
    const seen = { reads: 0, mixed: [] as string[] };
    const reader = (async () => {
      const c = await connect(db.app);
      try {
        while (running) {
          const [r] = await queryRows(c, 'SELECT (SELECT tag FROM a WHERE id = 1) AS ta, (SELECT tag FROM b WHERE id = 1) AS tb');
          seen.reads++;
          if (r?.['ta'] !== r?.['tb']) seen.mixed.push(`${String(r?.['ta'])}/${String(r?.['tb'])}`);
        }
      } finally {
        await c.end();
      }
    })();
    try {
      for (let i = 1; i <= SWAPS; i++) {
        await makeGhosts(i);
        await sleep(20);
        const result = await swapTogether({
          connect: () => connect(db.app),
          database: db.name,
          version: server.version,
          tables: names,
          lockTimeoutSeconds: 10,
          // The applier's last flush, through the lock session: every row the ghosts lack.
          flush: async (lockConn) => {
            for (const n of names) await lockConn.query(`INSERT IGNORE INTO ${n.ghost} (id, v) SELECT id, v FROM ${n.original}`);
          },
          log: silentLogger(),
          now: Date.now,
        });
        expect(result.lockMs).toBeGreaterThanOrEqual(0);
        for (const n of names) {
          // A write that reached the old table after the flush would be missing from the new one.
          const left = await queryValue(admin, `SELECT COUNT(*) FROM ${n.old} o LEFT JOIN ${n.original} x ON x.id = o.id WHERE x.id IS NULL`);
          expect(Number(left), `swap ${i}, ${n.original}`).toBe(0);
          await admin.query(`DROP TABLE ${n.old}`);
        }
      }
    } finally {
      running = false;
      await Promise.all([writer, reader]);
    }
    expect(seen.reads).toBeGreaterThan(SWAPS);
    expect(seen.mixed).toEqual([]);
    expect(await queryRows(admin, 'SELECT (SELECT tag FROM a WHERE id = 1) AS ta, (SELECT tag FROM b WHERE id = 1) AS tb')).toEqual([{ ta: `g${SWAPS}`, tb: `g${SWAPS}` }]);
    for (const t of ['a', 'b'] as const) {
      const ids = new Set((await queryRows(admin, `SELECT id FROM ${t}`)).map((r) => Number(r['id'])));
      expect([...committed[t]].filter((id) => !ids.has(id))).toEqual([]);
    }
  });
});
