import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, type Connection } from '../db/connect.js';
import { isTransientError } from '../db/transient.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MigrationState } from '../state.js';
import { saveCheckpoint, type Checkpoint } from './store.js';

export interface CheckpointerOptions {
  readonly conn: Connection;
  readonly database: string;
  /** The checkpoint table `_T_ghk`. */
  readonly table: string;
  /** What the migration is (constant for its life). */
  readonly identity: Pick<Checkpoint, 'alter' | 'originalSchema' | 'ghostSchema' | 'oldTable'>;
  readonly state: MigrationState;
  readonly intervalMs: number;
  readonly log: Logger;
}

/**
 * Saves the migration's progress every interval: the copy's last completed key and the newest
 * binlog position up to which every event has been applied (only positions of heartbeats and
 * markers qualify: they are transaction boundaries). Replaying from an older position is harmless
 * (docs/design.md rule 2), so a checkpoint may lag behind the work; it may never run ahead of it.
 */
export class Checkpointer {
  private failures = 0;

  constructor(private readonly o: CheckpointerOptions) {}

  /**
   * Saves now; resolves false when there is nothing safe to save yet or the write failed, and
   * rejects when the checkpoint's connection is lost.
   */
  async save(): Promise<boolean> {
    const { state } = this.o;
    const position = state.safeAppliedPosition;
    if (position === undefined) return false;
    const cp: Checkpoint = {
      ...this.o.identity,
      range: state.copyRange,
      copiedUpTo: state.copiedUpTo,
      copyDone: state.copyEndedAtMs !== undefined,
      rowsCopied: state.rowsCopied,
      position,
    };
    try {
      await saveCheckpoint(this.o.conn, this.o.database, this.o.table, cp);
      this.failures = 0;
      state.checkpointedAtMs = Date.now();
      return true;
    } catch (err) {
      // Its own connection gone: no checkpoint could be saved again, so the attempt must start over
      // (from the last saved one) rather than go on unprotected.
      if (isTransientError(err) && !(await isAlive(this.o.conn))) throw err;
      this.failures++;
      if (this.failures === 1 || this.failures % 20 === 0) this.o.log.warn({ err: describeError(err), failures: this.failures }, 'saving the checkpoint failed');
      return false;
    }
  }

  /** Saves every interval until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.o.intervalMs, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
      await this.save();
    }
  }
}
