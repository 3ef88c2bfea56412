import { queryRows, type Connection } from '../db/connect.js';
import { EVENTS, tableTriggerDefinitions, TIMINGS, type TriggerDefinition, type TriggerEvent, type TriggerTiming } from '../sql/triggers.js';

/** A trigger oschange cannot create again exactly as it is, and why. */
export interface UnmovableTrigger {
  readonly name: string;
  readonly problem: string;
}

/** `user@host` as information_schema gives it: the host follows the last `@` (a host name has none). */
export function parseDefiner(definer: string): { user: string; host: string } | undefined {
  const at = definer.lastIndexOf('@');
  if (at <= 0) return undefined;
  return { user: definer.slice(0, at), host: definer.slice(at + 1) };
}

/** A row of tableTriggerDefinitions as a definition, or why it cannot be created again as it is. */
export function triggerFromRow(r: Record<string, unknown>): TriggerDefinition | UnmovableTrigger {
  const name = String(r['name']);
  const timing = String(r['timing']).toUpperCase();
  const event = String(r['event']).toUpperCase();
  const definer = parseDefiner(String(r['definer'] ?? ''));
  if (!TIMINGS.has(timing) || !EVENTS.has(event)) return { name, problem: `its timing and event (${timing} ${event}) are not ones oschange knows` };
  if (definer === undefined) return { name, problem: `its definer ${String(r['definer'])} is not an account (user@host)` };
  const characterSetClient = String(r['character_set_client']);
  const body = String(r['body']);
  // The body is sent as UTF-8; under another client character set only ASCII reads the same.
  if (!/^utf8/i.test(characterSetClient) && /[^\x20-\x7e\t\r\n]/.test(body)) {
    return {
      name,
      problem: `it was created with the ${characterSetClient} client character set and its body holds characters outside ASCII, which oschange cannot send back byte for byte`,
    };
  }
  return {
    name,
    timing: timing as TriggerTiming,
    event: event as TriggerEvent,
    order: Number(r['action_order'] ?? 0),
    body,
    definer,
    sqlMode: String(r['sql_mode'] ?? ''),
    characterSetClient,
    collationConnection: String(r['collation_connection']),
  };
}

export function isUnmovable(t: TriggerDefinition | UnmovableTrigger): t is UnmovableTrigger {
  return 'problem' in t;
}

/** A table's triggers, in the order they are to be created again (each after those it follows). */
export async function readTriggers(conn: Connection, database: string, table: string): Promise<(TriggerDefinition | UnmovableTrigger)[]> {
  const s = tableTriggerDefinitions(database, table);
  return (await queryRows(conn, s.sql, s.params)).map(triggerFromRow);
}

/** Only the movable ones; an unmovable trigger is an error here (the plan refused it before). */
export async function readMovableTriggers(conn: Connection, database: string, table: string): Promise<TriggerDefinition[]> {
  const all = await readTriggers(conn, database, table);
  const bad = all.find(isUnmovable);
  if (bad !== undefined) throw new Error(`trigger ${bad.name} of ${database}.${table} cannot be moved: ${bad.problem}`);
  return all as TriggerDefinition[];
}

/** What differs between two lists of triggers (names, timing, event, order, body, definer, sql_mode); empty when none. */
export function triggerDifferences(before: readonly TriggerDefinition[], after: readonly TriggerDefinition[]): string[] {
  const out: string[] = [];
  const byName = new Map(after.map((t) => [t.name, t]));
  for (const b of before) {
    const a = byName.get(b.name);
    if (a === undefined) {
      out.push(`${b.name} is missing`);
      continue;
    }
    const fields: (keyof TriggerDefinition)[] = ['timing', 'event', 'order', 'body', 'sqlMode', 'characterSetClient', 'collationConnection'];
    for (const f of fields) if (a[f] !== b[f]) out.push(`${b.name}: its ${f} differs`);
    if (a.definer.user !== b.definer.user || a.definer.host !== b.definer.host) out.push(`${b.name}: its definer differs`);
  }
  for (const a of after) if (!before.some((b) => b.name === a.name)) out.push(`${a.name} is new`);
  return out;
}
