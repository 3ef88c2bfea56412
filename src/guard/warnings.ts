import type { DataLossKind } from '../lint/finding.js';

/** One row of SHOW WARNINGS. */
export interface ServerWarning {
  readonly level: string;
  readonly code: number;
  readonly message: string;
}

/**
 * What a warning of an INSERT IGNORE into the ghost means. INSERT IGNORE turns errors into
 * warnings, so every warning of a copy chunk or an apply batch is read and judged:
 * - `shared-key-duplicate`: the row is already in the ghost (the applier wrote it): expected;
 * - `other-duplicate`: the row was dropped because it collides on another unique key;
 * - `row-rejected`: the row was dropped by a CHECK constraint;
 * - `value-changed`: a value was clipped, rounded or converted to fit (accepted with --allow-data-loss=truncate);
 * - `null-replaced`: a NULL became the type's default in a NOT NULL column (--allow-data-loss=null-to-default);
 * - `other`: anything else, which stops the migration too.
 * https://dev.mysql.com/doc/refman/9.4/en/sql-mode.html#ignore-effect-on-execution
 */
export type WarningMeaning = 'shared-key-duplicate' | 'other-duplicate' | 'row-rejected' | 'value-changed' | 'null-replaced' | 'ignorable' | 'other';

const VALUE_CHANGED = new Set([
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1265, // WARN_DATA_TRUNCATED (also the note for a rounded DECIMAL)
  1292, // ER_TRUNCATED_WRONG_VALUE
  1300, // ER_INVALID_CHARACTER_STRING
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1406, // ER_DATA_TOO_LONG
  1690, // ER_DATA_OUT_OF_RANGE
  3751, // ER_WARN_DATA_TRUNCATED_FUNCTIONAL_INDEX (MySQL)
]);
const NULL_REPLACED = new Set([
  1048, // ER_BAD_NULL_ERROR
  1263, // ER_WARN_NULL_TO_NOTNULL
]);
const ROW_REJECTED = new Set([
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  4025, // ER_CONSTRAINT_FAILED (MariaDB)
  1452, // ER_NO_REFERENCED_ROW_2
]);

/** ER_WARN_DEPRECATED_SYNTAX: a word about the statement's form, not about the data. */
const DEPRECATED_SYNTAX = 1287;

/** The index a duplicate-key message names: MySQL writes `'table.index'`, MariaDB `'index'`. */
export function duplicateKeyIndex(message: string, ghost: string): string | undefined {
  const m = /for key '(.*)'$/s.exec(message);
  if (m === null) return undefined;
  const named = m[1] as string;
  return named.startsWith(`${ghost}.`) ? named.slice(ghost.length + 1) : named;
}

export function warningMeaning(w: ServerWarning, o: { ghost: string; sharedIndex: string }): WarningMeaning {
  if (w.code === 1062) {
    const index = duplicateKeyIndex(w.message, o.ghost);
    return index !== undefined && index.toLowerCase() === o.sharedIndex.toLowerCase() ? 'shared-key-duplicate' : 'other-duplicate';
  }
  if (VALUE_CHANGED.has(w.code)) return 'value-changed';
  if (NULL_REPLACED.has(w.code)) return 'null-replaced';
  if (ROW_REJECTED.has(w.code)) return 'row-rejected';
  // Notes the server adds for other reasons, and deprecation warnings, do not change what was written.
  return w.level.toLowerCase() === 'note' || w.code === DEPRECATED_SYNTAX ? 'ignorable' : 'other';
}

/** The warnings that must stop the migration, given what the operator accepted. */
export function unacceptable(warnings: readonly ServerWarning[], o: { ghost: string; sharedIndex: string; allowed: ReadonlySet<DataLossKind> }): ServerWarning[] {
  return warnings.filter((w) => {
    const meaning = warningMeaning(w, o);
    if (meaning === 'shared-key-duplicate' || meaning === 'ignorable') return false;
    if (meaning === 'value-changed') return !o.allowed.has('truncate');
    if (meaning === 'null-replaced') return !o.allowed.has('null-to-default');
    return true;
  });
}

/** `Warning 1264: Out of range value for column 'a' at row 3` */
export function describeWarning(w: ServerWarning): string {
  return `${w.level} ${w.code}: ${w.message}`;
}

/** The row number a warning names (`… at row 3`), 1-based, if any. */
export function warningRow(w: ServerWarning): number | undefined {
  const m = / at row (\d+)$/.exec(w.message);
  return m === null ? undefined : Number(m[1]);
}
