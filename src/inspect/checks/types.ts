import type { Connection } from '../../db/connect.js';
import type { ServerVersion } from '../../db/flavor.js';
import type { MigrationConfig } from '../../config.js';
import type { TableInfo } from '../table-info.js';

/** What a pre-flight check may look at. Checks only read; a failed check throws an OschangeError. */
export interface CheckContext {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly config: MigrationConfig;
  /** Where we are connected, for messages: `127.0.0.1:3306`. */
  readonly where: string;
}

export interface TableCheckContext extends CheckContext {
  readonly table: TableInfo;
}
