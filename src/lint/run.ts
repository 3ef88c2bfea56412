import { ExitCode, OschangeError } from '../errors.js';
import type { Check, DataContext, ServerContext, TableContext } from './check.js';
import type { DataLossKind, Finding } from './finding.js';
import { CHECKS } from './registry.js';

/** Runs every registered check of one scope, in registry order. */
export async function runChecks(scope: 'server', ctx: ServerContext, checks?: readonly Check[]): Promise<Finding[]>;
export async function runChecks(scope: 'table', ctx: TableContext, checks?: readonly Check[]): Promise<Finding[]>;
export async function runChecks(scope: 'data', ctx: DataContext, checks?: readonly Check[]): Promise<Finding[]>;
export async function runChecks(scope: Check['scope'], ctx: ServerContext | TableContext | DataContext, checks: readonly Check[] = CHECKS): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const check of checks) {
    if (check.scope !== scope) continue;
    switch (check.scope) {
      case 'server':
        found.push(...(await check.run(ctx)));
        break;
      case 'table':
        found.push(...check.run(ctx as TableContext));
        break;
      case 'data':
        found.push(...(await check.run(ctx as DataContext)));
        break;
    }
  }
  return found;
}

/** Errors not accepted with --allow-data-loss. */
export function blocking(findings: readonly Finding[], allowed: ReadonlySet<DataLossKind>): Finding[] {
  return findings.filter((f) => f.severity === 'error' && !(f.allowedBy !== undefined && allowed.has(f.allowedBy)));
}

/**
 * Throws one OschangeError naming every blocking finding (the first one's code and exit code), so an
 * operator fixes them all at once instead of one run at a time.
 */
export function refuseOnErrors(findings: readonly Finding[], allowed: ReadonlySet<DataLossKind> = new Set()): void {
  const errors = blocking(findings, allowed);
  const first = errors[0];
  if (first === undefined) return;
  throw new OschangeError(first.code, errors.map((f) => f.message).join('; '), { exitCode: first.exitCode ?? ExitCode.failure });
}
