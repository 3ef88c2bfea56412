import { createHash } from 'node:crypto';

/**
 * Names of the server-side locks (GET_LOCK) that keep schedulers apart. MySQL refuses names over
 * 64 characters, and a schema and a table name can each be 64, so the names carry a hash.
 * - table: one migration per table at a time, whoever runs it (queue or direct);
 * - migration: one runner per queue row;
 * - slot k of N: at most N queued migrations running on the server at once.
 */
const hash = (text: string, length: number): string => createHash('sha256').update(text).digest('hex').slice(0, length);

export function tableLockName(database: string, table: string): string {
  return `oschange-t-${hash(`${database}\u0000${table}`, 40)}`;
}

export function migrationLockName(schema: string, id: number): string {
  return `oschange-m-${hash(schema, 16)}-${id}`;
}

export function slotLockName(schema: string, slot: number): string {
  return `oschange-s-${hash(schema, 16)}-${slot}`;
}
