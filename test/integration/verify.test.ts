import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, queryRows, queryValue, type Connection } from '../../src/db/connect.js';
import { OschangeError } from '../../src/errors.js';
import { createLogger, type Logger } from '../../src/log.js';
import { tableChecksum } from '../../src/sql/checksum.js';
import { NumericLiteral } from '../../src/sql/literals.js';
import { rangeChecksum } from '../../src/sql/verify.js';
import { parseRangeSum } from '../../src/verify/range-checksum.js';
import { verifyTables, type VerifyOptions, type VerifyResult } from '../../src/verify/verifier.js';
import { freshDatabase, label, testServers } from '../helpers/servers.js';

const ROWS = 20_000;
const CHUNK = 1000;

/** One original/ghost pair: how it is built and how its columns and key map. */
interface Case {
  readonly table: string;
  readonly ghost: string;
  readonly create: readonly string[];
  readonly key: VerifyOptions['key'];
  readonly ghostKeyColumns: readonly string[];
  readonly keyTypes: readonly string[];
  readonly pairs: readonly { from: string; to: string }[];
  readonly row: (i: number) => unknown[];
}

/** INT key; the ghost has an added column (not compared, not copied). */
const simple: Case = {
  table: 't',
  ghost: '_t_gho',
  create: [
    'CREATE TABLE t (id INT NOT NULL PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4 NULL, amount DECIMAL(12,3) NULL, note TEXT CHARACTER SET utf8mb4 NULL, created DATETIME(6) NULL)',
    'CREATE TABLE _t_gho (id INT NOT NULL PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4 NULL, amount DECIMAL(12,3) NULL, note TEXT CHARACTER SET utf8mb4 NULL, created DATETIME(6) NULL, extra INT NOT NULL DEFAULT 7)',
  ],
  key: { indexName: 'PRIMARY', columns: ['id'], byNumber: [false] },
  ghostKeyColumns: ['id'],
  keyTypes: ['int'],
  pairs: ['id', 'name', 'amount', 'note', 'created'].map((c) => ({ from: c, to: c })),
  row: (i) => [
    i,
    i % 7 === 0 ? null : `name ${i} 😀 ü`,
    i % 5 === 0 ? null : `${i}.${String(i % 1000).padStart(3, '0')}`,
    i % 3 === 0 ? null : `${'x'.repeat(i % 50)}é🚀`,
    i % 11 === 0 ? null : `2024-01-${String(1 + (i % 28)).padStart(2, '0')} 10:00:00.${String(i).padStart(6, '0')}`,
  ],
};

/**
 * Composite key with an ENUM whose members are not in label order (so chunk bounds must be member
 * numbers, as the copy reads them) and a key column the ghost renames (code → sku).
 */
const composite: Case = {
  table: 'c',
  ghost: '_c_gho',
  create: [
    "CREATE TABLE c (tenant INT NOT NULL, kind ENUM('zeta','alpha','mid') NOT NULL, code VARCHAR(20) CHARACTER SET utf8mb4 NOT NULL, payload VARBINARY(16) NULL, score DOUBLE NULL, PRIMARY KEY (kind, tenant, code))",
    "CREATE TABLE _c_gho (tenant INT NOT NULL, kind ENUM('zeta','alpha','mid') NOT NULL, sku VARCHAR(20) CHARACTER SET utf8mb4 NOT NULL, payload VARBINARY(16) NULL, score DOUBLE NULL, PRIMARY KEY (kind, tenant, sku))",
  ],
  key: { indexName: 'PRIMARY', columns: ['kind', 'tenant', 'code'], byNumber: [true, false, false] },
  ghostKeyColumns: ['kind', 'tenant', 'sku'],
  keyTypes: ['enum', 'int', 'varchar'],
  pairs: [
    { from: 'tenant', to: 'tenant' },
    { from: 'kind', to: 'kind' },
    { from: 'code', to: 'sku' },
    { from: 'payload', to: 'payload' },
    { from: 'score', to: 'score' },
  ],
  row: (i) => [i % 50, ['zeta', 'alpha', 'mid'][i % 3], `c${i}ñ`, i % 4 === 0 ? null : Buffer.from(Array.from({ length: i % 16 }, (_, j) => (i + j) % 256)), i % 6 === 0 ? null : i / 7],
};

/**
 * A key the ALTER widens (docs/design.md, "The shared key"): the original's PRIMARY KEY (id) is the
 * shared key; the ghost's is (id, i, shard), shard an added column (not compared, not copied), so a
 * ghost may hold two rows of one id — even two whose compared columns are all equal.
 */
const widened: Case = {
  table: 'w',
  ghost: '_w_gho',
  create: [
    'CREATE TABLE w (id INT NOT NULL PRIMARY KEY, i INT NOT NULL, name VARCHAR(40) CHARACTER SET utf8mb4 NOT NULL)',
    'CREATE TABLE _w_gho (id INT NOT NULL, i INT NOT NULL, name VARCHAR(40) CHARACTER SET utf8mb4 NOT NULL, shard INT NOT NULL DEFAULT 0, PRIMARY KEY (id, i, shard))',
  ],
  key: { indexName: 'PRIMARY', columns: ['id'], byNumber: [false] },
  ghostKeyColumns: ['id'],
  keyTypes: ['int'],
  pairs: ['id', 'i', 'name'].map((c) => ({ from: c, to: c })),
  row: (i) => [i, i % 5, `name ${i} ✓`],
};

function captureLog(level = 'warn'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ level, pretty: false, destination }), lines };
}

describe.each(testServers().map((s) => [label(s), s] as const))('pre-cut-over checksum on %s', (_name, server) => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let conn: Connection;
  let ghostConn: Connection;
  let other: Connection;
  let admin: Connection;

  beforeAll(async () => {
    db = await freshDatabase(server, 'verify');
    conn = await connect(db.app);
    ghostConn = await connect(db.app);
    other = await connect(db.app);
    // Triggers are created as admin: with binary logging on, MySQL may want more than TRIGGER.
    admin = await connect({ ...server.primary.admin, database: db.name });
  });
  afterAll(async () => {
    for (const c of [conn, ghostConn, other, admin]) await c?.end();
    await db?.drop();
  });

  /** Creates both tables, fills the original and copies it into the ghost. */
  async function build(c: Case, rows = ROWS): Promise<void> {
    await other.query(`DROP TABLE IF EXISTS ${c.table}, ${c.ghost}`);
    for (const sql of c.create) await other.query(sql);
    const cols = c.pairs.map((p) => `\`${p.from}\``).join(', ');
    for (let start = 1; start <= rows; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, rows - start + 1) }, (_, k) => c.row(start + k));
      await other.query(`INSERT INTO ${c.table} (${cols}) VALUES ${batch.map((r) => `(${r.map(() => '?').join(', ')})`).join(', ')}`, batch.flat());
    }
    await other.query(`INSERT INTO ${c.ghost} (${c.pairs.map((p) => `\`${p.to}\``).join(', ')}) SELECT ${cols} FROM ${c.table}`);
  }

  function options(c: Case, log: Logger, progress: VerifyResult[] = []): VerifyOptions {
    return {
      conn,
      ghostConn,
      version: server.version,
      database: db.name,
      table: c.table,
      ghost: c.ghost,
      key: c.key,
      ghostKeyColumns: c.ghostKeyColumns,
      keyTypes: c.keyTypes,
      pairs: c.pairs,
      copyPairs: c.pairs,
      chunkRows: CHUNK,
      maxAttempts: 3,
      // No binlog applier runs in these tests: nothing writes to the tables while they verify,
      // so the ghost is always "caught up".
      waitCaughtUp: async () => {},
      log,
      onProgress: (p) => progress.push({ chunks: p.chunksDone, rows: p.rowsChecked, repairedChunks: p.repaired, ms: 0 }),
    };
  }

  const wholeSum = async (c: Case, side: 'original' | 'ghost') =>
    (await queryRows(other, tableChecksum(db.name, side === 'original' ? c.table : c.ghost, c.pairs.map((p) => (side === 'original' ? p.from : p.to))).sql))[0];
  const content = async (c: Case, side: 'original' | 'ghost') => {
    const cols = c.pairs.map((p) => `\`${side === 'original' ? p.from : p.to}\` AS \`${p.from}\``).join(', ');
    const key = (side === 'original' ? c.key.columns : c.ghostKeyColumns).map((k) => `\`${k}\``).join(', ');
    return queryRows(other, `SELECT ${cols} FROM ${side === 'original' ? c.table : c.ghost} ORDER BY ${key}`);
  };
  /** The rows the checksum re-copied (`copy 5500`) or deleted from the ghost (`delete -5`), in order. */
  const repairLogs = (lines: Record<string, unknown>[]) =>
    lines
      .filter((l) => l['msg'] === 'checksum: a row differs in the ghost; re-copying it' || l['msg'] === 'checksum: the ghost holds a row the original does not; deleting it')
      .map((l) => `${l['msg'] === 'checksum: a row differs in the ghost; re-copying it' ? 'copy' : 'delete'} ${(l['key'] as string[]).join(', ')}`);

  it.each([
    ['an INT key', simple],
    ['a composite key with an ENUM and a renamed column', composite],
    ['a key the ghost widens', widened],
  ] as const)('passes identical tables with %s without repairs', async (_what, c) => {
    await build(c);
    const { log, lines } = captureLog();
    const progress: VerifyResult[] = [];
    const result = await verifyTables(options(c, log, progress), new AbortController().signal);
    // 20 ranges of 1,000 rows, then the open range beyond the last key.
    expect({ ...result, ms: 0 }).toEqual({ chunks: 21, rows: ROWS, repairedChunks: 0, ms: 0 });
    expect(progress.at(-1)).toEqual({ chunks: 21, rows: ROWS, repairedChunks: 0, ms: 0 });
    expect(lines).toEqual([]);
  });

  it('repairs a changed value, a fractional DECIMAL change, a missing row and extra rows below and beyond the key range', async () => {
    const c = simple;
    await build(c);
    const before = await wholeSum(c, 'original');
    const originalRows = await content(c, 'original');
    await other.query("UPDATE _t_gho SET name = 'corrupted' WHERE id = 5500");
    // HEX(amount) alone would not see this: HEX() of a DECIMAL hexes its integer part.
    await other.query('UPDATE _t_gho SET amount = amount + 0.001 WHERE id = 9001');
    await other.query('DELETE FROM _t_gho WHERE id = 12001');
    await other.query("INSERT INTO _t_gho (id, name) VALUES (-5, 'below the first key')");
    await other.query("INSERT INTO _t_gho (id, name) VALUES (25000, 'beyond the last key')");
    expect(await wholeSum(c, 'ghost')).not.toEqual(before);

    const { log, lines } = captureLog();
    const result = await verifyTables(options(c, log), new AbortController().signal);
    expect({ chunks: result.chunks, rows: result.rows, repairedChunks: result.repairedChunks }).toEqual({ chunks: 21, rows: ROWS, repairedChunks: 5 });
    // Each differing range of 1000 rows is compared row by row: only the differing rows are repaired.
    expect(repairLogs(lines)).toEqual(['delete -5', 'copy 5500', 'copy 9001', 'copy 12001', 'delete 25000']);
    expect(lines.every((l) => l['level'] === 40)).toBe(true);
    expect(await wholeSum(c, 'ghost')).toEqual(before);
    expect(await wholeSum(c, 'original')).toEqual(before);
    expect(await content(c, 'ghost')).toEqual(originalRows);
    // Re-copied rows got the added column's default, as the copy gives it.
    expect(await queryValue(other, 'SELECT COUNT(*) FROM _t_gho WHERE extra <> 7')).toBe('0');

    const again = await verifyTables(options(c, captureLog().log), new AbortController().signal);
    expect(again.repairedChunks).toBe(0);
  });

  it('repairs ranges of a composite key through the ghost’s renamed key column', async () => {
    const c = composite;
    await build(c);
    const before = await wholeSum(c, 'original');
    const originalRows = await content(c, 'original');
    const nth = async (n: number) => (await queryRows(other, 'SELECT kind, tenant, code FROM c ORDER BY kind, tenant, code LIMIT 1 OFFSET ?', [n - 1]))[0] ?? {};
    // A row with a score, from the range of rows 2,001–3,000.
    const a = (await queryRows(other, 'SELECT kind, tenant, code, score FROM c ORDER BY kind, tenant, code LIMIT 1000 OFFSET 2000')).find((r) => r['score'] !== null) ?? {};
    const b = await nth(9000);
    const d = await nth(15000);
    const ghostKey = 'tenant = ? AND kind = ? AND sku = ?';
    // A DOUBLE that differs only after the point (HEX(score) would not see it), a deleted row, a
    // changed binary value.
    expect(a['score']).not.toBeNull();
    await other.query(`UPDATE _c_gho SET score = score + 0.000001 WHERE ${ghostKey}`, [a['tenant'], a['kind'], a['code']]);
    await other.query(`DELETE FROM _c_gho WHERE ${ghostKey}`, [b['tenant'], b['kind'], b['code']]);
    await other.query(`UPDATE _c_gho SET payload = 0x00FF WHERE ${ghostKey}`, [d['tenant'], d['kind'], d['code']]);

    const { log, lines } = captureLog();
    const result = await verifyTables(options(c, log), new AbortController().signal);
    expect({ chunks: result.chunks, rows: result.rows, repairedChunks: result.repairedChunks }).toEqual({ chunks: 21, rows: ROWS, repairedChunks: 3 });
    expect(repairLogs(lines)).toEqual([
      `copy ${String(a['kind'])}, ${String(a['tenant'])}, ${String(a['code'])}`,
      `copy ${String(b['kind'])}, ${String(b['tenant'])}, ${String(b['code'])}`,
      `copy ${String(d['kind'])}, ${String(d['tenant'])}, ${String(d['code'])}`,
    ]);
    expect(await wholeSum(c, 'ghost')).toEqual(before);
    expect(await content(c, 'ghost')).toEqual(originalRows);
  });

  it('finds a second ghost row of an id under a widened key — another i, or the same compared content under another added key value — and re-copies it', async () => {
    const c = widened;
    await build(c);
    const originalRows = await content(c, 'original');
    await other.query("INSERT INTO _w_gho (id, i, name) VALUES (5500, 99, 'a stale version')");
    await other.query('INSERT INTO _w_gho (id, i, name, shard) SELECT id, i, name, 1 FROM w WHERE id = 9001');
    await other.query('UPDATE _w_gho SET i = i + 10 WHERE id = 12001');
    const { log, lines } = captureLog();
    const result = await verifyTables(options(c, log), new AbortController().signal);
    expect({ chunks: result.chunks, rows: result.rows, repairedChunks: result.repairedChunks }).toEqual({ chunks: 21, rows: ROWS, repairedChunks: 3 });
    expect(repairLogs(lines)).toEqual(['copy 5500', 'copy 9001', 'copy 12001']);
    expect(await queryValue(other, 'SELECT COUNT(*) FROM _w_gho')).toBe(String(ROWS));
    expect(await content(c, 'ghost')).toEqual(originalRows);
    expect((await verifyTables(options(c, captureLog().log), new AbortController().signal)).repairedChunks).toBe(0);
  });

  it('refuses with VERIFY_MISMATCH under a widened key when a row keeps differing after its re-copies', async () => {
    const c = widened;
    await build(c);
    // A second row of id 7000, and every re-copy of it changed on its way in.
    await other.query('INSERT INTO _w_gho (id, i, name, shard) SELECT id, i, name, 5 FROM w WHERE id = 7000');
    await admin.query("CREATE TRIGGER _w_gho_twice BEFORE INSERT ON _w_gho FOR EACH ROW SET NEW.name = IF(NEW.id = 7000, CONCAT('spoilt ', NEW.name), NEW.name)");
    try {
      const { log, lines } = captureLog();
      const err = await verifyTables(options(c, log), new AbortController().signal).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as OschangeError).code).toBe('VERIFY_MISMATCH');
      expect((err as OschangeError).message).toMatch(/still differ in the row with key \(id\) = \(7000\) after 3 re-copies/);
      expect(repairLogs(lines)).toEqual(['copy 7000', 'copy 7000', 'copy 7000']);
    } finally {
      await admin.query('DROP TRIGGER IF EXISTS _w_gho_twice');
    }
  });

  it('settles a difference caused by writes between the two reads: row by row without locks, then one row under a lock that freezes only it, without a repair', async () => {
    const c = simple;
    await build(c);
    const probe = await connect(db.app);
    const both = async (id: number, name: string): Promise<void> => {
      // A write in both tables, as the applier would deliver it.
      await probe.query('START TRANSACTION');
      await probe.query('UPDATE t SET name = ? WHERE id = ?', [name, id]);
      await probe.query('UPDATE _t_gho SET name = ? WHERE id = ?', [name, id]);
      await probe.query('COMMIT');
    };
    try {
      await probe.query('SET SESSION innodb_lock_wait_timeout = 1');
      const blocked: unknown[] = [];
      let calls = 0;
      const { log, lines } = captureLog('debug');
      const result = await verifyTables(
        {
          ...options(c, log),
          waitCaughtUp: async () => {
            calls++;
            if (calls === 1) {
              // The fast pass read the original's first ranges; a write lands before the ghost is
              // read: (3000, 4000] differs, though not really.
              await both(3333, 'moved on');
            } else if (calls === 2) {
              // Its rows were read from the original; another write lands before the ghost's are read.
              await both(3350, 'moved on again');
            } else if (calls === 3) {
              // Row 3350 is read again on both sides; a third write lands in between.
              await both(3350, 'and again');
            } else if (calls === 4) {
              // Inside the locked check of row 3350: a writer to it waits; writers to other rows do not.
              await probe.query("UPDATE t SET name = 'too late' WHERE id = 3350").catch((e: unknown) => blocked.push(e));
              await both(3351, 'next door');
              await both(15000, 'elsewhere');
            }
          },
        },
        new AbortController().signal,
      );
      expect(blocked.map((e) => (e as { errno?: unknown }).errno)).toEqual([1205]);
      expect({ chunks: result.chunks, rows: result.rows, repairedChunks: result.repairedChunks }).toEqual({ chunks: 21, rows: ROWS, repairedChunks: 0 });
      expect(lines.filter((l) => l['msg'] === 'checksum: range differs in the fast pass; comparing its rows').map((l) => l['range'])).toEqual([
        'key range (`id`) > (3000) and <= (4000)',
      ]);
      expect(repairLogs(lines)).toEqual([]);
      expect(await queryValue(other, 'SELECT name FROM t WHERE id = 3350')).toBe('and again');
      expect(await content(c, 'ghost')).toEqual(await content(c, 'original'));
    } finally {
      await probe.end();
    }
  });

  it('checks and repairs an empty original: one open range over the whole ghost', async () => {
    const c = simple;
    await build(c, 0);
    await other.query("INSERT INTO _t_gho (id, name) VALUES (3, 'stray')");
    const { log, lines } = captureLog();
    const result = await verifyTables(options(c, log), new AbortController().signal);
    expect({ chunks: result.chunks, rows: result.rows, repairedChunks: result.repairedChunks }).toEqual({ chunks: 1, rows: 0, repairedChunks: 1 });
    expect(repairLogs(lines)).toEqual(['delete 3']);
    expect(await queryValue(other, 'SELECT COUNT(*) FROM _t_gho')).toBe('0');
  });

  it('refuses with VERIFY_MISMATCH naming the range when a re-copy cannot fix it, leaving the original untouched and unlocked', async () => {
    const c = simple;
    await build(c);
    const before = await wholeSum(c, 'original');
    await other.query("UPDATE _t_gho SET name = 'corrupted' WHERE id = 5500");
    // Every re-copied row is changed on its way in: the range can never match.
    await admin.query("CREATE TRIGGER _t_gho_spoil BEFORE INSERT ON _t_gho FOR EACH ROW SET NEW.name = CONCAT('spoilt ', COALESCE(NEW.name, ''))");

    const { log, lines } = captureLog();
    const err = await verifyTables(options(c, log), new AbortController().signal).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OschangeError);
    expect((err as OschangeError).code).toBe('VERIFY_MISMATCH');
    expect((err as OschangeError).message).toBe(
      `checksum: \`${db.name}\`.\`t\` and its ghost \`${db.name}\`.\`_t_gho\` still differ in the row with key (id) = (5500) after 3 re-copies; the original table is untouched and nothing was cut over`,
    );
    expect(repairLogs(lines)).toEqual(['copy 5500', 'copy 5500', 'copy 5500']);
    expect(await wholeSum(c, 'original')).toEqual(before);
    // No transaction left open on the verifier's session, and writers to the range do not wait.
    const id = await queryValue(conn, 'SELECT CONNECTION_ID()');
    expect(await queryRows(admin, 'SELECT trx_id FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ?', [id])).toEqual([]);
    await other.query('SET SESSION innodb_lock_wait_timeout = 1');
    await other.query("UPDATE t SET name = 'unlocked' WHERE id = 5500");
    expect(await queryValue(other, 'SELECT name FROM t WHERE id = 5500')).toBe('unlocked');
  });
});
