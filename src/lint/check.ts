import type { MigrationConfig } from '../config.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import type { ColumnMapping, SharedKey } from '../inspect/shared-key.js';
import type { TableInfo } from '../inspect/table-info.js';
import type { Finding } from './finding.js';

/** What every check may look at. Checks only read; they never change the server. */
export interface ServerContext {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly config: MigrationConfig;
  /** Where we are connected, for messages: `127.0.0.1:3306`. */
  readonly where: string;
}

export interface TableContext extends ServerContext {
  readonly table: TableInfo;
}

/** After the ALTER was tried on the ghost: both shapes, how columns map, and a session to read data on. */
export interface DataContext extends TableContext {
  readonly ghost: TableInfo;
  readonly mapping: ColumnMapping;
  readonly sharedKey: SharedKey;
  /** Reads the data (a replica's session when one is known and replicating, else the primary's). */
  readonly reader: Connection;
  /** Where `reader` is, for messages. */
  readonly readerWhere: string;
  readonly readerVersion: ServerVersion;
}

interface CheckInfo {
  /** kebab-case, stable: lint output and --allow name checks by it. */
  readonly id: string;
  /** One sentence: what the check makes sure of. */
  readonly describe: string;
}

/**
 * One check: an id, what it looks at (its scope), and a function that returns findings. Scopes:
 * `server` (settings, privileges), `table` (the original's shape), `data` (the original's rows against
 * the altered shape). The registry (registry.ts) is the one list of what oschange checks.
 */
export type Check =
  | (CheckInfo & { readonly scope: 'server'; run(ctx: ServerContext): Promise<readonly Finding[]> })
  | (CheckInfo & { readonly scope: 'table'; run(ctx: TableContext): readonly Finding[] })
  | (CheckInfo & { readonly scope: 'data'; run(ctx: DataContext): Promise<readonly Finding[]> });

export type CheckScope = Check['scope'];
