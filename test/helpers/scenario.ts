import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import yargs from 'yargs';
import { connect, queryRows, type Connection } from '../../src/db/connect.js';
import { errno } from '../../src/db/retry.js';
import { parseMigrationOptions } from '../../src/cli/migration-options.js';
import { migrationFlags } from '../../src/cli/migration-options.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { runMigration, type CutOverGate } from '../../src/migrator.js';
import { quoteId, quoteTable } from '../../src/sql/quote.js';
import { copyUnlessInstantAsked } from './migration.js';
import { REPO } from './processes.js';
import { freshDatabase, type TestServer } from './servers.js';

/** One folder of test/scenarios/ (format: test/scenarios/README.md). */
export interface Scenario {
  readonly name: string;
  readonly dir: string;
  readonly table: string;
  readonly createSql: string;
  readonly alter: string;
  readonly workload: readonly string[];
  readonly extraArgs: readonly string[];
  readonly expectFailure: string | undefined;
  readonly flavors: readonly string[] | undefined;
  /** Workload statements per second at most (`workload_rate`, default DEFAULT_WORKLOAD_RATE). */
  readonly workloadRate: number;
}

/**
 * The workload runs at a fixed pace, not as fast as the machine allows: an unpaced writer makes the
 * amount of binlog the applier must replay depend on the machine's speed (large-values wrote MBs a
 * second and took 76 s on an idle 2-core machine, 300+ s on a busy one). Speed belongs in the bench.
 */
export const DEFAULT_WORKLOAD_RATE = 200;

const SCENARIOS = join(REPO, 'test/scenarios');

export function loadScenarios(): Scenario[] {
  return readdirSync(SCENARIOS)
    .filter((n) => statSync(join(SCENARIOS, n)).isDirectory())
    .sort()
    .map((name) => {
      const dir = join(SCENARIOS, name);
      const read = (f: string): string | undefined => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : undefined);
      const flavors = read('flavors');
      const workloadRate = Number(read('workload_rate')?.trim() ?? DEFAULT_WORKLOAD_RATE);
      if (!(workloadRate > 0)) throw new Error(`${name}/workload_rate must be a number of statements per second above 0`);
      return {
        name,
        dir,
        table: read('table')?.trim() || 't',
        createSql: read('create.sql') ?? '',
        alter: (read('alter') ?? '').trim(),
        workload: (read('workload.sql') ?? '').split('\n').map((l) => l.trim().replace(/;$/, '')).filter((l) => l !== '' && !l.startsWith('--')),
        extraArgs: (read('extra_args') ?? '').trim().split(/\s+/).filter((a) => a !== ''),
        expectFailure: read('expect_failure')?.trim(),
        flavors: flavors?.split(/\s+/).filter((f) => f !== ''),
        workloadRate,
      };
    });
}

export function appliesTo(s: Scenario, server: TestServer): boolean {
  return s.flavors === undefined || s.flavors.includes(server.version.flavor);
}

/** Splits a .sql file at semicolons that end a line. */
export function splitSql(sql: string): string[] {
  return sql
    .split(/;\s*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !/^(--[^\n]*\n?)+$/.test(s));
}

function substitute(statement: string): string {
  return statement.replace(/\$RAND\((-?\d+),\s*(-?\d+)\)/g, (_m, lo: string, hi: string) => String(Number(lo) + Math.floor(Math.random() * (Number(hi) - Number(lo) + 1))));
}

/**
 * A connection looping over the workload statements until stopped. A duplicate key is the
 * workload's own doing; a deadlock is retried, as an application does: the copy's and the
 * checksum's shared locks can make an UPDATE that moves a unique key the deadlock's victim
 * (unique-not-null-no-pk, in 1 of 2 full runs on 2026-11-26, on both flavors). Anything else fails the scenario.
 */
function startWorkload(conn: Connection, statements: readonly string[], perSecond: number): { stop: () => Promise<number>; ran: (n: number, timeoutMs: number) => Promise<void> } {
  let running = true;
  let count = 0;
  const started = performance.now();
  const loop = (async () => {
    while (running && statements.length > 0) {
      // Statement n starts no earlier than n / perSecond seconds after the first.
      const due = started + (count * 1000) / perSecond - performance.now();
      if (due > 0) await sleep(due);
      if (!running) break;
      const s = substitute(statements[count % statements.length] as string);
      for (let attempt = 1; ; attempt++) {
        try {
          await conn.query(s);
          break;
        } catch (err) {
          if (errno(err) === 1062) break;
          if (errno(err) === 1213 && attempt < 5) continue;
          throw new Error(`workload statement failed: ${s}: ${String(err)}`);
        }
      }
      count++;
    }
  })();
  // Reported by stop(); until then a failure must not count as an unhandled rejection.
  loop.catch(() => undefined);
  return {
    stop: async () => {
      running = false;
      await loop;
      return count;
    },
    /** Resolves once n statements have run (or the workload failed, or timeoutMs passed). */
    ran: async (n, timeoutMs) => {
      const deadline = performance.now() + timeoutMs;
      let failed = false;
      void loop.catch(() => (failed = true));
      while (count < n && !failed && performance.now() < deadline) await sleep(20);
    },
  };
}

/**
 * Rows as comparable plain values: numbers as text, binary values as `hex:…`, JSON as canonical text, and — in the columns
 * named by `decimals`, where an ALTER may widen the scale — decimals without trailing zeros.
 */
function normalize(rows: Record<string, unknown>[], decimals: ReadonlySet<number> = new Set()): unknown[][] {
  return rows.map((r) =>
    Object.values(r).map((v, i) => {
      if (typeof v === 'number' || typeof v === 'bigint') return String(v);
      // As text: vitest compares Buffers byte by byte through its generic iterable equality, which
      // took 28 s for large-values' 60 MB of BLOBs; strings compare at once.
      if (Buffer.isBuffer(v)) return `hex:${v.toString('hex')}`;
      if (typeof v === 'string' && decimals.has(i) && /^-?\d+\.\d+$/.test(v)) return v.replace(/\.?0+$/, '');
      if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return JSON.stringify(v);
      return v;
    }),
  );
}

/** Sorted by each row's text, computed once per row (rows of large-values are ~300 KB each). */
function sortRows(rows: unknown[][]): unknown[][] {
  const keyOf = (r: unknown[]): string => JSON.stringify(r);
  return rows
    .map((row) => ({ row, key: keyOf(row) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.row);
}

async function snapshot(conn: Connection, database: string, table: string, columns: readonly string[], key: readonly string[], decimals: ReadonlySet<number>): Promise<unknown[][]> {
  const rows = await queryRows(conn, `SELECT ${columns.map(quoteId).join(', ')} FROM ${quoteTable(database, table)} ORDER BY ${key.map(quoteId).join(', ')}`);
  return normalize(rows, decimals);
}

async function showCreate(conn: Connection, database: string, table: string): Promise<string> {
  const [row] = await queryRows(conn, `SHOW CREATE TABLE ${quoteTable(database, table)}`);
  const lines = String(row?.['Create Table'] ?? '')
    .replace(/^CREATE TABLE `(?:[^`]|``)+`/, 'CREATE TABLE `T`')
    .replace(/ AUTO_INCREMENT=\d+/, '')
    // MySQL renames CHECK constraints in CREATE TABLE … LIKE (their names are schema-wide), for the
    // ghost and the expected table alike, and may number them in another order: compare their
    // definitions as a set, and every other line (columns, indexes) in order.
    .replace(/CONSTRAINT `(?:[^`]|``)+_chk_\d+` CHECK/g, 'CONSTRAINT `chk` CHECK')
    .split('\n')
    .map((line) => line.replace(/,$/, ''));
  const isCheck = (l: string): boolean => /^\s*CONSTRAINT `chk` CHECK/.test(l);
  const checks = lines.filter(isCheck).sort();
  let next = 0;
  return lines.map((l) => (isCheck(l) ? (checks[next++] as string) : l)).join('\n');
}

async function tableState(conn: Connection, database: string): Promise<Record<string, string>> {
  const tables = (await queryRows(conn, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [database])).map((r) => String(r['t']));
  const out: Record<string, string> = {};
  for (const t of tables) {
    const [sum] = await queryRows(conn, `CHECKSUM TABLE ${quoteTable(database, t)}`);
    out[t] = `${await showCreate(conn, database, t)} checksum=${String(sum?.['Checksum'])}`;
  }
  return out;
}

export interface ScenarioOutcome {
  readonly workloadStatements: number;
  readonly rowsCompared: number;
}

/** Runs one scenario against one server; throws (via expect) on any difference. */
export async function runScenario(s: Scenario, server: TestServer): Promise<ScenarioOutcome> {
  const db = await freshDatabase(server, 'sc');
  const admin = await connect({ ...server.primary.admin, database: db.name });
  const writer = await connect({ ...server.primary.admin, database: db.name });
  try {
    for (const statement of splitSql(s.createSql)) await admin.query(statement);
    // The scenarios test the copy: their ALTERs copy even when the server could do them instantly,
    // with 3 copy workers over chunks of 20 rows, so every key shape is copied in parallel.
    const argv = copyUnlessInstantAsked([
      '--host', server.primary.app.host, '--port', String(server.primary.app.port), '--user', server.primary.app.user, '--password', server.primary.app.password,
      '--database', db.name, '--table', s.table, '--alter', s.alter, '--execute', '--chunk-size', '20', '--replica-server-id', String(10_000 + Math.floor(Math.random() * 50_000)),
      '--cut-over-lock-timeout-seconds', '5', '--default-retries', '5', '--copy-threads', '3', ...s.extraArgs,
    ]);
    const raw = migrationFlags(yargs(argv)).strict().parseSync();
    const parsed = parseMigrationOptions(raw, { env: {}, readFile: (p) => readFileSync(p, 'utf8') });
    if ('errors' in parsed) throw new Error(parsed.errors.join('; '));

    if (s.expectFailure !== undefined) {
      const before = await tableState(admin, db.name);
      await expect(runMigration({ config: parsed.config, log: silentLogger(), out: () => undefined, signal: new AbortController().signal })).rejects.toThrow(s.expectFailure);
      expect(await tableState(admin, db.name)).toEqual(before);
      return { workloadStatements: 0, rowsCompared: 0 };
    }

    const workload = startWorkload(writer, s.workload, s.workloadRate);
    let workloadStatements = 0;
    let ghostContent: unknown[][] = [];
    let ghostKey: readonly string[] = [];
    let rowsCompared = 0;
    const beforeCutOver = async (gate: CutOverGate): Promise<void> => {
      // A fast copy can be over before the workload has written much: the cut-over waits until it
      // has run for about two seconds, so every case replays real binlog events. Then writes stop;
      // once the ghost has caught up, original and ghost must hold the same rows.
      await workload.ran(Math.ceil(s.workloadRate * 2), 60_000);
      workloadStatements = await workload.stop();
      await gate.waitCaughtUp();
      const { pairs } = gate.plan.mapping;
      const key = gate.plan.sharedKey;
      const isDecimal = (t: { columns: readonly { name: string; dataType: string }[] }, name: string): boolean =>
        t.columns.some((c) => c.name.toLowerCase() === name.toLowerCase() && c.dataType === 'decimal');
      const decimals = new Set(pairs.flatMap((p, i) => (isDecimal(gate.plan.original, p.from) || isDecimal(gate.plan.ghost, p.to) ? [i] : [])));
      const orig = await snapshot(admin, db.name, s.table, pairs.map((p) => p.from), key.originalIndex.columns, decimals);
      const ghost = await snapshot(admin, db.name, gate.plan.names.ghost, pairs.map((p) => p.to), key.ghostColumns, decimals);
      expect(ghost.length).toBe(orig.length);
      // Sorted here, not only by the server: an ALTER that changes the key's collation changes ORDER BY.
      expect(sortRows(ghost)).toEqual(sortRows(orig));
      rowsCompared = orig.length;
      ghostKey = key.ghostColumns;
      const all = await queryRows(admin, `SELECT * FROM ${quoteTable(db.name, gate.plan.names.ghost)} ORDER BY ${ghostKey.map(quoteId).join(', ')}`);
      ghostContent = normalize(all);
    };
    try {
      const result = await runMigration({ config: parsed.config, log: process.env['OSCHANGE_TEST_LOG'] ? createLogger({ destination: process.stderr, pretty: false }) : silentLogger(), out: (l) => { if (process.env['OSCHANGE_TEST_LOG']) process.stderr.write(l + '\n'); }, signal: new AbortController().signal, beforeCutOver });
      expect(result.lockMs).toBeLessThan(5000);
    } finally {
      await workload.stop().catch(() => undefined);
    }
    // After the swap, the table holds exactly the ghost's content, with the schema the ALTER gives.
    const final = normalize(await queryRows(admin, `SELECT * FROM ${quoteTable(db.name, s.table)} ORDER BY ${ghostKey.map(quoteId).join(', ')}`));
    expect(final).toEqual(ghostContent);
    const old = `_${s.table}_del`;
    await admin.query(`CREATE TABLE ${quoteTable(db.name, 'expected_schema')} LIKE ${quoteTable(db.name, old)}`);
    await admin.query(`ALTER TABLE ${quoteTable(db.name, 'expected_schema')} ${s.alter}`);
    expect(await showCreate(admin, db.name, s.table)).toBe(await showCreate(admin, db.name, 'expected_schema'));
    const leftovers = (await queryRows(admin, 'SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME', [db.name])).map((r) => String(r['t']));
    expect(leftovers.sort()).toEqual([old, 'expected_schema', s.table].sort());
    return { workloadStatements, rowsCompared };
  } finally {
    await admin.end();
    await writer.end();
    await db.drop();
  }
}
