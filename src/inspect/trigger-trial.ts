import type { Connection } from '../db/connect.js';
import { createUnderItsSettings } from '../cutover/triggers.js';
import { describeError } from '../errors.js';
import { createTableLike, dropTable } from '../sql/ghost.js';
import type { TriggerDefinition } from '../sql/triggers.js';

/**
 * Each trigger created on an empty copy of the altered table (`scratch`, made LIKE `altered` and
 * dropped again, with its triggers): a body that names a column the ALTER drops or renames, or a
 * definer this user may not create triggers for, fails here — in the plan, not inside the cut-over.
 * Returns what failed, trigger by trigger.
 */
export async function tryTriggersOnCopy(o: {
  conn: Connection;
  database: string;
  altered: string;
  scratch: string;
  triggers: readonly TriggerDefinition[];
}): Promise<{ name: string; error: string }[]> {
  if (o.triggers.length === 0) return [];
  await o.conn.query(createTableLike(o.database, o.scratch, o.altered).sql);
  const failed: { name: string; error: string }[] = [];
  try {
    for (const [i, t] of o.triggers.entries()) {
      // Names are unique in a schema: the trial's must not take the original's.
      await createUnderItsSettings(o.conn, o.database, o.scratch, t, `_osc_ght_${process.pid}_${i}`).catch((err: unknown) => failed.push({ name: t.name, error: describeError(err) }));
    }
  } finally {
    await o.conn.query(dropTable(o.database, o.scratch).sql);
  }
  return failed;
}
