import cliProgress from 'cli-progress';
import type { MigrationState } from '../state.js';
import { formatDuration, stateText, statusNumbers } from './format.js';

/**
 * The one line a terminal shows instead of a scrolling status line:
 * `users [██████░░░░░░░░░░░░░░] 31% | 31000/100000 rows | ETA 1m2s | throttled, outside window; next opens …`
 * Pure, so it is tested without a terminal; the bar's width follows the terminal's.
 */
export function progressLine(o: { state: MigrationState; nowMs: number; table: string; barWidth: number }): string {
  const s = o.state;
  const n = statusNumbers(s, o.nowMs);
  const total = Math.max(s.rowsEstimate, s.rowsCopied);
  const filled = Math.max(0, Math.min(o.barWidth, Math.round((n.copyPercent / 100) * o.barWidth)));
  const bar = '\u2588'.repeat(filled) + '\u2591'.repeat(o.barWidth - filled);
  const eta = n.etaMs === undefined ? 'N/A' : n.etaMs === 0 ? (s.copyEndedAtMs !== undefined ? 'due' : '0s') : formatDuration(n.etaMs);
  const extra: string[] = [];
  if (s.verifyStartedAtMs !== undefined) extra.push(`verify ${s.verifyChunks} chunks${s.verifyEndedAtMs === undefined ? '' : ' (done)'}`);
  return `${o.table} [${bar}] ${n.copyPercent.toFixed(0)}% | ${s.rowsCopied}/${total} rows | ETA ${eta} | ${[stateText(s), ...extra].join(' | ')}`;
}

/**
 * A progress bar on a terminal (cli-progress), redrawn from the live state; lines printed
 * meanwhile (the plan, warnings, the final line) go above it.
 */
export class ProgressBar {
  private readonly multi: cliProgress.MultiBar;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  /** Redraws the bar from the state now. */
  private redraw: () => void = () => undefined;

  constructor(
    private readonly o: { readonly stream: NodeJS.WriteStream; readonly table: string; readonly now: () => number; readonly redrawMs?: number },
  ) {
    this.multi = new cliProgress.MultiBar({
      stream: o.stream,
      hideCursor: true,
      clearOnComplete: false,
      linewrap: false,
      format: (_options, _params, payload: { line?: string }) => payload.line ?? '',
    });
  }

  /** Shows the bar for `state` and keeps it current until stop(). */
  start(state: MigrationState): void {
    if (this.started) return;
    this.started = true;
    const width = (): number => Math.max(10, Math.min(40, (this.o.stream.columns ?? 100) - 90));
    const line = (): string => progressLine({ state, nowMs: this.o.now(), table: this.o.table, barWidth: width() });
    const bar = this.multi.create(1, 0, { line: line() });
    this.redraw = () => bar.update(0, { line: line() });
    this.timer = setInterval(this.redraw, this.o.redrawMs ?? 250);
  }

  /** A line above the bar (or plainly, before the bar is shown). */
  log(line: string): void {
    if (!this.started) {
      this.o.stream.write(line.endsWith('\n') ? line : `${line}\n`);
      return;
    }
    this.multi.log(line.endsWith('\n') ? line : `${line}\n`);
  }

  /** The last state drawn, and every line logged meanwhile printed (cli-progress prints them on a redraw). */
  stop(): void {
    clearInterval(this.timer);
    if (this.started) {
      this.redraw();
      this.multi.update();
      this.multi.stop();
    }
    this.started = false;
  }
}
