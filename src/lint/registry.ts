import type { Check } from './check.js';
import { binlogSettings } from './checks/binlog-settings.js';
import { privileges } from './checks/privileges.js';
import { newUniqueKeys } from './checks/new-unique-keys.js';
import { valuesFit } from './checks/values-fit.js';
import { hasUniqueKey, innodbOnly, noForeignKeys, noTriggers, readableColumnTypes } from './checks/table-shape.js';

/**
 * Everything oschange checks before it changes anything, in the order it checks: the server, the
 * table, then the table's data against the altered shape. A new check is one file in checks/ and
 * one line here.
 */
export const CHECKS: readonly Check[] = [
  // the server
  binlogSettings,
  privileges,
  // the original table
  innodbOnly,
  hasUniqueKey,
  noForeignKeys,
  noTriggers,
  readableColumnTypes,
  // the original's rows against the altered shape
  newUniqueKeys,
  valuesFit,
];
