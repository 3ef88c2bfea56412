/**
 * Two runs beside the million-row ones: the same quiet migration on a ten-times larger table (time
 * per row should stay flat, memory too), and a migration of a table of large rows under a load of
 * large-row updates (the applier replays megabytes of row images).
 */
import { join } from 'node:path';
import type { Connection } from '../../src/db/connect.js';
import { sleep, type BenchContext } from './context.js';
import { measureFloor } from './floor.js';
import { startOschange } from './oschange-run.js';
import type { BigTableRun, LargeRowsRun } from './results.js';
import { createBlobTable, dropTableIfExists, insertBlobRows, updateBlob } from './sql.js';
import { caughtUp, dropLeftovers, seedTable } from './table.js';

export const BIG_TABLE = 'sbtest_big';
export const BLOB_TABLE = 'blobs';

export async function bigTableRun(ctx: BenchContext): Promise<BigTableRun> {
  const { config } = ctx;
  let t = Date.now();
  await seedTable(ctx.servers, { table: BIG_TABLE, rows: config.bigRows, onProgress: (n) => n % 2_000_000 === 0 && ctx.say(`seeding ${BIG_TABLE}: ${n} rows`) });
  const seedSeconds = (Date.now() - t) / 1000;
  // The server's own cost per row at this size (the table outgrows the buffer pool): the floor again.
  const floor = await measureFloor(ctx.servers, { table: BIG_TABLE, alter: config.alter });
  ctx.say(`${config.bigRows} rows: floor ${floor.seconds.toFixed(1)}s`);
  t = Date.now();
  const run = await startOschange({
    dir: config.oschangeDir, endpoint: ctx.app, database: ctx.servers.database, table: BIG_TABLE, alter: config.alter,
    socketFile: join(ctx.tmpDir, 'oschange-big.sock'), replica: ctx.replica, extraArgs: config.oschangeArgs,
  }).done;
  await caughtUp(ctx.servers);
  await ctx.servers.primary.query(dropTableIfExists(ctx.servers.database, BIG_TABLE).sql);
  return {
    kind: 'ran',
    rows: config.bigRows,
    seedSeconds,
    floorSeconds: floor.seconds,
    exitCode: run.exitCode,
    copySeconds: run.copy?.seconds,
    wallSeconds: run.wallSeconds,
    checksumSeconds: run.checksumSeconds,
    peakRssMb: run.peakRssMb,
    tail: run.tail.slice(-10),
  };
}

export async function largeRowsRun(ctx: BenchContext, o: { rows: number; bytes: number; updatesPerSecond: number }): Promise<LargeRowsRun> {
  const s = ctx.servers;
  const c: Connection = s.primary;
  await dropLeftovers(s, BLOB_TABLE);
  await c.query(dropTableIfExists(s.database, BLOB_TABLE).sql);
  await c.query(createBlobTable(s.database, BLOB_TABLE).sql);
  for (let from = 1; from <= o.rows; from += 1000) {
    const st = insertBlobRows(s.database, BLOB_TABLE, from, Math.min(o.rows + 1, from + 1000), o.bytes);
    await c.query(st.sql, [...st.params]);
  }
  await caughtUp(s);
  // The load: one large-row update every 1/rate s, on its own connection of the bench process.
  let running = true;
  let updates = 0;
  let errors = 0;
  const writer = (async () => {
    const started = Date.now();
    while (running) {
      const due = started + (updates * 1000) / o.updatesPerSecond - Date.now();
      if (due > 0) await sleep(due);
      const st = updateBlob(s.database, BLOB_TABLE, 1 + Math.floor(Math.random() * o.rows), o.bytes);
      await c.query(st.sql, [...st.params]).catch(() => errors++);
      updates++;
    }
  })();
  await sleep(2000);
  const run = await startOschange({
    dir: ctx.config.oschangeDir, endpoint: ctx.app, database: s.database, table: BLOB_TABLE, alter: 'ADD COLUMN note VARCHAR(20) NULL',
    socketFile: join(ctx.tmpDir, 'oschange-blobs.sock'), replica: ctx.replica, extraArgs: [...ctx.config.oschangeArgs, '--no-attempt-instant-ddl'],
  }).done;
  running = false;
  await writer;
  await caughtUp(s);
  await c.query(dropTableIfExists(s.database, BLOB_TABLE).sql);
  const last = run.samples[run.samples.length - 1];
  return {
    kind: 'ran',
    rows: o.rows,
    bytesPerRow: o.bytes,
    updatesPerSecond: o.updatesPerSecond,
    updates,
    loadErrors: errors,
    exitCode: run.exitCode,
    wallSeconds: run.wallSeconds,
    copySeconds: run.copy?.seconds,
    eventsApplied: last?.applied,
    peakRssMb: run.peakRssMb,
    tail: run.tail.slice(-10),
  };
}
