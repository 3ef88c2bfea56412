import type { ServerVersion } from '../db/flavor.js';
import type { Check, LintStatement, StatementContext } from './check.js';
import { SEVERITIES, type Finding } from './finding.js';
import { lintWithServer, type LintServer } from './live/run-live.js';
import { CHECKS } from './registry.js';
import type { LintSettings } from './settings.js';

/** One statement and what lint found about it. */
export interface StatementReport {
  readonly item: LintStatement;
  readonly findings: readonly Finding[];
}

export interface LintReport {
  readonly statements: readonly StatementReport[];
  /** The server the statements were checked against, or undefined (static rules only). */
  readonly server: { readonly where: string; readonly version: ServerVersion } | undefined;
  /** Enabled rules that need a server and did not run without one. */
  readonly notRun: readonly string[];
}

/**
 * Runs the enabled rules over the statements: the static ones alone, or — with a server — every
 * rule and the table and data checks too (src/lint/live/run-live.ts). Severities are then set as
 * the settings say, and each statement's findings sorted, errors first.
 */
export async function lint(o: {
  batch: readonly LintStatement[];
  database: string | undefined;
  settings: LintSettings;
  server?: LintServer | undefined;
  now?: () => number;
  signal?: AbortSignal;
  checks?: readonly Check[];
}): Promise<LintReport> {
  const all = o.checks ?? CHECKS;
  const enabled = all.filter((c) => c.scope !== 'server' && !o.settings.disabled.has(c.id));
  let found: Finding[][];
  if (o.server === undefined) {
    found = o.batch.map((item, index) => {
      const ctx: StatementContext = { item, batch: o.batch, index, database: o.database, shapes: undefined, version: undefined };
      return enabled.flatMap((c) => (c.scope === 'statement' ? [...c.run(ctx)] : []));
    });
  } else {
    found = await lintWithServer({ server: o.server, batch: o.batch, database: o.database, checks: enabled, now: o.now ?? (() => performance.now()), ...(o.signal === undefined ? {} : { signal: o.signal }) });
  }
  const order = new Map(all.map((c, i) => [c.id, i]));
  const statements = o.batch.map((item, i) => ({
    item,
    findings: (found[i] ?? [])
      .map((f) => {
        const severity = o.settings.severity.get(f.check);
        return severity === undefined ? f : { ...f, severity };
      })
      .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || (order.get(a.check) ?? 0) - (order.get(b.check) ?? 0)),
  }));
  const notRun = o.server === undefined ? enabled.filter((c) => c.scope !== 'statement' || c.needsServer === true).map((c) => c.id) : [];
  return { statements, server: o.server === undefined ? undefined : { where: o.server.where, version: o.server.version }, notRun };
}

/** Counts by severity. */
export function tally(report: LintReport): { errors: number; warnings: number; notes: number } {
  const all = report.statements.flatMap((s) => s.findings);
  return { errors: all.filter((f) => f.severity === 'error').length, warnings: all.filter((f) => f.severity === 'warning').length, notes: all.filter((f) => f.severity === 'info').length };
}
