import type { Connection } from '../../db/connect.js';
import type { ServerVersion } from '../../db/flavor.js';
import { errno } from '../../db/retry.js';
import { describeError } from '../../errors.js';
import { alterWithAlgorithm } from '../../sql/lint.js';

/** How the server runs an ALTER, fastest first. */
export type Algorithm = 'INSTANT' | 'NOCOPY' | 'INPLACE' | 'COPY';

export type TrialOutcome =
  /** The first form the server accepted: the one a plain ALTER TABLE would use. */
  | { readonly kind: 'accepted'; readonly algorithm: Algorithm; readonly lock: 'NONE' | 'SHARED' | undefined }
  /** The server refuses the ALTER whatever the algorithm (an unknown column, a duplicate name, …). */
  | { readonly kind: 'refused'; readonly error: string };

/** What the server does with an ALTER, found by trying it on an empty copy of the table. */
export interface AlgorithmTrial {
  readonly outcome: TrialOutcome;
  /** Why each faster form was refused, in the server's words (`ALGORITHM=INSTANT is not supported. Reason: …`). */
  readonly refusals: readonly { readonly tried: string; readonly reason: string }[];
}

/** The table's size, and the time a sample of its rows took to copy into the altered copy. */
export interface TableSize {
  readonly rows: number;
  readonly dataBytes: number;
  readonly indexBytes: number;
  readonly sample: { readonly kind: 'measured'; readonly rows: number; readonly ms: number } | { readonly kind: 'skipped'; readonly reason: string };
}

/** ER_ALTER_OPERATION_NOT_SUPPORTED, …_REASON, and ER_WRONG_USAGE ("Incorrect usage of ALGORITHM=INSTANT and LOCK=…"). */
const NOT_SUPPORTED = new Set([1845, 1846, 1221]);

/**
 * The forms to try, fastest first. A plain ALTER TABLE picks the first one the server supports
 * (with LOCK=NONE when it can), so the first accepted form is what the server would do. MariaDB
 * has NOCOPY (in place, without rebuilding the table) between INSTANT and INPLACE.
 * https://dev.mysql.com/doc/refman/9.4/en/innodb-online-ddl-operations.html
 * https://mariadb.com/kb/en/innodb-online-ddl-overview/
 */
export function trialForms(version: ServerVersion): readonly { readonly algorithm: Algorithm; readonly lock: 'NONE' | 'SHARED' | undefined }[] {
  return [
    { algorithm: 'INSTANT', lock: undefined },
    ...(version.flavor === 'mariadb' ? [{ algorithm: 'NOCOPY' as const, lock: 'NONE' as const }] : []),
    { algorithm: 'INPLACE', lock: 'NONE' },
    { algorithm: 'INPLACE', lock: 'SHARED' },
    { algorithm: 'COPY', lock: undefined },
  ];
}

/**
 * Tries the ALTER on `scratch` (an empty copy of the table, never the table itself) in each form,
 * fastest first, until the server accepts one. A refused form changes nothing; the accepted one
 * leaves `scratch` altered, so its shape is the table's shape after the ALTER.
 */
export async function tryAlgorithms(o: { conn: Connection; version: ServerVersion; database: string; scratch: string; actions: string; table: string }): Promise<AlgorithmTrial> {
  // The server's messages name the copy; the operator knows the table.
  const said = (err: unknown): string => describeError(err).replaceAll(o.scratch, o.table);
  const refusals: { tried: string; reason: string }[] = [];
  for (const form of trialForms(o.version)) {
    const s = alterWithAlgorithm({ database: o.database, table: o.scratch, algorithm: form.algorithm, lock: form.lock, actions: o.actions });
    try {
      await o.conn.query(s.sql, [...s.params]);
      return { outcome: { kind: 'accepted', algorithm: form.algorithm, lock: form.lock }, refusals };
    } catch (err) {
      const tried = `ALGORITHM=${form.algorithm}${form.lock === undefined ? '' : `, LOCK=${form.lock}`}`;
      if (!NOT_SUPPORTED.has(errno(err) ?? 0)) return { outcome: { kind: 'refused', error: said(err) }, refusals };
      refusals.push({ tried, reason: said(err) });
    }
  }
  return { outcome: { kind: 'refused', error: refusals.at(-1)?.reason ?? 'no algorithm was accepted' }, refusals };
}
