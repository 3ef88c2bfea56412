import { quoteId, quoteTable, stmt, type Statement } from './quote.js';

/**
 * A trigger as the server reports it (information_schema.TRIGGERS): enough to create it again, the
 * same, on another table. The sql_mode and client character set it was created under are part of
 * it: they decide how its body is parsed and run, so it is created again under the same ones.
 * https://dev.mysql.com/doc/refman/9.4/en/information-schema-triggers-table.html
 */
export interface TriggerDefinition {
  readonly name: string;
  readonly timing: TriggerTiming;
  readonly event: TriggerEvent;
  /** Its place among the table's triggers of the same timing and event, 1 first. */
  readonly order: number;
  /** The statement it runs (a single statement or BEGIN … END), as written. */
  readonly body: string;
  readonly definer: { readonly user: string; readonly host: string };
  readonly sqlMode: string;
  readonly characterSetClient: string;
  readonly collationConnection: string;
}

export type TriggerTiming = 'BEFORE' | 'AFTER';
export type TriggerEvent = 'INSERT' | 'UPDATE' | 'DELETE';

/** A table's triggers in the order they fire within each timing and event (the order they are created again in). */
export function tableTriggerDefinitions(database: string, table: string): Statement {
  return stmt(
    'SELECT TRIGGER_NAME AS name, ACTION_TIMING AS timing, EVENT_MANIPULATION AS event, ACTION_ORDER AS action_order, ' +
      'ACTION_STATEMENT AS body, DEFINER AS definer, SQL_MODE AS sql_mode, CHARACTER_SET_CLIENT AS character_set_client, ' +
      'COLLATION_CONNECTION AS collation_connection ' +
      'FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? ORDER BY ACTION_ORDER, ACTION_TIMING, EVENT_MANIPULATION',
    [database, table],
  );
}

/**
 * CREATE TRIGGER for `t` on `table`, under `name` (its own by default). The definer is quoted as
 * identifiers, which no sql_mode changes (a string literal's escapes depend on NO_BACKSLASH_ESCAPES).
 * Sent without placeholders: a `?` in the body is the body's.
 */
export function createTrigger(database: string, table: string, t: TriggerDefinition, name: string = t.name): Statement {
  if (!TIMINGS.has(t.timing) || !EVENTS.has(t.event)) throw new Error(`not a trigger timing and event: ${t.timing} ${t.event}`);
  return stmt(
    `CREATE DEFINER=${quoteId(t.definer.user)}@${quoteId(t.definer.host)} TRIGGER ${quoteTable(database, name)} ${t.timing} ${t.event} ON ${quoteTable(database, table)} FOR EACH ROW ${t.body}`,
  );
}

export function dropTrigger(database: string, name: string): Statement {
  return stmt(`DROP TRIGGER ${quoteTable(database, name)}`);
}

/** The session settings a trigger was created under; set before creating it again. */
export function triggerSessionSettings(t: TriggerDefinition): Statement {
  return stmt('SET SESSION sql_mode = ?, character_set_client = ?, collation_connection = ?', [t.sqlMode, t.characterSetClient, t.collationConnection]);
}

/** Back to a session's own settings after creating a trigger under its creator's. */
export function restoreSessionSettings(sqlMode: string, characterSetClient: string, collationConnection: string): Statement {
  return stmt('SET SESSION sql_mode = ?, character_set_client = ?, collation_connection = ?', [sqlMode, characterSetClient, collationConnection]);
}

export const TIMINGS: ReadonlySet<string> = new Set(['BEFORE', 'AFTER']);
export const EVENTS: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE']);
