import { currentBinlogPosition } from '../binlog/stream.js';
import { formatPosition } from '../binlog/types.js';
import { schemaFingerprint, type Checkpoint, type SavedCheckpoint } from '../checkpoint/store.js';
import type { Connection } from '../db/connect.js';
import type { ServerVersion } from '../db/flavor.js';
import type { TableNames } from '../inspect/names.js';
import type { Logger } from '../log.js';
import { createChangelogTable } from '../sql/changelog.js';
import { createCheckpointTable } from '../sql/checkpoint.js';
import type { MigrationState } from '../state.js';
import type { AttemptStart } from './attempt.js';
import { fromCheckpoint } from './recovery.js';

/** What a checkpoint must match to be this migration's (src/checkpoint/resume.ts). */
export type MigrationIdentity = Pick<Checkpoint, 'alter' | 'originalSchema' | 'ghostSchema' | 'oldTable'>;

/**
 * The engine's starting point. A fresh run creates its changelog table (and its checkpoint table,
 * unless several tables change: they keep none) and takes the binlog position before the first
 * chunk (docs/design.md rule 1); a resumed run starts from its checkpoint.
 */
export async function prepareStart(o: {
  conn: Connection;
  version: ServerVersion;
  database: string;
  alter: string;
  names: TableNames;
  state: MigrationState;
  resumed: SavedCheckpoint | undefined;
  keepCheckpoint: boolean;
  log: Logger;
}): Promise<{ identity: MigrationIdentity; start: AttemptStart }> {
  const { conn, database, names, resumed } = o;
  if (resumed !== undefined) {
    o.state.rowsCopiedBefore = resumed.rowsCopied;
    return {
      identity: { alter: resumed.alter, originalSchema: resumed.originalSchema, ghostSchema: resumed.ghostSchema, oldTable: names.old },
      start: fromCheckpoint(resumed, o.state),
    };
  }
  await conn.query(createChangelogTable(database, names.changelog).sql);
  if (o.keepCheckpoint) await conn.query(createCheckpointTable(database, names.checkpoint).sql);
  const identity = {
    alter: o.alter,
    oldTable: names.old,
    originalSchema: await schemaFingerprint(conn, database, names.original),
    ghostSchema: await schemaFingerprint(conn, database, names.ghost),
  };
  const position = await currentBinlogPosition(conn, o.version);
  o.log.info({ position: formatPosition(position) }, 'binlog position taken before the copy');
  return { identity, start: { position, range: undefined, copiedUpTo: undefined, copyDone: false } };
}
