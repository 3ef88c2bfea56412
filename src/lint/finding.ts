import type { ExitCode } from '../errors.js';

export type Severity = 'error' | 'warning' | 'info';

/**
 * Kinds of data loss an operator may accept by name (`--allow-data-loss KIND`): values changed to
 * fit a narrower type (`truncate`), NULLs turned into the type's implicit default by a NOT NULL
 * (`null-to-default`). Rows dropped by a new unique key are never accepted: remove duplicates first.
 */
export const DATA_LOSS_KINDS = ['truncate', 'null-to-default'] as const;
export type DataLossKind = (typeof DATA_LOSS_KINDS)[number];

/** What one check found: a refusal (error), something to know (warning), or a plain note (info). */
export interface Finding {
  /** The id of the check that found it. */
  readonly check: string;
  readonly severity: Severity;
  /** Stable code for scripts and tests (NO_UNIQUE_KEY, DATA_WOULD_CHANGE, …). */
  readonly code: string;
  /** One line: what is wrong, and what to do. */
  readonly message: string;
  /** The exit code when this finding stops the run (default: failure). */
  readonly exitCode?: ExitCode;
  /** The --allow-data-loss kind that accepts this finding, when one does. */
  readonly allowedBy?: DataLossKind;
  /** Lint rules: why it matters, in one sentence. */
  readonly why?: string;
  /** Lint rules: what to do instead, in order — the exact statements and oschange commands. */
  readonly steps?: readonly string[];
}

/** The order of severities, most severe first. */
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
