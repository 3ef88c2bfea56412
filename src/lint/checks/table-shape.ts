import { ExitCode } from '../../errors.js';
import { candidateKeys } from '../../inspect/shared-key.js';
import type { Check, TableContext } from '../check.js';
import type { Finding } from '../finding.js';

const refuse = (check: string, code: string, message: string): Finding[] => [{ check, severity: 'error', code, message, exitCode: ExitCode.usage }];
const name = (ctx: TableContext): string => `${ctx.config.database}.${ctx.config.table}`;

/** InnoDB only: the copy's locking reads and the atomic rename rely on it. */
export const innodbOnly: Check = {
  id: 'innodb-only',
  scope: 'table',
  describe: 'the table is InnoDB',
  run(ctx) {
    if (ctx.table.engine.toLowerCase() === 'innodb') return [];
    return refuse(this.id, 'UNSUPPORTED_ENGINE', `table ${name(ctx)} uses the ${ctx.table.engine} engine; oschange supports InnoDB tables only`);
  },
};

/** Every row must be identifiable: a PRIMARY KEY or a UNIQUE key on non-null columns. */
export const hasUniqueKey: Check = {
  id: 'has-unique-key',
  scope: 'table',
  describe: 'every row can be told apart by a PRIMARY KEY or a non-null UNIQUE key',
  run(ctx) {
    if (candidateKeys(ctx.table).length > 0) return [];
    return refuse(
      this.id,
      'NO_UNIQUE_KEY',
      `table ${name(ctx)} has no PRIMARY KEY or non-null UNIQUE key, so its rows cannot be told apart; add one first (e.g. a PRIMARY KEY)`,
    );
  },
};

/** Column types the binlog reader cannot decode yet: refused before anything is created. */
const UNSUPPORTED_TYPES = new Set(['vector']);

export const readableColumnTypes: Check = {
  id: 'readable-column-types',
  scope: 'table',
  describe: 'oschange can read every column type from the binlog',
  run(ctx) {
    const bad = ctx.table.columns.filter((c) => UNSUPPORTED_TYPES.has(c.dataType) && !c.generated);
    if (bad.length === 0) return [];
    return refuse(
      this.id,
      'UNSUPPORTED_TYPE',
      `table ${name(ctx)} has ${bad.map((c) => `column ${c.name} of type ${c.dataType.toUpperCase()}`).join(', ')}, which oschange cannot read from the binlog yet`,
    );
  },
};
