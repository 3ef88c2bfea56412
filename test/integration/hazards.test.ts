import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentBinlogPosition } from '../../src/binlog/current-position.js';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { runMigration, type CutOverGate, type MigrationResult } from '../../src/migrator.js';
import { quoteTable } from '../../src/sql/quote.js';
import { configFromFlags } from '../helpers/migration.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

/**
 * ALTERs that can lose data, each run against a real server: every one is either done with every
 * value kept (checked row for row), or refused with one clear line and the original untouched
 * (its definition and content, and no table left behind).
 */
interface Hazard {
  readonly name: string;
  readonly flavors?: readonly ('mysql' | 'mariadb')[];
  /** Creates and fills table `t`. */
  readonly create: readonly string[];
  readonly alter: string;
  readonly extra?: readonly string[];
  /** Refused: the error message, with `DB` for the database's name (and `REPLICA` for the replica's address). */
  readonly refuse?: string;
  /** Refused only once the copy found it (so the ghost is kept for --resume, as after any stop). */
  readonly refusedWhileCopying?: boolean;
  /** Done: a query on `t` afterwards and the rows it must return. */
  readonly expect?: { readonly query: string; readonly rows: readonly (readonly unknown[])[] };
  /** Run at the cut-over gate (after the copy, before the swap), as the application would. */
  readonly beforeCutOver?: (admin: Connection, gate: CutOverGate) => Promise<void>;
}

const PEOPLE = [
  "CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(40) NULL, name VARCHAR(20) NOT NULL, amount DECIMAL(12,4) NOT NULL DEFAULT 0, size ENUM('s','m','l') NOT NULL DEFAULT 's', note VARCHAR(20) CHARACTER SET utf8mb4 NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
  "INSERT INTO t VALUES (1, 'a@x', 'Ann', 1.5, 's', 'plain'), (2, 'b@x', 'Bob', 123.45, 'm', NULL), (3, 'a@x', 'Cy', 2.25, 'l', 'emoji 😀'), (4, 'a@x', 'Di', 0.1234, 's', 'tab\\there')",
];

const HAZARDS: readonly Hazard[] = [
  {
    name: 'a new UNIQUE key over duplicate values',
    create: PEOPLE,
    alter: 'ADD UNIQUE KEY uk_email (email)',
    refuse: "DB.t: 3 rows share email='a@x' (id 1, id 3, id 4; checked on replica REPLICA); the new UNIQUE KEY uk_email would drop 2 of them. Remove the duplicates first",
  },
  {
    name: 'a narrower DECIMAL (values above 99.99)',
    create: PEOPLE,
    alter: 'MODIFY amount DECIMAL(4,2) NOT NULL DEFAULT 0',
    refuse:
      "DB.t: column amount holds values outside the new type's range (-99.99 to 99.99), e.g. id 2: amount=123.4500 (checked on replica REPLICA); the ALTER to decimal(4,2) NOT NULL would change them. Fix the data first, or accept the change with --allow-data-loss=truncate",
  },
  {
    name: 'fewer decimal places (values would be rounded)',
    create: PEOPLE,
    alter: 'MODIFY amount DECIMAL(14,2) NOT NULL DEFAULT 0',
    refuse:
      'DB.t: column amount holds values with more than 2 decimal places, which would be rounded, e.g. id 4: amount=0.1234 (checked on replica REPLICA); the ALTER to decimal(14,2) NOT NULL would change them. Fix the data first, or accept the change with --allow-data-loss=truncate',
  },
  {
    name: 'DECIMAL to INT',
    create: PEOPLE,
    alter: 'MODIFY amount INT NOT NULL DEFAULT 0',
    refuse: 'column amount holds values with more than 0 decimal places, which would be rounded, e.g. id 1: amount=1.5000',
  },
  {
    name: 'a shorter VARCHAR',
    create: PEOPLE,
    alter: 'MODIFY name VARCHAR(2) NOT NULL',
    refuse: "column name holds values longer than 2 characters, e.g. id 1: name='Ann' (checked on replica REPLICA); the ALTER to varchar(2) NOT NULL would change them",
  },
  {
    name: 'a removed ENUM member',
    create: PEOPLE,
    alter: "MODIFY size ENUM('s','m') NOT NULL DEFAULT 's'",
    refuse: "column size holds values that are not members of the new type, e.g. id 3: size='l'",
  },
  {
    name: 'utf8mb4 to latin1 (an emoji would become "?")',
    create: PEOPLE,
    alter: 'MODIFY note VARCHAR(20) CHARACTER SET latin1 NULL',
    refuse: "column note holds characters that latin1 cannot store (they would become \"?\"), e.g. id 3: note='emoji 😀'",
  },
  {
    name: 'NOT NULL over NULLs',
    create: PEOPLE,
    alter: 'MODIFY note VARCHAR(20) NOT NULL',
    refuse:
      "column note holds NULLs, which the NOT NULL column would turn into its type's default, e.g. id 2: note=NULL (checked on replica REPLICA); the ALTER to varchar(20) NOT NULL would change them. Fix the data first, or accept the change with --allow-data-loss=null-to-default",
  },
  {
    name: 'a shorter VARCHAR, accepted by name with --allow-data-loss=truncate',
    create: PEOPLE,
    alter: 'MODIFY name VARCHAR(2) NOT NULL',
    extra: ['--allow-data-loss', 'truncate'],
    expect: { query: 'SELECT id, name FROM t ORDER BY id', rows: [[1, 'An'], [2, 'Bo'], [3, 'Cy'], [4, 'Di']] },
  },
  {
    name: 'a column dropped and added again under its name is a new column (its default, not the old values)',
    create: PEOPLE,
    alter: 'DROP COLUMN note, ADD COLUMN note INT NOT NULL DEFAULT 47',
    expect: { query: 'SELECT id, note, name FROM t ORDER BY id', rows: [[1, 47, 'Ann'], [2, 47, 'Bob'], [3, 47, 'Cy'], [4, 47, 'Di'], [5, 47, 'Ed']] },
    beforeCutOver: async (admin) => {
      await admin.query("INSERT INTO t (id, email, name, note) VALUES (5, NULL, 'Ed', NULL)");
    },
  },
  {
    name: "MariaDB's CHANGE COLUMN IF EXISTS renames the column, keeping its values",
    flavors: ['mariadb'],
    create: PEOPLE,
    alter: 'CHANGE COLUMN IF EXISTS name full_name VARCHAR(20) NOT NULL',
    extra: ['--approve-renamed-columns'],
    expect: { query: 'SELECT id, full_name FROM t ORDER BY id', rows: [[1, 'Ann'], [2, 'Bob'], [3, 'Cy'], [4, 'Di']] },
  },
  {
    name: "MariaDB's ADD COLUMN IF NOT EXISTS of an existing column changes nothing",
    flavors: ['mariadb'],
    create: PEOPLE,
    alter: 'ADD COLUMN IF NOT EXISTS name INT NULL, ADD COLUMN IF NOT EXISTS extra INT NULL',
    expect: { query: 'SELECT id, name, extra FROM t ORDER BY id', rows: [[1, 'Ann', null], [2, 'Bob', null], [3, 'Cy', null], [4, 'Di', null]] },
  },
  {
    name: "MariaDB's DROP COLUMN IF EXISTS of a missing column keeps every value",
    flavors: ['mariadb'],
    create: PEOPLE,
    alter: 'DROP COLUMN IF EXISTS nothing_here, ADD COLUMN extra INT NULL',
    expect: { query: 'SELECT id, email, name, amount, note FROM t ORDER BY id', rows: [[1, 'a@x', 'Ann', '1.5000', 'plain'], [2, 'b@x', 'Bob', '123.4500', null], [3, 'a@x', 'Cy', '2.2500', 'emoji 😀'], [4, 'a@x', 'Di', '0.1234', 'tab\there']] },
  },
  {
    name: 'ALTER IGNORE, which drops duplicate rows',
    create: PEOPLE,
    alter: 'ALTER IGNORE TABLE t ADD UNIQUE KEY uk_email (email)',
    refuse: 'ALTER IGNORE drops every row that breaks a new unique key, and oschange never drops rows: remove IGNORE, and remove the duplicates first (the dry run names them)',
  },
  {
    name: 'a new UNIQUE key over a new column, whose default is the same for every row',
    create: PEOPLE,
    alter: 'ADD COLUMN code INT NOT NULL DEFAULT 0, ADD UNIQUE KEY uk_code (code)',
    refusedWhileCopying: true,
    refuse:
      'DB.t: row id 2 collides with another on the new UNIQUE KEY uk_code, which includes code, a column the ALTER adds: every row gets the same default there, so the key cannot hold more than one, and oschange never drops a row. The original table is untouched: add the column without the key, give it distinct values, then add the key',
  },
  {
    name: 'a duplicate the application writes during the copy, for a new UNIQUE key',
    create: ["CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(40) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "INSERT INTO t VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x')"],
    alter: 'ADD UNIQUE KEY uk_email (email)',
    refusedWhileCopying: true,
    beforeCutOver: async (admin, gate) => {
      await admin.query("INSERT INTO t VALUES (4, 'b@x')");
      await gate.waitCaughtUp();
    },
    refuse: "DB.t: rows id 2 and id 4 share email='b@x' in the original (written while the migration ran); the new UNIQUE KEY uk_email cannot hold both, and oschange never drops a row. The original table is untouched: remove the duplicates and run the migration again",
  },
  {
    name: 'values swapped between rows in two steps, for a new UNIQUE key (a duplicate for a moment only)',
    create: ["CREATE TABLE t (id INT NOT NULL PRIMARY KEY, email VARCHAR(40) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4", "INSERT INTO t VALUES (1, 'a@x'), (2, 'b@x'), (3, 'c@x')"],
    alter: 'ADD UNIQUE KEY uk_email (email)',
    // One event per batch, so the moment of the duplicate reaches the ghost on its own.
    extra: ['--dml-batch-size', '1'],
    beforeCutOver: async (admin, gate) => {
      await admin.query('BEGIN');
      await admin.query("UPDATE t SET email = 'a@x' WHERE id = 2");
      await admin.query("UPDATE t SET email = 'b@x' WHERE id = 1");
      await admin.query('COMMIT');
      await gate.waitCaughtUp();
    },
    expect: { query: 'SELECT id, email FROM t ORDER BY id', rows: [[1, 'b@x'], [2, 'a@x'], [3, 'c@x']] },
  },
];

/** What must not change when a migration is refused: every table's definition and content. */
async function tableState(conn: Connection, database: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await queryRows(conn, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database])) {
    const t = String(r['t']);
    const [create] = await queryRows(conn, `SHOW CREATE TABLE ${quoteTable(database, t)}`);
    const [sum] = await queryRows(conn, `CHECKSUM TABLE ${quoteTable(database, t)}`);
    out[t] = `${String(create?.['Create Table'])} checksum=${String(sum?.['Checksum'])}`;
  }
  return out;
}

const normalize = (rows: Record<string, unknown>[]): unknown[][] => rows.map((r) => Object.values(r).map((v) => (typeof v === 'bigint' ? Number(v) : v)));

describe.each(testServers().map((s) => [label(s), s] as const))('hazardous ALTERs on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  const replica = server.replica === undefined ? 'none' : `${server.replica.app.host}:${server.replica.app.port}`;

  beforeAll(async () => {
    db = await freshDatabase(server, 'hazard');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  it.each(HAZARDS.filter((h) => h.flavors === undefined || h.flavors.includes(server.version.flavor)).map((h) => [h.name, h] as const))('%s', async (_n, h) => {
    await admin.query('DROP TABLE IF EXISTS t, _t_gho, _t_ghc, _t_ghk, _t_del');
    for (const s of h.create) await admin.query(s);
    const before = await tableState(admin, db.name);
    const config = configFromFlags(db.app, db.name, 't', h.alter, ['--chunk-size', '10', '--serve-socket-file', `/tmp/oschange-hazard-${db.name}.sock`, ...(h.extra ?? [])]);
    const run = runMigration({
      config,
      log: process.env['OSCHANGE_TEST_LOG'] ? createLogger({ destination: process.stderr, pretty: false, level: 'debug' }) : silentLogger(),
      out: () => undefined,
      signal: new AbortController().signal,
      ...(h.beforeCutOver === undefined ? {} : { beforeCutOver: (gate: CutOverGate) => (h.beforeCutOver as NonNullable<Hazard['beforeCutOver']>)(admin, gate) }),
    });
    if (h.refuse !== undefined) {
      const expected = h.refuse.replaceAll('DB', db.name).replaceAll('REPLICA', replica);
      await expect(run).rejects.toThrow(expected);
      const after = await tableState(admin, db.name);
      if (h.refusedWhileCopying !== true) {
        // Refused before anything was created: the server is exactly as it was.
        expect(after).toEqual(before);
      } else {
        // Refused during the copy: the original keeps its definition (and the application's rows);
        // the ghost, changelog and checkpoint are kept for --resume, as after any stop.
        expect(after['t']?.replace(/ checksum=.*/, '')).toBe(before['t']?.replace(/ checksum=.*/, ''));
        expect(Object.keys(after).sort()).toEqual(['_t_ghc', '_t_ghk', '_t_gho', 't']);
        if (h.beforeCutOver === undefined) expect(after['t']).toBe(before['t']);
      }
      return;
    }
    const result: MigrationResult = await run;
    expect(result.executed).toBe(true);
    const wanted = h.expect as NonNullable<Hazard['expect']>;
    expect(normalize(await queryRows(admin, wanted.query))).toEqual(wanted.rows.map((r) => [...r]));
  });
});

/**
 * Instant first: the ALTER that runs on the original table must be exactly the operator's, with
 * ALGORITHM=INSTANT, whatever comment or terminator the --alter text has. The binlog is the proof:
 * every statement it logs on the original is an instant ALTER the server accepted, or the swap.
 */
describe.each(testServers().map((s) => [label(s), s] as const))('the only statements on the original table on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let admin: Connection;
  beforeAll(async () => {
    db = await freshDatabase(server, 'instant_safe');
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    await admin?.end();
    await db?.drop();
  });

  /** Statements in the binlog since `from` that change table t itself (not its helper tables). */
  const statementsOn = async (from: { file: string; position: number }): Promise<string[]> => {
    // Every binary log from that position on: another test file may rotate the log meanwhile.
    const files = (await queryRows(admin, 'SHOW BINARY LOGS')).map((r) => String(r['Log_name'])).filter((f) => f >= from.file);
    const rows = [];
    for (const f of files) rows.push(...(await queryRows(admin, f === from.file ? `SHOW BINLOG EVENTS IN '${f}' FROM ${from.position}` : `SHOW BINLOG EVENTS IN '${f}'`)));
    const t = `\`${db.name}\`.\`t\``;
    return rows
      .filter((r) => String(r['Event_type']) === 'Query')
      .map((r) => String(r['Info']).replace(/^use `[^`]*`; /, '').replace(/ \/\* xid=\d+ \*\/$/, ''))
      .filter((info) => [`ALTER TABLE ${t}`, `DROP TABLE ${t}`, `DROP TABLE IF EXISTS ${t}`, `TRUNCATE TABLE ${t}`].some((p) => info.startsWith(p)) || (info.startsWith('RENAME TABLE') && info.includes(`${t} TO`)))
      .map((info) => info.replaceAll(db.name, 'DB'));
  };

  it.each([
    ['a -- comment', 'MODIFY amount DECIMAL(16,2) NOT NULL -- ticket 42'],
    ['a # comment', 'MODIFY amount DECIMAL(16,2) NOT NULL # ticket 42'],
    ['a /* */ comment', 'MODIFY amount DECIMAL(16,2) NOT NULL /* ticket 42 */'],
    ['a trailing semicolon', 'MODIFY amount DECIMAL(16,2) NOT NULL;'],
    ['a string that looks like a comment', "MODIFY amount DECIMAL(16,2) NOT NULL COMMENT '-- ticket 42, ALGORITHM=COPY'"],
  ])('a change the server cannot do instantly, with %s, is copied: nothing but the swap touches the original', async (_what, alter) => {
    await admin.query('DROP TABLE IF EXISTS t, _t_gho, _t_ghc, _t_ghk, _t_del');
    await admin.query('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, amount DECIMAL(12,2) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    await admin.query('INSERT INTO t VALUES (1, 10.50), (2, 99999999.99)');
    const from = await currentBinlogPosition(admin, server.version);
    const config = configFromFlags(db.app, db.name, 't', alter, ['--attempt-instant-ddl', '--serve-socket-file', `/tmp/oschange-instant-${db.name}.sock`]);
    const result = await runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal });
    expect(result.instant).toBe(false);
    expect(await statementsOn(from)).toEqual(['RENAME TABLE `DB`.`t` TO `DB`.`t_osc_sentry`, `DB`.`t_osc_sentry` TO `DB`.`_t_del`, `DB`.`_t_gho` TO `DB`.`t`']);
    expect(normalize(await queryRows(admin, 'SELECT id, amount FROM t ORDER BY id'))).toEqual([[1, '10.50'], [2, '99999999.99']]);
  });

  it.each([
    ['a -- comment', 'ADD COLUMN note VARCHAR(20) NULL -- ticket 42'],
    ['a # comment and a semicolon', 'ADD COLUMN note VARCHAR(20) NULL; # ticket 42'],
    ['a /* */ comment in the middle', "ADD COLUMN note /* why */ VARCHAR(20) NULL DEFAULT '-- x'"],
  ])('a change the server can do instantly, with %s, runs as ALGORITHM=INSTANT without the comment', async (_what, alter) => {
    await admin.query('DROP TABLE IF EXISTS t, _t_gho, _t_ghc, _t_ghk, _t_del');
    await admin.query('CREATE TABLE t (id INT NOT NULL PRIMARY KEY, amount DECIMAL(12,2) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4');
    await admin.query('INSERT INTO t VALUES (1, 10.50)');
    const from = await currentBinlogPosition(admin, server.version);
    const config = configFromFlags(db.app, db.name, 't', alter, ['--attempt-instant-ddl', '--serve-socket-file', `/tmp/oschange-instant-${db.name}.sock`]);
    const result = await runMigration({ config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal });
    expect(result.instant).toBe(true);
    const statements = await statementsOn(from);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^ALTER TABLE `DB`\.`t` ALGORITHM=INSTANT, ADD COLUMN note VARCHAR\(20\) NULL/);
    expect(statements[0]).not.toMatch(/ticket|why|#|;/);
  });
});
