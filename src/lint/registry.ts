import type { Check, LintRule } from './check.js';
import { binlogSettings } from './checks/binlog-settings.js';
import { privileges } from './checks/privileges.js';
import { newUniqueKeys } from './checks/new-unique-keys.js';
import { valuesFit } from './checks/values-fit.js';
import { hasUniqueKey, innodbOnly, readableColumnTypes } from './checks/table-shape.js';
import { foreignKeysHandled, triggersHandled, triggersMovable } from './checks/triggers-and-keys.js';
import { addForeignKey } from './rules/add-foreign-key.js';
import { addUniqueKey } from './rules/add-unique-key.js';
import { algorithmLockClause } from './rules/algorithm-lock-clause.js';
import { alterAlgorithm } from './rules/alter-algorithm.js';
import { columnStillUsed } from './rules/column-still-used.js';
import { combineAlters } from './rules/combine-alters.js';
import { copyEstimate } from './rules/copy-estimate.js';
import { dropColumn } from './rules/drop-column.js';
import { dropPrimaryKey } from './rules/drop-primary-key.js';
import { dropTable } from './rules/drop-table.js';
import { floatForMoney } from './rules/float-for-money.js';
import { keyColumnCharset } from './rules/key-column-charset.js';
import { narrowerType } from './rules/narrower-type.js';
import { notNullWithoutDefault } from './rules/not-null-without-default.js';
import { pkNearMax } from './rules/pk-near-max.js';
import { renameColumn } from './rules/rename-column.js';
import { renameTable } from './rules/rename-table.js';
import { timestamp2038 } from './rules/timestamp-2038.js';

/**
 * Everything oschange checks, in the order it checks: the server, the table, the table's data
 * against the altered shape (before every migration), then the lint rules — on the statements,
 * and with the server. A new check is one file in checks/ or rules/ and one line here; the README's
 * rule list is generated from this list (scripts/lint-readme.ts).
 */
export const CHECKS: readonly Check[] = [
  // the server
  binlogSettings,
  privileges,
  // the original table
  innodbOnly,
  hasUniqueKey,
  triggersHandled,
  readableColumnTypes,
  // the original's rows against the altered shape
  foreignKeysHandled,
  triggersMovable,
  newUniqueKeys,
  valuesFit,
  // lint rules: the statements (and the table's shape, with a server)
  notNullWithoutDefault,
  renameColumn,
  renameTable,
  dropColumn,
  dropTable,
  dropPrimaryKey,
  addUniqueKey,
  addForeignKey,
  narrowerType,
  keyColumnCharset,
  combineAlters,
  algorithmLockClause,
  floatForMoney,
  timestamp2038,
  // lint rules that ask the server
  alterAlgorithm,
  copyEstimate,
  columnStillUsed,
  pkNearMax,
];

/** The lint rules: the checks --disable and --allow name, and the migration's gate runs. */
export const LINT_RULES: readonly LintRule[] = CHECKS.filter((c): c is LintRule => c.scope === 'statement' || c.scope === 'live');

/** Every id oschange lint can report (its rules, and the table and data checks it runs with a server). */
export const LINT_IDS: readonly string[] = CHECKS.filter((c) => c.scope !== 'server').map((c) => c.id);
