import type { MigrationStatement } from '../alter/statement.js';
import type { MigrationConfig } from '../config.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import type { ColumnMapping, SharedKey } from '../inspect/shared-key.js';
import type { TableInfo } from '../inspect/table-info.js';
import type { Finding, Severity } from './finding.js';
import type { AlgorithmTrial, TableSize } from './live/trial.js';

/**
 * The settings a check reads: a migration passes its whole MigrationConfig, `oschange lint` only
 * what it knows (the table, where it connected). Add a field here when a check needs one.
 */
export type CheckConfig = Pick<MigrationConfig, 'database' | 'table' | 'connection' | 'throttleControlReplicas'> &
  Partial<Pick<MigrationConfig, 'includeTriggers' | 'alterForeignKeysMethod' | 'discardForeignKeys' | 'okToDropTable'>>;

/** What every check may look at. Checks only read; they never change the server. */
export interface ServerContext {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly config: CheckConfig;
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

/** One statement of lint's input (a file, `--statement`, or `--table`/`--alter`), and where it came from. */
export interface LintStatement {
  readonly statement: MigrationStatement;
  /** As written (comments and all), for messages. */
  readonly text: string;
  /** The file it came from; undefined for --alter/--statement and for a migration's gate. */
  readonly file: string | undefined;
  readonly line: number;
}

/** The shape of a statement's table before and after its ALTER (the after-shape tried on an empty copy). */
export interface TableShapes {
  readonly before: TableInfo;
  readonly after: TableInfo;
}

/** A rule that needs only the statements: what oschange lint runs without a server. */
export interface StatementContext {
  readonly item: LintStatement;
  /** Every statement of the same input, in order, and this one's place among them. */
  readonly batch: readonly LintStatement[];
  readonly index: number;
  /** The database of unqualified names, when known (--database): used in the commands advice shows. */
  readonly database: string | undefined;
  /** Known with a server (lint with a connection, or a migration's gate); undefined otherwise. */
  readonly shapes: TableShapes | undefined;
  readonly version: ServerVersion | undefined;
}

/** A rule that asks the server: the statement's table as it is, its size, and its users. */
export interface LiveContext extends StatementContext {
  readonly conn: Connection;
  readonly version: ServerVersion;
  readonly where: string;
  /** The user lint connects as, for the GRANT a rule may need. */
  readonly user: string;
  /** What the server does with the ALTER on an empty copy of the table; lint only (a migration's gate does not try). */
  readonly trial: AlgorithmTrial | undefined;
  /** The table's size and a measured copy rate; lint only. */
  readonly size: TableSize | undefined;
}

interface CheckInfo {
  /** kebab-case, stable: lint output, --disable and --allow name checks by it. */
  readonly id: string;
  /** One sentence: what the check makes sure of. */
  readonly describe: string;
  /** The most severe finding it gives, for the docs (default: error). */
  readonly severity?: Severity;
  /** It judges only with the table's shape, read from a server. */
  readonly needsServer?: boolean;
  /** It reports on lint's own trial of the ALTER on an empty copy: `oschange lint` only, not a migration's gate. */
  readonly lintOnly?: boolean;
}

/**
 * One check: an id, what it looks at (its scope), and a function that returns findings. Scopes:
 * `server` (settings, privileges), `table` (the original's shape), `data` (the original's rows against
 * the altered shape) — the checks before every migration; `statement` (lint rules that read the
 * statements, and the table's shapes when a server is at hand) and `live` (lint rules that ask the
 * server). The registry (registry.ts) is the one list of what oschange checks.
 */
export type Check =
  | (CheckInfo & { readonly scope: 'server'; run(ctx: ServerContext): Promise<readonly Finding[]> })
  | (CheckInfo & { readonly scope: 'table'; run(ctx: TableContext): readonly Finding[] })
  | (CheckInfo & { readonly scope: 'data'; run(ctx: DataContext): Promise<readonly Finding[]> })
  | (CheckInfo & { readonly scope: 'statement'; run(ctx: StatementContext): readonly Finding[] })
  | (CheckInfo & { readonly scope: 'live'; run(ctx: LiveContext): Promise<readonly Finding[]> });

export type CheckScope = Check['scope'];
export type StatementRule = Extract<Check, { scope: 'statement' }>;
export type LiveRule = Extract<Check, { scope: 'live' }>;
/** The checks `oschange lint` and the migration's gate run as rules (--disable, --allow name these). */
export type LintRule = StatementRule | LiveRule;
