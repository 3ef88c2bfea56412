import type { Connection } from '../../db/connect.js';
import { queryRows } from '../../db/connect.js';
import { errno } from '../../db/retry.js';
import { describeError } from '../../errors.js';
import { tokenize } from '../../alter/tokenize.js';
import { serverVariables } from '../../sql/inspect.js';
import { digestConsumer, digestsMentioning, digestWindow } from '../../sql/lint.js';

/** Whether performance_schema can say which statements the server ran. */
export type DigestAvailability =
  | { readonly kind: 'off' }
  | { readonly kind: 'not-collected' }
  | { readonly kind: 'denied'; readonly error: string }
  /** `since`: the oldest digest's first run; `unrecorded`: statements the full digest table could not record. */
  | { readonly kind: 'on'; readonly since: string | undefined; readonly unrecorded: number };

/** One statement shape the server ran, with its values replaced by `?`. */
export interface DigestUse {
  readonly text: string;
  readonly count: number;
  readonly lastSeen: string;
}

/** ER_TABLEACCESS_DENIED_ERROR, ER_DBACCESS_DENIED_ERROR, ER_SPECIFIC_ACCESS_DENIED_ERROR. */
const DENIED = new Set([1142, 1044, 1227]);

export async function digestAvailability(conn: Connection): Promise<DigestAvailability> {
  const v = serverVariables(['performance_schema']);
  const [ps] = await queryRows(conn, v.sql, v.params);
  if (ps === undefined || !['ON', '1'].includes(String(ps['Value']).toUpperCase())) return { kind: 'off' };
  try {
    const c = digestConsumer();
    const [consumer] = await queryRows(conn, c.sql, c.params);
    if (consumer !== undefined && String(consumer['enabled']).toUpperCase() !== 'YES') return { kind: 'not-collected' };
    const w = digestWindow();
    const [window] = await queryRows(conn, w.sql, w.params);
    return { kind: 'on', since: window?.['since'] == null ? undefined : seconds(String(window['since'])), unrecorded: Number(window?.['unrecorded'] ?? 0) };
  } catch (err) {
    if (DENIED.has(errno(err) ?? 0)) return { kind: 'denied', error: describeError(err) };
    throw err;
  }
}

/**
 * Statements the server ran that name the table (and the column, when given) — in their own
 * database, or naming the database — most recent first. oschange's own statements (its copy,
 * checksum and checks, and DDL) are left out.
 */
export async function digestsNaming(conn: Connection, o: { database: string; table: string; column?: string | undefined; limit?: number }): Promise<DigestUse[]> {
  const words = o.column === undefined ? [o.table] : [o.column, o.table];
  const s = digestsMentioning(words, o.limit ?? 200);
  const uses: DigestUse[] = [];
  for (const r of await queryRows(conn, s.sql, s.params)) {
    const text = String(r['digest_text'] ?? '');
    const names = namesIn(text);
    if (!words.every((w) => names.has(w.toLowerCase()))) continue;
    if (r['schema_name'] !== o.database && !names.has(o.database.toLowerCase())) continue;
    if (isOwnStatement(text, o.table)) continue;
    uses.push({ text, count: Number(r['count_star'] ?? 0), lastSeen: seconds(String(r['last_seen'] ?? '')) });
  }
  return uses;
}

/** Every name a digest holds, lower case: `legacy_code` as well as MariaDB's bare `ID`. */
export function namesIn(digest: string): Set<string> {
  try {
    return new Set(
      tokenize(digest)
        .filter((t) => t.kind === 'ident' || t.kind === 'word')
        .map((t) => t.text.toLowerCase()),
    );
  } catch {
    // A digest cut at performance_schema_max_digest_length can end inside a quote.
    return new Set([...digest.matchAll(/`((?:[^`]|``)*)`|[\p{L}\p{N}_$]+/gu)].map((m) => (m[1] ?? m[0]).replaceAll('``', '`').toLowerCase()));
  }
}

const NOT_APPLICATION = /^\s*(ALTER|CREATE|DROP|RENAME|SHOW|EXPLAIN|DESCRIBE|DESC|ANALYZE|OPTIMIZE|CHECKSUM|CHECK|REPAIR|TRUNCATE|LOCK|GRANT|REVOKE|SET\s+STATEMENT)\b/i;

/**
 * oschange's own statements on the table: DDL, anything on its helper tables (`_t_gho`, `_t_ghl…`,
 * …), its checks' probes (`__value`, time-limited with SET STATEMENT on MariaDB) and its checksums.
 */
export function isOwnStatement(digest: string, table: string): boolean {
  if (NOT_APPLICATION.test(digest)) return true;
  const names = namesIn(digest);
  const helper = new RegExp(`^_${escapeRe(table.toLowerCase())}_(gho|ghc|ghk|ghv|ghl\\w*|del)$|^${escapeRe(table.toLowerCase())}_osc_sentry$`);
  if ([...names].some((n) => helper.test(n))) return true;
  return (
    names.has('__value') || // values-fit's probe
    (names.has('v0') && names.has('having')) || // new-unique-keys' probe
    (names.has('bit_xor') && names.has('crc32')) || // the checksum
    (names.has('held') && names.has('share')) // the write guard's look-up of an original row
  );
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `2026-12-01 01:44:12.668613` → `2026-12-01 01:44:12`. */
function seconds(ts: string): string {
  return ts.replace(/\.\d+$/, '');
}
