import { ExitCode, OschangeError } from '../../errors.js';
import { candidateKeys } from '../shared-key.js';
import type { TableCheckContext } from './types.js';

/** InnoDB only: the copy's locking reads and the atomic rename rely on it. */
export function checkEngine(ctx: TableCheckContext): void {
  if (ctx.table.engine.toLowerCase() !== 'innodb') {
    throw new OschangeError('UNSUPPORTED_ENGINE', `table ${ctx.config.database}.${ctx.config.table} uses the ${ctx.table.engine} engine; oschange supports InnoDB tables only`, {
      exitCode: ExitCode.usage,
    });
  }
}

/** Every row must be identifiable: a PRIMARY KEY or a UNIQUE key on non-null columns. */
export function checkHasUniqueKey(ctx: TableCheckContext): void {
  if (candidateKeys(ctx.table).length === 0) {
    throw new OschangeError(
      'NO_UNIQUE_KEY',
      `table ${ctx.config.database}.${ctx.config.table} has no PRIMARY KEY or non-null UNIQUE key, so its rows cannot be told apart; add one first (e.g. a PRIMARY KEY)`,
      { exitCode: ExitCode.usage },
    );
  }
}

/**
 * Foreign keys are refused for now: a swap would leave child tables pointing at the old table
 * (or the ghost's constraints would need new names). gh-ost refuses them too.
 */
export function checkNoForeignKeys(ctx: TableCheckContext): void {
  const fk = ctx.table.foreignKeys[0];
  if (fk === undefined) return;
  const role = fk.childTable === ctx.config.table ? `references ${fk.parentTable}` : `is referenced by ${fk.childTable}`;
  throw new OschangeError(
    'FOREIGN_KEYS',
    `table ${ctx.config.database}.${ctx.config.table} ${role} through foreign key ${fk.name}; tables with a foreign key are not supported yet`,
    { exitCode: ExitCode.usage },
  );
}

/** Triggers are refused for now: they would not follow the swap, and would fire twice on the copy. */
export function checkNoTriggers(ctx: TableCheckContext): void {
  if (ctx.table.triggers.length === 0) return;
  throw new OschangeError(
    'TRIGGERS',
    `table ${ctx.config.database}.${ctx.config.table} has trigger ${ctx.table.triggers.join(', ')}; tables with triggers are not supported yet`,
    { exitCode: ExitCode.usage },
  );
}

/** Column types the binlog reader cannot decode yet: refused before anything is created. */
const UNSUPPORTED_TYPES = new Set(['vector']);

export function checkColumnTypes(ctx: TableCheckContext): void {
  const bad = ctx.table.columns.filter((c) => UNSUPPORTED_TYPES.has(c.dataType) && !c.generated);
  if (bad.length === 0) return;
  throw new OschangeError(
    'UNSUPPORTED_TYPE',
    `table ${ctx.config.database}.${ctx.config.table} has ${bad.map((c) => `column ${c.name} of type ${c.dataType.toUpperCase()}`).join(', ')}, which oschange cannot read from the binlog yet`,
    { exitCode: ExitCode.usage },
  );
}
