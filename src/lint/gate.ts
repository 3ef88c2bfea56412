import type { AlterStatement } from '../alter/model.js';
import type { MigrationConfig } from '../config.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { TableInfo } from '../inspect/table-info.js';
import { shellQuote } from './advice.js';
import type { LintStatement, LiveContext } from './check.js';
import { SEVERITIES, type Finding } from './finding.js';
import { LINT_RULES } from './registry.js';

/**
 * The lint rules as the migration's gate: run on the migration's own ALTER with the table's shape
 * before and after (the ghost), and the server at hand. The dry run shows what they find;
 * `--execute` stops at an error-level finding unless the operator names its rule (`--allow`).
 * Not run here: what the migration does itself (it tries the ALTER instantly first, and reports its
 * own progress and ETA), so alter-algorithm and copy-estimate have no trial to report on.
 */
export async function lintForMigration(o: {
  conn: Connection;
  version: ServerVersion;
  where: string;
  config: MigrationConfig;
  original: TableInfo;
  ghost: TableInfo;
  alter: AlterStatement;
}): Promise<Finding[]> {
  const { config } = o;
  const item: LintStatement = {
    statement: { kind: 'alter', form: 'clause', table: { database: config.database, name: config.table }, alter: o.alter },
    text: `ALTER TABLE ${config.table} ${config.alter}`,
    file: undefined,
    line: 1,
  };
  const ctx: LiveContext = {
    item,
    batch: [item],
    index: 0,
    database: config.database,
    shapes: { before: o.original, after: { ...o.ghost, name: config.table } },
    conn: o.conn,
    version: o.version,
    where: o.where,
    user: config.connection.user,
    trial: undefined,
    size: undefined,
  };
  const found: Finding[] = [];
  for (const rule of LINT_RULES.filter((r) => r.lintOnly !== true)) found.push(...(rule.scope === 'statement' ? rule.run(ctx) : await rule.run(ctx)));
  return found.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
}

/**
 * The operator named the rule with --allow. --approve-renamed-columns, oschange's (and gh-ost's)
 * acknowledgement of a rename, names rename-column too: asking for both would be the same
 * question twice.
 */
export function isAllowed(f: Finding, config: Pick<MigrationConfig, 'allowRules' | 'approveRenamedColumns'>): boolean {
  return config.allowRules.has(f.check) || (f.check === 'rename-column' && config.approveRenamedColumns);
}

/** Error-level findings the operator has not named. */
export function blockingLint(findings: readonly Finding[], config: Pick<MigrationConfig, 'allowRules' | 'approveRenamedColumns'>): Finding[] {
  return findings.filter((f) => f.severity === 'error' && !isAllowed(f, config));
}

/** Throws when --execute meets an error-level finding the operator has not named, naming them all at once. */
export function refuseUnallowed(findings: readonly Finding[], config: Pick<MigrationConfig, 'allowRules' | 'approveRenamedColumns' | 'database' | 'table' | 'alter'>): void {
  const blocking = blockingLint(findings, config);
  if (blocking.length === 0) return;
  const rules = [...new Set(blocking.map((f) => f.check))];
  throw new OschangeError(
    'LINT_REFUSED',
    `${blocking.map((f) => `[${f.check}] ${f.message}`).join('; ')}. The dry run shows the safe path (and oschange lint --database ${config.database} --table ${config.table} --alter ${shellQuote(config.alter)}); to run it as it is, name ${rules.length === 1 ? 'the rule' : 'each rule'}: --allow ${rules.join(',')}`,
    { exitCode: ExitCode.usage },
  );
}
