import { loadCheckpoint } from '../checkpoint/store.js';
import type { MigrationConfig } from '../config.js';
import type { Connection } from '../db/connect.js';
import { tableNames, timestampedOldTable, type TableNames } from '../inspect/names.js';

/**
 * The names of this run's tables. The old table is `_T_del`, or with --timestamp-old-table
 * `_T_<yyyymmddhhmmss>_del` stamped with this run's start — and on --resume whatever the interrupted
 * run saved in its checkpoint, so the resumed swap (or a completed one it finds) uses the name the
 * migration began with. A checkpoint that cannot be read here is decideResume's to explain.
 */
export async function runNames(o: { conn: Connection; config: Pick<MigrationConfig, 'database' | 'table' | 'resume' | 'timestampOldTable'>; startedAtMs: number }): Promise<TableNames> {
  const { config } = o;
  const fresh = (): TableNames => tableNames(config.table, { old: config.timestampOldTable ? timestampedOldTable(config.table, o.startedAtMs) : undefined });
  if (!config.resume) return fresh();
  const saved = await loadCheckpoint(o.conn, config.database, tableNames(config.table).checkpoint).catch(() => undefined);
  return saved?.oldTable === undefined ? fresh() : tableNames(config.table, { old: saved.oldTable });
}
