import { splitStatements } from '../../../src/alter/split.js';
import { parseMigrationStatement } from '../../../src/alter/statement.js';
import type { Connection } from '../../../src/db/connect.js';
import type { ServerVersion } from '../../../src/db/flavor.js';
import type { Column, Index, TableInfo } from '../../../src/inspect/table-info.js';
import type { Check, LintStatement, LiveContext, StatementContext, TableShapes } from '../../../src/lint/check.js';
import type { Finding } from '../../../src/lint/finding.js';
import type { AlgorithmTrial, TableSize } from '../../../src/lint/live/trial.js';

export const MYSQL: ServerVersion = { flavor: 'mysql', major: 9, minor: 7, patch: 4, raw: '9.7.4' };
export const MARIADB: ServerVersion = { flavor: 'mariadb', major: 10, minor: 11, patch: 19, raw: '10.11.19-MariaDB' };

/** The statements of a migration file, as oschange lint reads them. */
export function statements(sql: string, file = 'm.sql'): LintStatement[] {
  return splitStatements(sql).map((p) => ({ statement: parseMigrationStatement(p.text), text: p.text, file, line: p.line }));
}

export interface RunOptions {
  readonly database?: string;
  /** The table's shape before and after, as a server would give it (the same for every statement). */
  readonly shapes?: TableShapes;
  readonly version?: ServerVersion;
  readonly trial?: AlgorithmTrial;
  readonly size?: TableSize;
}

/** A connection for rules that must not touch the server in the case at hand: any use fails the test. */
export const NO_SERVER = new Proxy(
  {},
  {
    get(_t, prop) {
      throw new Error(`the rule used the server (${String(prop)}) where it should not`);
    },
  },
) as Connection;

/** Every finding a rule gives over every statement of the SQL. */
export async function findings(rule: Check, sql: string, o: RunOptions = {}): Promise<Finding[]> {
  const batch = statements(sql);
  const out: Finding[] = [];
  for (let index = 0; index < batch.length; index++) {
    const ctx: StatementContext = { item: batch[index] as LintStatement, batch, index, database: o.database, shapes: o.shapes, version: o.version };
    if (rule.scope === 'statement') out.push(...rule.run(ctx));
    else if (rule.scope === 'live') {
      const live: LiveContext = { ...ctx, conn: NO_SERVER, version: o.version ?? MYSQL, where: '127.0.0.1:3306', user: 'oschange', trial: o.trial, size: o.size };
      out.push(...(await rule.run(live)));
    } else throw new Error(`${rule.id} is not a lint rule`);
  }
  return out;
}

/** The codes of the findings, for "fires" / "stays silent" assertions. */
export async function codes(rule: Check, sql: string, o: RunOptions = {}): Promise<string[]> {
  return (await findings(rule, sql, o)).map((f) => `${f.severity} ${f.code}`);
}

/** A column as information_schema describes it. */
export function column(name: string, columnType: string, o: { nullable?: boolean; charset?: string | null; collation?: string | null } = {}): Column {
  const dataType = columnType.replace(/\(.*$/, '').replace(/ .*$/, '');
  const stringy = /char|text|enum|set/.test(dataType);
  return {
    name,
    dataType,
    columnType,
    nullable: o.nullable ?? true,
    generated: false,
    charset: o.charset !== undefined ? o.charset : stringy ? 'utf8mb4' : null,
    collation: o.collation !== undefined ? o.collation : stringy ? 'utf8mb4_0900_ai_ci' : null,
  };
}

export function index(name: string, columns: readonly string[], unique = false): Index {
  return { name, unique: unique || name === 'PRIMARY', columns, lengths: columns.map(() => undefined), partial: false };
}

export function table(name: string, columns: readonly Column[], indexes: readonly Index[] = []): TableInfo {
  return { database: 'app', name, engine: 'InnoDB', rowEstimate: 1000, columns, indexes, foreignKeys: [], triggers: [] };
}
