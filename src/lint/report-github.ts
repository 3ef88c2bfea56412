import type { Severity } from './finding.js';
import type { LintReport } from './lint.js';
import { summary } from './report-text.js';

const COMMAND: Readonly<Record<Severity, string>> = { error: 'error', warning: 'warning', info: 'notice' };

/**
 * GitHub Actions workflow commands: one annotation per finding, on the file and line of its
 * statement, with the why and the steps in its body; then the summary as a plain line.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */
export function githubReport(report: LintReport): string[] {
  const lines: string[] = [];
  for (const s of report.statements) {
    for (const f of s.findings) {
      const props = [...(s.item.file === undefined ? [] : [`file=${property(s.item.file)}`, `line=${s.item.line}`]), `title=${property(`oschange lint: ${f.check}`)}`];
      const body = [f.message, ...(f.why === undefined ? [] : [`Why: ${f.why}`]), ...(f.steps ?? []).map((step, i) => `${i + 1}. ${step}`)].join('\n');
      lines.push(`::${COMMAND[f.severity]} ${props.join(',')}::${data(body)}`);
    }
  }
  lines.push(summary(report));
  return lines;
}

function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
