import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '../db/connect.js';
import { queryRows } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import { showBinlogStatus, showReplicaStatus } from '../sql/replication.js';

export { readReplicaRow, type ReplicaState } from '../db/replica-status.js';
import { readReplicaRow, type ReplicaState } from '../db/replica-status.js';

export async function replicaState(version: ServerVersion, replica: Connection): Promise<ReplicaState | undefined> {
  const [row] = await queryRows(replica, showReplicaStatus(version).sql);
  return row === undefined ? undefined : readReplicaRow(row);
}

/** Waits until the replica has executed everything the primary has logged so far. */
export async function waitForReplication(version: ServerVersion, primary: Connection, replica: Connection, timeoutMs = 30_000): Promise<void> {
  const [status] = await queryRows(primary, showBinlogStatus(version).sql);
  if (status === undefined) throw new Error('primary has binary logging off');
  const file = String(status['File']);
  const pos = Number(status['Position']);
  const deadline = Date.now() + timeoutMs;
  let state: ReplicaState | undefined;
  while (Date.now() < deadline) {
    state = await replicaState(version, replica);
    if (state !== undefined && state.sourceLogFile === file && state.execPos >= pos && state.sqlRunning === 'Yes') return;
    await sleep(50);
  }
  throw new Error(
    `replica did not catch up with the primary at ${file}:${pos} within ${timeoutMs / 1000}s` +
      (state === undefined ? ' (replication is not configured)' : ` (IO ${state.ioRunning}, SQL ${state.sqlRunning}, at ${state.sourceLogFile}:${state.execPos}${state.lastError ? `, error: ${state.lastError}` : ''})`),
  );
}
