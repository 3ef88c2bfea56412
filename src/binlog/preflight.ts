import { connect, queryRows, queryValue, type Connection } from '../db/connect.js';
import type { Endpoint } from '../db/dsn.js';
import { parseServerVersion, type ServerVersion } from '../db/flavor.js';
import type { Logger } from '../log.js';
import { binlogRowMetadata, binlogSettings, showBinaryLogs } from '../sql/binlog-schema.js';
import { BinlogStreamError, classifyError, settingsError, type ErrorContext } from './stream-errors.js';
import { loadTableSchema, type TableSchema } from './table-schema.js';
import { formatPosition, type BinlogPosition } from './types.js';

export interface PreflightOptions {
  readonly endpoint: Endpoint;
  readonly database: string;
  readonly table: string;
  /** More original tables, streamed too (several tables, one cut-over). */
  readonly alsoTables?: readonly string[];
  readonly changelogTable: string;
  readonly start: BinlogPosition;
  readonly log: Logger;
}

export interface PreflightResult {
  readonly version: ServerVersion;
  readonly table: TableSchema;
  /** The schemas of `alsoTables`, in their order. */
  readonly alsoTables: readonly TableSchema[];
  /** undefined when the changelog table does not exist yet; its columns then come from the binlog. */
  readonly changelog: TableSchema | undefined;
}

/**
 * Checks, on a connection of its own, everything that would otherwise fail later and less clearly:
 * the login, the binlog settings, the privilege to list binlogs, that the start file still exists,
 * and that the table is there to be described.
 */
export async function preflight(o: PreflightOptions): Promise<PreflightResult> {
  const server = `${o.endpoint.host}:${o.endpoint.port}`;
  const baseCtx = { user: o.endpoint.user, start: o.start, server };
  const conn = await connect(o.endpoint).catch((err: unknown) => {
    throw classifyError(err, { ...baseCtx, flavor: 'mysql' });
  });
  let ctx: ErrorContext = { ...baseCtx, flavor: 'mysql' };
  try {
    const version = parseServerVersion(String(await queryValue(conn, 'SELECT VERSION()')));
    ctx = { ...ctx, flavor: version.flavor };
    await checkSettings(conn, server);
    await checkStartFile(conn, o.start, server);
    const load = async (name: string): Promise<TableSchema> => {
      const schema = await loadTableSchema(conn, o.database, name);
      if (schema === undefined) {
        throw new BinlogStreamError('BINLOG_TABLE_NOT_FOUND', `table ${o.database}.${name} not found on ${server}, or user ${o.endpoint.user} has no SELECT on it`);
      }
      return schema;
    };
    const table = await load(o.table);
    const alsoTables: TableSchema[] = [];
    for (const name of o.alsoTables ?? []) alsoTables.push(await load(name));
    if (!(await hasFullRowMetadata(conn))) for (const t of [table, ...alsoTables]) warnAboutLossyLabels(t, o.log);
    const changelog = await loadTableSchema(conn, o.database, o.changelogTable);
    return { version, table, alsoTables, changelog };
  } catch (err) {
    throw classifyError(err, ctx);
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function checkSettings(conn: Connection, server: string): Promise<void> {
  const s = binlogSettings();
  const row = (await queryRows(conn, s.sql, s.params))[0] ?? {};
  const logBin = String(row['log_bin']);
  if (logBin !== '1' && logBin.toUpperCase() !== 'ON') throw settingsError(`binary logging is off on ${server}`);
  const format = String(row['binlog_format']).toUpperCase();
  if (format !== 'ROW') throw settingsError(`binlog_format is ${format} on ${server}`);
  const image = String(row['binlog_row_image']).toUpperCase();
  if (image !== 'FULL') throw settingsError(`binlog_row_image is ${image} on ${server}`);
}

/** A purged start file fails here with the list of files that do exist. */
async function checkStartFile(conn: Connection, start: BinlogPosition, server: string): Promise<void> {
  const s = showBinaryLogs();
  const rows = await queryRows(conn, s.sql, s.params);
  const files = rows.map((r) => ({ name: String(r['Log_name']), size: Number(r['File_size']) }));
  const found = files.find((f) => f.name === start.file);
  if (found === undefined) {
    const range = files.length === 0 ? 'none' : `${files[0]?.name} … ${files[files.length - 1]?.name}`;
    throw new BinlogStreamError(
      'BINLOG_NOT_FOUND',
      `binlog file ${start.file} is not on ${server} (it has ${range}): it was purged (binlog_expire_logs_seconds) or never existed. ` +
        'Start again from a current position (SHOW BINARY LOG STATUS), or keep binlogs longer than a migration takes',
    );
  }
  if (start.position > found.size) {
    throw new BinlogStreamError(
      'BINLOG_NOT_FOUND',
      `binlog position ${formatPosition(start)} is beyond the end of ${start.file} (${found.size} bytes) on ${server}`,
    );
  }
}

async function hasFullRowMetadata(conn: Connection): Promise<boolean> {
  const s = binlogRowMetadata();
  const value = await queryValue(conn, s.sql, s.params).catch(() => undefined);
  return String(value).toUpperCase() === 'FULL';
}

/** information_schema is utf8mb3: a label with an emoji reads as '?', and such values cannot be written back exactly. */
function warnAboutLossyLabels(table: TableSchema, log: Logger): void {
  for (const c of table.columns) {
    if (c.labels?.some((l) => l.includes('?')) === true && c.charset === 'utf8mb4') {
      log.warn(
        { column: c.name },
        'ENUM/SET labels contain "?" in information_schema: labels with 4-byte characters are unreadable there; set binlog_row_metadata=FULL to read them exactly',
      );
    }
  }
}
