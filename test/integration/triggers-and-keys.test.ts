import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import type { Endpoint } from '../../src/db/dsn.js';
import { errno } from '../../src/db/retry.js';
import { readTriggers } from '../../src/inspect/triggers.js';
import { grantOnDatabase } from '../../src/sql/privileges.js';
import { configFromFlags, runTestMigration } from '../helpers/migration.js';
import { exited, spawnCli } from '../helpers/processes.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * Tables as they are in production (docs/design.md, "Triggers" and "Foreign keys"), on both flavors,
 * under live writes and compared row for row: a table with BEFORE and AFTER triggers of every event
 * (two of one event, in order) keeps them exactly, and each write fires them once; a crash with the
 * triggers on the ghost gives them back; child tables follow the swap by each method; a child table's
 * own keys are carried; the refusals name the flag.
 */
const SEED = 1500;

interface Row {
  v: number;
  note: string;
}

/** One writer's committed statements, kept as a model of the table (autocommit: each statement commits alone). */
class Writer {
  readonly model = new Map<number, Row>();
  counts = { inserts: 0, updates: 0, deletes: 0, errors: 0 };
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private next: number;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly table: string,
    seeded: number,
    /** The table's triggers write `note` (i<v> on insert, u<v> on update); without them inserts leave it '' and updates keep it. */
    private readonly triggered: boolean,
    private readonly deleteWhere: (id: number) => boolean = () => true,
  ) {
    for (let id = 1; id <= seeded; id++) this.model.set(id, { v: id, note: `i${id}` });
    this.next = 1_000_000;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    const conn = await connect(this.endpoint);
    let n = 0;
    try {
      while (this.running) {
        n++;
        const ids = [...this.model.keys()];
        const pick = ids[(n * 7919) % ids.length] ?? 1;
        try {
          if (n % 3 === 0) {
            const id = this.next++;
            await conn.query(`INSERT INTO \`${this.table}\` (id, v) VALUES (?, ?)`, [id, n]);
            this.model.set(id, { v: n, note: this.triggered ? `i${n}` : '' });
            this.counts.inserts++;
          } else if (n % 3 === 1) {
            const [r] = (await conn.query(`UPDATE \`${this.table}\` SET v = ? WHERE id = ?`, [n, pick])) as unknown as [{ affectedRows: number }];
            if (r.affectedRows > 0) {
              this.model.set(pick, { v: n, note: this.triggered ? `u${n}` : (this.model.get(pick)?.note ?? '') });
              this.counts.updates++;
            }
          } else if (this.deleteWhere(pick)) {
            const [r] = (await conn.query(`DELETE FROM \`${this.table}\` WHERE id = ?`, [pick])) as unknown as [{ affectedRows: number }];
            if (r.affectedRows > 0) {
              this.model.delete(pick);
              this.counts.deletes++;
            }
          }
        } catch (err) {
          this.counts.errors++;
          throw new Error(`the application's write failed: ${String(err)}`);
        }
        await sleep(2);
      }
    } finally {
      await conn.end();
    }
  }
}

const seedRows = (table: string, rows: number, columns = '(id, v)', values = (id: number): string => `(${id}, ${id})`): string =>
  `INSERT INTO \`${table}\` ${columns} VALUES ${Array.from({ length: rows }, (_, i) => values(i + 1)).join(', ')}`;

describe.each(testServers().map((s) => [label(s), s] as const))('triggers and foreign keys on %s', (_name, server) => {
  const mariadb = server.version.flavor === 'mariadb';
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  let app: Connection;

  beforeAll(async () => {
    db = await freshDatabase(server, 'links');
    admin = await connect({ ...server.primary.admin, database: db.name });
    app = await connect(db.app);
    // README, "Privileges oschange needs": creating a foreign key needs REFERENCES on its parent, and
    // creating a trigger with binary logging on needs SUPER or log_bin_trust_function_creators.
    const account = String(await queryValue(app, 'SELECT CURRENT_USER()'));
    const at = account.lastIndexOf('@');
    const grant = grantOnDatabase(db.name, account.slice(0, at), account.slice(at + 1), ['REFERENCES']);
    await admin.query(grant.sql, [...grant.params]);
    await admin.query('SET GLOBAL log_bin_trust_function_creators = 1');
    await app.end();
    app = await connect(db.app);
  });
  afterAll(async () => {
    await app?.end();
    await admin?.end();
    await db?.drop();
  });

  const migrate = (table: string, alter: string, extra: string[] = []) => runTestMigration(configFromFlags(db.app, db.name, table, alter, ['--chunk-size', '200', ...extra]));
  const tables = async (): Promise<string[]> => (await queryRows(admin, 'SHOW TABLES')).map((r) => String(Object.values(r)[0]));
  const rowsOf = async (table: string): Promise<Map<number, Row>> =>
    new Map((await queryRows(admin, `SELECT id, v, note FROM \`${table}\` ORDER BY id`)).map((r) => [Number(r['id']), { v: Number(r['v']), note: String(r['note']) }]));
  const referenced = async (child: string): Promise<string[]> =>
    (
      await queryRows(
        admin,
        'SELECT CONSTRAINT_NAME AS name, REFERENCED_TABLE_NAME AS parent FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? ORDER BY 1',
        [db.name, child],
      )
    ).map((r) => `${String(r['name'])} → ${String(r['parent'])}`);

  const createTriggered = async (t: string, audit: string): Promise<void> => {
    await app.query(`CREATE TABLE \`${t}\` (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, note VARCHAR(20) NOT NULL DEFAULT '') ENGINE=InnoDB`);
    await app.query(`CREATE TABLE \`${audit}\` (seq INT AUTO_INCREMENT PRIMARY KEY, op CHAR(1) NOT NULL, tid INT NOT NULL, v INT NOT NULL) ENGINE=InnoDB`);
    const a = (op: string, row: 'NEW' | 'OLD'): string => `INSERT INTO \`${audit}\` (op, tid, v) VALUES ('${op}', ${row}.id, ${row}.v)`;
    for (const sql of [
      `CREATE TRIGGER \`${t}_bi\` BEFORE INSERT ON \`${t}\` FOR EACH ROW SET NEW.note = CONCAT('i', NEW.v)`,
      `CREATE TRIGGER \`${t}_ai1\` AFTER INSERT ON \`${t}\` FOR EACH ROW ${a('I', 'NEW')}`,
      `CREATE TRIGGER \`${t}_ai2\` AFTER INSERT ON \`${t}\` FOR EACH ROW FOLLOWS \`${t}_ai1\` ${a('J', 'NEW')}`,
      `CREATE TRIGGER \`${t}_bu\` BEFORE UPDATE ON \`${t}\` FOR EACH ROW SET NEW.note = CONCAT('u', NEW.v)`,
      `CREATE TRIGGER \`${t}_au\` AFTER UPDATE ON \`${t}\` FOR EACH ROW ${a('U', 'NEW')}`,
      `CREATE TRIGGER \`${t}_bd\` BEFORE DELETE ON \`${t}\` FOR EACH ROW ${a('d', 'OLD')}`,
      `CREATE TRIGGER \`${t}_ad\` AFTER DELETE ON \`${t}\` FOR EACH ROW ${a('D', 'OLD')}`,
    ]) {
      await app.query(sql);
    }
    await app.query(seedRows(t, SEED));
  };

  /** Each committed write fired each of its triggers exactly once, the two AFTER INSERT ones in their order. */
  const expectAudit = async (audit: string, w: Writer): Promise<void> => {
    const counts = new Map((await queryRows(admin, `SELECT op, COUNT(*) AS n FROM \`${audit}\` GROUP BY op`)).map((r) => [String(r['op']), Number(r['n'])]));
    const inserted = SEED + w.counts.inserts;
    expect(Object.fromEntries(counts)).toEqual({ I: inserted, J: inserted, U: w.counts.updates, d: w.counts.deletes, D: w.counts.deletes });
    const disorder = await queryValue(admin, `SELECT COUNT(*) FROM \`${audit}\` i JOIN \`${audit}\` j ON j.tid = i.tid AND j.op = 'J' AND i.op = 'I' AND j.seq < i.seq`);
    expect(Number(disorder)).toBe(0);
  };

  it('moves BEFORE and AFTER triggers of each event with the swap, in order and with their definer, and each write fires them once', async () => {
    await createTriggered('tt', 'tt_audit');
    const before = await readTriggers(admin, db.name, 'tt');
    expect(before).toHaveLength(7);
    // tt_ai2 FOLLOWS tt_ai1: created again after it.
    expect(before.findIndex((t) => t.name === 'tt_ai1')).toBeLessThan(before.findIndex((t) => t.name === 'tt_ai2'));
    const w = new Writer(db.app, 'tt', SEED, true);
    w.start();
    await sleep(300);
    const run = await migrate('tt', 'ADD COLUMN extra INT NOT NULL DEFAULT 7', ['--include-triggers']);
    await sleep(300);
    await w.stop();
    expect(run.error, run.out.join('\n')).toBeUndefined();
    expect(run.out).toContain(`  triggers:    ${before.map((t) => t.name).join(', ')} move to the new table inside the cut-over lock (--include-triggers), under the same names`);
    expect(w.counts.inserts).toBeGreaterThan(10);
    expect(w.counts.deletes).toBeGreaterThan(10);
    // The triggers: the same ones, on the new table; none left on the old one.
    const after = await readTriggers(admin, db.name, 'tt');
    expect(after).toEqual(before);
    expect(await readTriggers(admin, db.name, '_tt_del')).toEqual([]);
    expect((await queryRows(admin, 'SHOW COLUMNS FROM tt')).map((r) => r['Field'])).toEqual(['id', 'v', 'note', 'extra']);
    // Row for row: every committed write, with what its BEFORE trigger wrote.
    expect(await rowsOf('tt')).toEqual(w.model);
    await expectAudit('tt_audit', w);
    // And they fire on the new table.
    await app.query('INSERT INTO tt (id, v) VALUES (5000000, 1)');
    expect(await queryRows(admin, 'SELECT note, extra FROM tt WHERE id = 5000000')).toEqual([{ note: 'i1', extra: 7 }]);
  });

  it('refuses a table with triggers without --include-triggers, and triggers that would not work on the altered table, changing nothing', async () => {
    await createTriggered('tr', 'tr_audit');
    const names = (await readTriggers(admin, db.name, 'tr')).map((t) => t.name).join(', ');
    const without = await migrate('tr', 'ADD COLUMN extra INT');
    const listed = /has trigger (.*): pass --include-triggers to move them to the new table inside the cut-over lock \(same names, bodies, order and definer\), or drop them for the migration/.exec(String(without.error));
    expect(String(without.error)).toContain(`table ${db.name}.tr has trigger `);
    expect(listed?.[1]?.split(', ').sort()).toEqual(names.split(', ').sort());
    const dropsNote = await migrate('tr', 'DROP COLUMN note', ['--include-triggers', '--allow', 'drop-column']);
    expect(String(dropsNote.error)).toMatch(/trigger tr_bi cannot be created on the altered table \(.*Unknown column 'note' in 'NEW'.*\).*: change the trigger so that it works with the new columns, or drop it for the migration/);
    const reverse = await migrate('tr', 'ADD COLUMN extra INT', ['--include-triggers', '--keep-reverse-sync', '0']);
    expect(String(reverse.error)).toContain(`--keep-reverse-sync: ${db.name}.tr has triggers, which a revert does not carry back yet`);
    expect((await tables()).filter((t) => t.startsWith('_tr'))).toEqual([]);
    expect((await readTriggers(admin, db.name, 'tr')).map((t) => t.name).join(', ')).toBe(names);
  });

  it('gives the triggers back to the table after a crash while they were on the ghost, and --resume then swaps with them', async () => {
    await createTriggered('tc', 'tc_audit');
    const before = await readTriggers(admin, db.name, 'tc');
    const args = ['--host', db.app.host, '--port', String(db.app.port), '--user', db.app.user, '--password', db.app.password, '--database', db.name, '--table', 'tc', '--alter', 'ADD COLUMN extra INT', '--include-triggers', '--execute', '--replica-server-id', String(20_000 + Math.floor(Math.random() * 10_000))];
    const crashed = spawnCli(args, { OSCHANGE_TEST_CRASH_AT: 'cutover:triggers-moved' });
    expect(await exited(crashed)).not.toBe(0);
    // The crash left the triggers on the ghost: the table runs without them until oschange gives them back.
    expect(await readTriggers(admin, db.name, 'tc')).toEqual([]);
    expect((await readTriggers(admin, db.name, '_tc_gho')).map((t) => t.name)).toEqual(before.map((t) => t.name));
    const resumed = spawnCli([...args, '--resume']);
    let output = '';
    resumed.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    resumed.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    expect(await exited(resumed), output).toBe(0);
    expect(output).toContain('an interrupted cut-over had moved these triggers to the ghost table; they are back on the original table');
    expect(await readTriggers(admin, db.name, 'tc')).toEqual(before);
    expect((await queryRows(admin, 'SHOW COLUMNS FROM tc')).map((r) => r['Field'])).toEqual(['id', 'v', 'note', 'extra']);
    expect((await rowsOf('tc')).size).toBe(SEED);
  });

  describe.each(['rebuild_constraints', 'drop_swap', 'none'] as const)('a parent table, children following by %s', (method) => {
    it('keeps every child valid under live writes: its key references the live table, no orphan', async () => {
      const t = `p_${method.slice(0, 4)}`;
      const c = `c_${method.slice(0, 4)}`;
      await app.query(`CREATE TABLE \`${t}\` (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, note VARCHAR(20) NOT NULL DEFAULT '') ENGINE=InnoDB`);
      await app.query(seedRows(t, SEED, '(id, v, note)', (id) => `(${id}, ${id}, 'i${id}')`));
      await app.query(
        `CREATE TABLE \`${c}\` (id INT NOT NULL PRIMARY KEY, pid INT NOT NULL, CONSTRAINT \`fk_${c}\` FOREIGN KEY (pid) REFERENCES \`${t}\` (id) ON DELETE CASCADE) ENGINE=InnoDB`,
      );
      // Children point at the first 500 parents.
      await app.query(seedRows(c, SEED, '(id, pid)', (id) => `(${id}, ${1 + (id % 500)})`));
      // With drop_swap the swap is atomic for the children too: the load deletes any parent (cascading to
      // children). rebuild_constraints and none leave the children on the old table for a while (their
      // stated cost), so there the load deletes only parents without children.
      const w = new Writer(db.app, t, SEED, false, method === 'drop_swap' ? () => true : (id) => id > 500);
      w.start();
      await sleep(300);
      const run = await migrate(t, 'ADD COLUMN extra INT NOT NULL DEFAULT 7', ['--alter-foreign-keys-method', method]);
      await sleep(300);
      await w.stop();
      expect(run.error, run.out.join('\n')).toBeUndefined();
      expect(run.out.some((l) => l.startsWith(`  children:    ${c}.fk_${c}: ${method}: `))).toBe(true);
      expect(await rowsOf(t)).toEqual(w.model);
      const tablesNow = await tables();
      if (method === 'none') {
        expect(await referenced(c)).toEqual([`fk_${c} → _${t}_del`]);
        expect(run.out.at(-1)).toContain(`child foreign keys left on _${t}_del (--alter-foreign-keys-method none): ${c}.fk_${c}; old table kept as _${t}_del.`);
        return;
      }
      expect(await referenced(c)).toEqual([`fk_${c} → ${t}`]);
      expect(tablesNow.includes(`_${t}_del`)).toBe(method === 'rebuild_constraints');
      expect(run.out.at(-1)).toContain(
        method === 'drop_swap'
          ? 'child foreign keys hold on the new table (drop_swap: the old table was dropped inside the cut-over); old table dropped.'
          : `child foreign keys re-pointed at the new table: ${c}.fk_${c}; old table kept as _${t}_del.`,
      );
      // No orphan, and the key works on the live table: a new parent's child is taken, a missing parent's refused, a delete cascades.
      expect(Number(await queryValue(admin, `SELECT COUNT(*) FROM \`${c}\` x LEFT JOIN \`${t}\` p ON p.id = x.pid WHERE p.id IS NULL`))).toBe(0);
      await app.query(`INSERT INTO \`${t}\` (id, v) VALUES (7000000, 1)`);
      await app.query(`INSERT INTO \`${c}\` (id, pid) VALUES (7000000, 7000000)`);
      const refused = await app.query(`INSERT INTO \`${c}\` (id, pid) VALUES (7000001, 7000001)`).then(
        () => 0,
        (e: unknown) => errno(e),
      );
      expect(refused).toBe(1452);
      await app.query(`DELETE FROM \`${t}\` WHERE id = 7000000`);
      expect(Number(await queryValue(admin, `SELECT COUNT(*) FROM \`${c}\` WHERE id = 7000000`))).toBe(0);
    });
  });

  it('refuses a parent table without --alter-foreign-keys-method, naming each child and each method\'s cost, changing nothing', async () => {
    await app.query('CREATE TABLE rp (id INT NOT NULL PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB');
    await app.query('CREATE TABLE rc (id INT NOT NULL PRIMARY KEY, pid INT NOT NULL, CONSTRAINT fk_rc FOREIGN KEY (pid) REFERENCES rp (id)) ENGINE=InnoDB');
    const run = await migrate('rp', 'ADD COLUMN extra INT');
    expect(String(run.error)).toContain(
      `table ${db.name}.rp is referenced by foreign key ${db.name}.rc.fk_rc (pid) → rp (id); a swap by RENAME would leave that key on the old table. Choose with --alter-foreign-keys-method: rebuild_constraints (`,
    );
    const selfRef = await (async () => {
      await app.query('CREATE TABLE rs (id INT NOT NULL PRIMARY KEY, up INT NULL, CONSTRAINT fk_rs FOREIGN KEY (up) REFERENCES rs (id)) ENGINE=InnoDB');
      return migrate('rs', 'ADD COLUMN extra INT');
    })();
    expect(String(selfRef.error)).toContain(`table ${db.name}.rs references itself through foreign key fk_rs; oschange does not migrate self-referencing tables yet`);
    expect((await tables()).filter((t) => /^_r[ps]_/.test(t))).toEqual([]);
  });

  it('carries a child table\'s own foreign key to the new table under its second name, and keeps every row under live writes', async () => {
    const action = mariadb ? 'RESTRICT' : 'CASCADE';
    await app.query('CREATE TABLE op (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB');
    await app.query(seedRows('op', 400, '(id)', (id) => `(${id})`));
    await app.query(
      `CREATE TABLE oc (id INT NOT NULL PRIMARY KEY, v INT NOT NULL, note VARCHAR(20) NOT NULL DEFAULT '', pid INT NOT NULL DEFAULT 1, CONSTRAINT fk_oc FOREIGN KEY (pid) REFERENCES op (id) ON DELETE ${action}) ENGINE=InnoDB`,
    );
    await app.query(seedRows('oc', SEED, '(id, v, note, pid)', (id) => `(${id}, ${id}, 'i${id}', ${1 + (id % 400)})`));
    const w = new Writer(db.app, 'oc', SEED, false);
    w.start();
    await sleep(300);
    const run = await migrate('oc', 'ADD COLUMN extra INT NOT NULL DEFAULT 7');
    await sleep(300);
    await w.stop();
    expect(run.error, run.out.join('\n')).toBeUndefined();
    expect(run.out).toContain('  own keys:    fk_oc as _fk_oc on the new table (a foreign key name is unique in a schema, and the old table keeps the first)');
    expect(await referenced('oc')).toEqual(['_fk_oc → op']);
    expect(await referenced('_oc_del')).toEqual(['fk_oc → op']);
    expect(await rowsOf('oc')).toEqual(w.model);
    expect(Number(await queryValue(admin, 'SELECT COUNT(*) FROM oc x LEFT JOIN op p ON p.id = x.pid WHERE p.id IS NULL'))).toBe(0);
    // The key is enforced on the new table.
    const refused = await app.query('INSERT INTO oc (id, v, pid) VALUES (8000000, 1, 999999)').then(
      () => 0,
      (e: unknown) => errno(e),
    );
    expect(refused).toBe(1452);
    if (!mariadb) {
      // MySQL logs a cascade's changes: a parent deleted now cascades on the new table.
      await app.query('DELETE FROM op WHERE id = 5');
      expect(Number(await queryValue(admin, 'SELECT COUNT(*) FROM oc WHERE pid = 5'))).toBe(0);
    }
  });

  // MariaDB only (MySQL logs a cascade's rows, tested above): registered only there, so nothing is skipped.
  if (mariadb) it('refuses on MariaDB a child table whose key cascades, since MariaDB does not log the rows a cascade changes', async () => {
    await app.query('CREATE TABLE mp (id INT NOT NULL PRIMARY KEY) ENGINE=InnoDB');
    await app.query('CREATE TABLE mc (id INT NOT NULL PRIMARY KEY, pid INT NOT NULL, CONSTRAINT fk_mc FOREIGN KEY (pid) REFERENCES mp (id) ON DELETE CASCADE) ENGINE=InnoDB');
    const run = await migrate('mc', 'ADD COLUMN extra INT');
    expect(String(run.error)).toContain(
      `foreign key fk_mc of ${db.name}.mc changes its rows itself (ON DELETE CASCADE ON UPDATE RESTRICT), and this server (`,
    );
    expect(String(run.error)).toContain('does not write those changes to the binlog, so the new table would miss them');
    expect((await tables()).filter((t) => t.startsWith('_mc'))).toEqual([]);
  });
});
