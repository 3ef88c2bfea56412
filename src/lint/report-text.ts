import { describeVersion } from '../db/flavor.js';
import type { Finding, Severity } from './finding.js';
import { oneLine } from './inputs.js';
import { tally, type LintReport } from './lint.js';

const COLOURS: Readonly<Record<Severity | 'head' | 'dim', string>> = { error: '\x1b[1;31m', warning: '\x1b[33m', info: '\x1b[36m', head: '\x1b[1m', dim: '\x1b[2m' };
const LABEL: Readonly<Record<Severity, string>> = { error: 'error  ', warning: 'warning', info: 'note   ' };

/**
 * The report as a person reads it: each statement with findings, where it is and what it says,
 * then each finding — severity, rule, message, why, and the steps to take instead — and a summary.
 * Colour only when `colour` (a terminal that wants it).
 */
export function textReport(report: LintReport, o: { colour: boolean }): string[] {
  const paint = (c: keyof typeof COLOURS, s: string): string => (o.colour ? `${COLOURS[c]}${s}\x1b[0m` : s);
  const lines: string[] = [];
  for (const s of report.statements) {
    if (s.findings.length === 0) continue;
    const where = s.item.file === undefined ? (report.statements.length > 1 ? `statement at line ${s.item.line}` : 'statement') : `${s.item.file}:${s.item.line}`;
    lines.push(paint('head', `${where}: ${oneLine(s.item.text, 100)}`));
    for (const f of s.findings) lines.push(...findingLines(f, paint));
    lines.push('');
  }
  lines.push(summary(report));
  if (report.notRun.length > 0) lines.push(paint('dim', `Without a server these did not run: ${report.notRun.join(', ')} (connect with --host … to run them).`));
  return lines;
}

function findingLines(f: Finding, paint: (c: keyof typeof COLOURS, s: string) => string): string[] {
  const pad = ' '.repeat(11);
  const lines = [`  ${paint(f.severity, LABEL[f.severity])}  ${f.check}: ${f.message}`];
  if (f.why !== undefined) lines.push(`${pad}why: ${f.why}`);
  if (f.steps !== undefined && f.steps.length > 0) {
    lines.push(`${pad}${f.severity === 'info' ? 'then' : 'instead'}:`);
    f.steps.forEach((step, i) => lines.push(`${pad}  ${i + 1}. ${step}`));
  }
  return lines;
}

/** `oschange lint: 3 statements checked against MySQL 9.7.4 at 127.0.0.1:3306: 1 error, 2 warnings, no notes.` */
export function summary(report: LintReport): string {
  const { errors, warnings, notes } = tally(report);
  const n = report.statements.length;
  const against = report.server === undefined ? ' (static rules only)' : ` against ${describeVersion(report.server.version)} at ${report.server.where}`;
  const counted = (k: number, one: string, many: string): string => (k === 0 ? `no ${many}` : `${k} ${k === 1 ? one : many}`);
  const what = errors + warnings + notes === 0 ? 'no findings' : [counted(errors, 'error', 'errors'), counted(warnings, 'warning', 'warnings'), counted(notes, 'note', 'notes')].join(', ');
  return `oschange lint: ${n} ${n === 1 ? 'statement' : 'statements'} checked${against}: ${what}.`;
}
