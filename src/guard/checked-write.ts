import type { RowValue } from '../binlog/types.js';
import { queryRows, type Connection } from '../db/connect.js';
import { ExitCode, OschangeError } from '../errors.js';
import type { KeyTuple } from '../sql/key-range.js';
import { ghostKeysPresent, showWarnings } from '../sql/guard.js';
import type { Statement } from '../sql/quote.js';
import { describeKey } from '../status/describe-row.js';
import { resolveUniqueConflict } from './unique-conflict.js';
import type { GuardTables } from './tables.js';
import { describeWarning, unacceptable, warningMeaning, warningRow, type ServerWarning } from './warnings.js';

/**
 * What one INSERT IGNORE into the ghost did: rows it read, rows it skipped as duplicates (on any
 * unique key), and warnings in all. The server reports these counts in full ("Records: 3
 * Duplicates: 1 Warnings: 2"), while SHOW WARNINGS keeps only the first max_error_count warnings
 * (64 on MariaDB, 1024 on MySQL, where raising it needs a privilege) — so the judgement rests on the
 * counts, and the kept warnings only name the rows.
 * https://dev.mysql.com/doc/c-api/9.4/en/mysql-info.html
 */
export interface WriteCounts {
  readonly duplicates: number;
  readonly warnings: number;
}

export function writeCounts(result: unknown, rows: number): WriteCounts {
  const r = typeof result === 'object' && result !== null ? (result as { info?: unknown; warningStatus?: unknown; affectedRows?: unknown }) : {};
  const m = /Records:\s*(\d+)\s+Duplicates:\s*(\d+)\s+Warnings:\s*(\d+)/.exec(String(r.info ?? ''));
  if (m !== null) return { duplicates: Number(m[2]), warnings: Number(m[3]) };
  // A one-row INSERT … VALUES reports no info line: a row not inserted was a duplicate.
  const warnings = Number(r.warningStatus) || 0;
  return { duplicates: rows === 1 && Number(r.affectedRows) === 0 ? 1 : 0, warnings };
}

export async function readWarnings(conn: Connection): Promise<ServerWarning[]> {
  return (await queryRows(conn, showWarnings().sql)).map((r) => ({ level: String(r['Level']), code: Number(r['Code']), message: String(r['Message']) }));
}

const ADVICE: Readonly<Record<string, string>> = {
  'value-changed': 'Fix the data, or accept the change with --allow-data-loss=truncate',
  'null-replaced': 'Fix the data, or accept NULLs becoming the default with --allow-data-loss=null-to-default',
  'row-rejected': 'A constraint of the altered table rejects the row: fix the data or the constraint',
  other: 'oschange stops on any warning it does not know to be harmless',
};

/**
 * Judges one INSERT IGNORE into the ghost. Every warning that is not a duplicate means a value
 * changed or a row was rejected: the migration stops, naming the row (`rowKey`, from the warning's
 * "at row N") unless --allow-data-loss accepts that kind. Duplicates on the shared key are expected
 * (the applier wrote the row first); when the ghost has other unique keys, a duplicate may be a row
 * dropped for colliding on one of them, and `checkDropped` tells the caller to look for such rows
 * and write them again (rewriteDropped).
 */
export async function judgeWrite(o: {
  conn: Connection;
  g: GuardTables;
  counts: WriteCounts;
  /** `copying rows` / `replaying binlog events` */
  doing: string;
  rowKey: (row: number | undefined) => Promise<string | undefined>;
}): Promise<{ checkDropped: boolean }> {
  const { counts, g } = o;
  const checkDropped = counts.duplicates > 0 && g.uniqueIndexes.length > 0;
  const others = counts.warnings - counts.duplicates;
  if (others <= 0) return { checkDropped };
  const kept = (await readWarnings(o.conn)).filter((w) => w.code !== 1062);
  const bad = unacceptable(kept, { ghost: g.ghost, sharedIndex: g.sharedIndex, allowed: g.allowed });
  const first = bad[0];
  if (first === undefined) {
    // Every warning we could read was accepted; the ones the server did not keep cannot be judged.
    if (kept.length >= others) return { checkDropped };
    throw new OschangeError(
      'WARNINGS_UNREAD',
      `${o.doing} into ${g.database}.${g.ghost} left ${others} warnings that are not duplicates, but the server kept only ${kept.length} of them to read; ` +
        `the original table is untouched. Use smaller chunks (--chunk-size), or raise max_error_count`,
    );
  }
  const meaning = warningMeaning(first, { ghost: g.ghost, sharedIndex: g.sharedIndex });
  const key = await o.rowKey(warningRow(first));
  throw new OschangeError(
    meaning === 'row-rejected' ? 'ROW_REJECTED' : 'VALUE_WOULD_CHANGE',
    `${o.doing} into ${g.database}.${g.ghost} would change data of ${g.database}.${g.original}: ${describeWarning(first)}` +
      `${key === undefined ? '' : ` (${key})`}${others > 1 ? ` and ${others - 1} more` : ''}; the original table is untouched. ${ADVICE[meaning] ?? ADVICE['other']}`,
    { exitCode: ExitCode.failure },
  );
}

/** How often one row may collide again after a conflict was resolved (the application keeps moving). */
const MAX_REWRITES = 5;

/**
 * Re-writes rows an INSERT IGNORE dropped for colliding on a unique key the original lacks, after
 * resolving each collision (resolveUniqueConflict: a stale row on either side, or a real duplicate
 * that stops the migration).
 */
export async function rewriteDropped(o: {
  conn: Connection;
  g: GuardTables;
  doing: string;
  rows: readonly { readonly key: KeyTuple; readonly value: (column: string) => RowValue | undefined; readonly write: () => Statement }[];
}): Promise<number> {
  let written = 0;
  for (const row of o.rows) {
    const described = (): string => describeKey(o.g.keyColumns, Object.fromEntries(o.g.keyColumns.map((c, i) => [c, row.key[i]])));
    for (let attempt = 1; ; attempt++) {
      if ((await resolveUniqueConflict(o.conn, o.g, row.key, row.value)) === 'skip') break;
      const s = row.write();
      const [result] = await o.conn.query(s.sql, [...s.params]);
      const counts = writeCounts(result, 1);
      await judgeWrite({ conn: o.conn, g: o.g, counts, doing: o.doing, rowKey: async () => described() });
      if (counts.duplicates === 0 || (await inGhost(o.conn, o.g, row.key))) {
        written++;
        break;
      }
      if (attempt >= MAX_REWRITES) {
        throw new OschangeError(
          'UNIQUE_CONFLICT_PERSISTS',
          `${o.doing}: row ${described()} of ${o.g.database}.${o.g.original} kept colliding on a unique key of the altered table after ${MAX_REWRITES} tries; the original table is untouched`,
        );
      }
    }
  }
  return written;
}

/** True when the ghost holds a row with this shared key (the applier may have written it meanwhile). */
async function inGhost(conn: Connection, g: GuardTables, key: KeyTuple): Promise<boolean> {
  const s = ghostKeysPresent(g.database, g.ghost, g.ghostKeyColumns, [key]);
  return (await queryRows(conn, s.sql, s.params)).length > 0;
}
