import { describeVersion } from '../db/flavor.js';
import { tally, type LintReport } from './lint.js';

/** The report as one JSON document, for scripts: every statement (with or without findings), the summary, what did not run. */
export function jsonReport(report: LintReport): string {
  return JSON.stringify({
    server: report.server === undefined ? null : { where: report.server.where, version: describeVersion(report.server.version) },
    statements: report.statements.map((s) => ({
      file: s.item.file ?? null,
      line: s.item.line,
      sql: s.item.text,
      findings: s.findings.map((f) => ({ rule: f.check, severity: f.severity, code: f.code, message: f.message, why: f.why ?? null, steps: f.steps ?? [] })),
    })),
    summary: { statements: report.statements.length, ...tally(report) },
    notRun: report.notRun,
  });
}
