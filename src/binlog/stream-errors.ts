import { ExitCode, OschangeError } from '../errors.js';
import type { Flavor } from '../db/flavor.js';
import { formatPosition, type BinlogPosition } from './types.js';

/** Every failure of the binlog reader, with a stable code operators and tests can grep. */
export class BinlogStreamError extends OschangeError {
  constructor(code: BinlogErrorCode, message: string, options: { cause?: unknown } = {}) {
    const environment = code === 'BINLOG_LOGIN' || code === 'BINLOG_PRIVILEGE' || code === 'BINLOG_SETTINGS' || code === 'BINLOG_TABLE_NOT_FOUND';
    super(code, message, { exitCode: environment ? ExitCode.environment : ExitCode.failure, cause: options.cause });
    this.name = 'BinlogStreamError';
  }
}

export type BinlogErrorCode =
  | 'BINLOG_LOGIN'
  | 'BINLOG_PRIVILEGE'
  | 'BINLOG_SETTINGS'
  | 'BINLOG_TABLE_NOT_FOUND'
  | 'BINLOG_NOT_FOUND'
  | 'BINLOG_DUPLICATE_SERVER_ID'
  | 'BINLOG_CONNECTION_LOST'
  | 'BINLOG_DECODE'
  | 'BINLOG_TABLE_CHANGED'
  | 'BINLOG_START_TIMEOUT'
  | 'BINLOG_SERVER_ERROR';

/** What a mysql2 / zongji error says about itself, narrowed from unknown. */
export interface ServerErrorInfo {
  readonly message: string;
  readonly errno: number | undefined;
  readonly code: string | undefined;
}

export function errorInfo(err: unknown): ServerErrorInfo {
  if (!(err instanceof Error)) return { message: String(err), errno: undefined, code: undefined };
  const e = err as Error & { errno?: unknown; code?: unknown; sqlMessage?: unknown };
  return {
    message: typeof e.sqlMessage === 'string' ? e.sqlMessage : e.message,
    errno: typeof e.errno === 'number' ? e.errno : undefined,
    code: typeof e.code === 'string' ? e.code : undefined,
  };
}

export interface ErrorContext {
  readonly user: string;
  readonly flavor: Flavor;
  readonly start: BinlogPosition;
  readonly server: string;
  /** This reader's server id, when it has one yet. */
  readonly serverId?: number;
}

/** The global privileges reading the binlog needs (src/sql/privileges.ts documents the full set). */
export function binlogGrant(flavor: Flavor, user: string): string {
  const privileges = flavor === 'mariadb' ? 'REPLICATION SLAVE, BINLOG MONITOR' : 'REPLICATION SLAVE, REPLICATION CLIENT';
  return `GRANT ${privileges} ON *.* TO '${user}'@'%'`;
}

const ER_ACCESS_DENIED = 1045;
const ER_SPECIFIC_ACCESS_DENIED = 1227;
const ER_MASTER_FATAL_READING_BINLOG = 1236;
const ER_NO_BINARY_LOGGING = 1381;
const ER_CONNECTION_KILLED = 1927;
const ER_QUERY_INTERRUPTED = 1317;
const ER_SERVER_SHUTDOWN = 1053;
/** MariaDB's own code for a second connection with the same server id. */
const ER_SLAVE_SAME_ID = 4052;

/** Turns a server or connection error into one that names the problem and what to do. */
export function classifyError(err: unknown, ctx: ErrorContext): BinlogStreamError {
  if (err instanceof BinlogStreamError) return err;
  const info = errorInfo(err);
  const said = `${info.message.replace(/\.+$/, '')}${info.errno === undefined ? '' : ` (error ${info.errno})`}`;
  if (info.errno === ER_SLAVE_SAME_ID || (info.errno === ER_MASTER_FATAL_READING_BINLOG && /same server_uuid\/server_id/i.test(info.message))) {
    return new BinlogStreamError(
      'BINLOG_DUPLICATE_SERVER_ID',
      `another replica or binlog reader connected to ${ctx.server} with this reader's server id${ctx.serverId === undefined ? '' : ` ${ctx.serverId}`}, ` +
        `and the server dropped this one: ${said}. Give every reader its own server id, different from every replica's`,
      { cause: err },
    );
  }
  switch (info.errno) {
    case ER_SPECIFIC_ACCESS_DENIED:
      return new BinlogStreamError(
        'BINLOG_PRIVILEGE',
        `user ${ctx.user} may not read the binlog on ${ctx.server}: ${said}. Grant it: ${binlogGrant(ctx.flavor, ctx.user)}`,
        { cause: err },
      );
    case ER_ACCESS_DENIED:
      return new BinlogStreamError('BINLOG_LOGIN', `user ${ctx.user} cannot log in to ${ctx.server}: ${said}`, { cause: err });
    case ER_MASTER_FATAL_READING_BINLOG:
      return new BinlogStreamError(
        'BINLOG_NOT_FOUND',
        `the server cannot send the binlog from ${formatPosition(ctx.start)}: ${said}. The file was probably purged ` +
          '(binlog_expire_logs_seconds) or the position is wrong; start again from a current position (SHOW BINARY LOG STATUS)',
        { cause: err },
      );
    case ER_NO_BINARY_LOGGING:
      return settingsError(`binary logging is off on ${ctx.server}`);
  }
  if (
    info.errno === ER_CONNECTION_KILLED ||
    info.errno === ER_QUERY_INTERRUPTED ||
    info.errno === ER_SERVER_SHUTDOWN ||
    info.code === 'PROTOCOL_CONNECTION_LOST' ||
    info.code === 'ECONNRESET' ||
    info.code === 'ECONNREFUSED' ||
    info.code === 'EPIPE' ||
    info.code === 'ETIMEDOUT'
  ) {
    return new BinlogStreamError(
      'BINLOG_CONNECTION_LOST',
      `binlog connection to ${ctx.server} lost: ${said}. The connection was killed or the server went away; ` +
        'reopen the stream from the position of the last heartbeat or marker up to which every event was applied',
      { cause: err },
    );
  }
  return new BinlogStreamError('BINLOG_SERVER_ERROR', `binlog stream from ${ctx.server} failed: ${said}`, { cause: err });
}

export function settingsError(problem: string): BinlogStreamError {
  return new BinlogStreamError(
    'BINLOG_SETTINGS',
    `${problem}; oschange reads row changes from the binlog and needs log_bin=ON, binlog_format=ROW and binlog_row_image=FULL`,
  );
}
