import type { MigrationConfig } from '../config.js';
import { describeVersion } from '../db/flavor.js';
import { swapMethod, type Plan } from '../inspect/plan.js';
import type { Finding } from '../lint/finding.js';
import { isAllowed } from '../lint/gate.js';
import { FOREIGN_KEYS_METHOD_COST } from '../lint/checks/triggers-and-keys.js';
import { describeComparison, planComparison } from '../verify/comparison.js';

/** The plan, as printed before anything happens (and as the whole output of a dry run). */
export function describePlan(plan: Plan, config: MigrationConfig, rows: number, where: string): string[] {
  const { mapping, sharedKey, names } = plan;
  const list = (xs: readonly string[]): string => (xs.length === 0 ? '-' : xs.join(', '));
  return [
    `Plan for ${config.database}.${config.table} on ${describeVersion(plan.version)} at ${where}:`,
    ...(config.statement === undefined ? [] : [`  statement:   ${config.statement.trim()} (run as the ALTER below)`]),
    `  alter:       ${plan.alterClause}`,
    `  shared key:  ${sharedKey.originalIndex.name} (${sharedKey.originalIndex.columns.join(', ')})${sharedKey.ghostIndexName !== sharedKey.originalIndex.name ? ` = ${sharedKey.ghostIndexName} on the ghost` : ''}`,
    `  columns:     ${mapping.pairs.length} copied; added: ${list(mapping.added)}; dropped: ${list(mapping.dropped)}; renamed: ${list(mapping.renamed.map((r) => `${r.from} → ${r.to}`))}`,
    `  rows:        ${config.exactRowcount ? '' : '~'}${rows}${config.exactRowcount ? '' : ' (estimate)'}`,
    ...(plan.drops.length > 0 ? [`  drops first: ${plan.drops.join(', ')}`] : []),
    `  creates:     ${names.ghost} (ghost), ${names.changelog} (changelog); the old table is then ${swapMethod(config, plan) === 'drop' ? 'dropped inside the cut-over (drop_swap)' : config.okToDropTable ? 'dropped' : `kept as ${names.old}`}`,
    `  checksum:    ${config.checksum ? describeComparison(planComparison(plan, config.allowDataLoss)) : 'off (--no-checksum): nothing compares the tables before the swap'}`,
    ...(config.forceKillBlockersAfter === undefined ? [] : [`  blockers:    ${describeKillBlockers(config)}`]),
    ...describeLinks(plan, config),
    ...(mapping.replaced.length > 0 ? [`  new values:  ${list(mapping.replaced)} dropped and added again: the new column's values come from its definition, the old ones are not copied`] : []),
    ...plan.findings.map((f) => `  ${f.severity === 'error' ? 'accepted' : f.severity === 'warning' ? 'warning' : 'note'}:${' '.repeat(f.severity === 'error' ? 5 : f.severity === 'warning' ? 6 : 9)}${f.message}`),
    ...plan.lint.flatMap((f) => describeLintFinding(f, config)),
  ];
}

/** Triggers and foreign keys: what the swap does with each, and what it costs (docs/design.md). */
function describeLinks(plan: Plan, config: MigrationConfig): string[] {
  const out: string[] = [];
  if (plan.triggers.length > 0) out.push(`  triggers:    ${plan.triggers.join(', ')} move to the new table inside the cut-over lock (--include-triggers), under the same names`);
  const { own, children } = plan.foreignKeys;
  if (own.length > 0) {
    out.push(
      config.discardForeignKeys
        ? `  own keys:    ${own.map((f) => f.name).join(', ')} not carried (--discard-foreign-keys): the new table has none of them`
        : `  own keys:    ${plan.ghostForeignKeys.map((f) => `${f.name} as ${f.as}`).join(', ') || '-'} on the new table (a foreign key name is unique in a schema, and the old table keeps the first)`,
    );
  }
  if (children.length > 0 && config.alterForeignKeysMethod !== undefined) {
    out.push(`  children:    ${children.map((f) => `${f.childTable}.${f.name}`).join(', ')}: ${config.alterForeignKeysMethod}: ${FOREIGN_KEYS_METHOD_COST[config.alterForeignKeysMethod]}`);
  }
  return out;
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

/** --force-kill-blockers-after's cost, said before anything runs: whose sessions are killed, and when. */
export function describeKillBlockers(config: Pick<MigrationConfig, 'database' | 'table' | 'forceKillBlockersAfter' | 'cutOverLockTimeoutSeconds'>): string {
  const n = config.forceKillBlockersAfter ?? 0;
  const when = n === 0 ? 'every cut-over attempt' : `after ${n} cut-over attempt${n === 1 ? '' : 's'} time${n === 1 ? 's' : ''} out on the lock (${config.cutOverLockTimeoutSeconds} s each), every later attempt`;
  return (
    `${when} kills the sessions still holding a lock on ${config.database}.${config.table} once its lock has waited ${config.cutOverLockTimeoutSeconds / 2} s ` +
    `(an open transaction that read or wrote the table, a long query; or an ALTER queued before it): their transactions are rolled back; each is named in the log first (--force-kill-blockers-after ${n})`
  );
}
