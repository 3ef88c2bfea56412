import type { MigrationConfig } from '../config.js';
import { describeVersion } from '../db/flavor.js';
import type { Plan } from '../inspect/plan.js';
import type { Finding } from '../lint/finding.js';
import { isAllowed } from '../lint/gate.js';
import { describeComparison, planComparison } from '../verify/comparison.js';

/** The plan, as printed before anything happens (and as the whole output of a dry run). */
export function describePlan(plan: Plan, config: MigrationConfig, rows: number, where: string): string[] {
  const { mapping, sharedKey, names } = plan;
  const list = (xs: readonly string[]): string => (xs.length === 0 ? '-' : xs.join(', '));
  return [
    `Plan for ${config.database}.${config.table} on ${describeVersion(plan.version)} at ${where}:`,
    `  alter:       ${plan.alterClause}`,
    `  shared key:  ${sharedKey.originalIndex.name} (${sharedKey.originalIndex.columns.join(', ')})${sharedKey.ghostIndexName !== sharedKey.originalIndex.name ? ` = ${sharedKey.ghostIndexName} on the ghost` : ''}`,
    `  columns:     ${mapping.pairs.length} copied; added: ${list(mapping.added)}; dropped: ${list(mapping.dropped)}; renamed: ${list(mapping.renamed.map((r) => `${r.from} → ${r.to}`))}`,
    `  rows:        ${config.exactRowcount ? '' : '~'}${rows}${config.exactRowcount ? '' : ' (estimate)'}`,
    ...(plan.drops.length > 0 ? [`  drops first: ${plan.drops.join(', ')}`] : []),
    `  creates:     ${names.ghost} (ghost), ${names.changelog} (changelog); the old table is then ${config.okToDropTable ? 'dropped' : `kept as ${names.old}`}`,
    `  checksum:    ${config.checksum ? describeComparison(planComparison(plan, config.allowDataLoss)) : 'off (--no-checksum): nothing compares the tables before the swap'}`,
    ...(mapping.replaced.length > 0 ? [`  new values:  ${list(mapping.replaced)} dropped and added again: the new column's values come from its definition, the old ones are not copied`] : []),
    ...plan.findings.map((f) => `  ${f.severity === 'error' ? 'accepted' : f.severity === 'warning' ? 'warning' : 'note'}:${' '.repeat(f.severity === 'error' ? 5 : f.severity === 'warning' ? 6 : 9)}${f.message}`),
    ...plan.lint.flatMap((f) => describeLintFinding(f, config)),
  ];
}

/**
 * A lint finding in the plan: an error the operator has not named stops --execute, so it comes
 * with the safe path and the flag that accepts it.
 */
function describeLintFinding(f: Finding, config: MigrationConfig): string[] {
  if (f.severity !== 'error') return [`  ${f.severity === 'warning' ? 'lint warning: ' : 'lint note:    '}[${f.check}] ${f.message}`];
  if (isAllowed(f, config)) return [`  lint allowed: [${f.check}] ${f.message} (${f.check === 'rename-column' && !config.allowRules.has(f.check) ? '--approve-renamed-columns' : `--allow ${f.check}`})`];
  return [
    `  lint error:   [${f.check}] ${f.message}`,
    ...(f.why === undefined ? [] : [`                why: ${f.why}`]),
    ...(f.steps ?? []).map((step, i) => `                ${i + 1}. ${step}`),
    `                --execute stops here; to run this ALTER as it is, name the rule: --allow ${f.check}`,
  ];
}
