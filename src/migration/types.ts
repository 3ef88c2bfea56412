import type { MigrationConfig } from '../config.js';
import type { Plan } from '../inspect/plan.js';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import type { CutOverGate } from './attempt.js';

export interface MigrationDeps {
  readonly config: MigrationConfig;
  readonly log: Logger;
  /** User-facing lines: the plan, the status line, the result. */
  readonly out: (line: string) => void;
  readonly signal: AbortSignal;
  readonly now?: () => number;
  /**
   * Called once the copy is done, the ghost is in sync and verified, right before the cut-over; the
   * migration waits for it. Tests use it as a programmable postponed cut-over.
   */
  readonly beforeCutOver?: (gate: CutOverGate) => Promise<void>;
  /** Where status lines go (default: `out`); a progress bar takes them instead on a terminal. */
  readonly status?: (line: string) => void;
  /** Receives the live state as soon as it exists (the control socket and tests watch it). */
  readonly observe?: (state: MigrationState) => void;
}

export interface MigrationResult {
  readonly executed: boolean;
  readonly plan: Plan | undefined;
  readonly rowsCopied: number;
  readonly eventsApplied: number;
  /** How long the original table was locked (for an instant ALTER: the whole ALTER, lock wait included). */
  readonly lockMs: number | undefined;
  readonly elapsedMs: number;
  /** The ALTER was done in place with ALGORITHM=INSTANT: no ghost, no copy, no cut-over. */
  readonly instant: boolean;
}

