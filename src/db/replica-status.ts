/** The fields of SHOW REPLICA STATUS we read, under either flavor's column names. */
export interface ReplicaState {
  readonly ioRunning: string;
  readonly sqlRunning: string;
  readonly sourceLogFile: string;
  readonly execPos: number;
  readonly lastError: string;
}

export function readReplicaRow(row: Record<string, unknown>): ReplicaState {
  const pick = (...names: string[]): unknown => names.map((n) => row[n]).find((v) => v !== undefined);
  return {
    ioRunning: String(pick('Replica_IO_Running', 'Slave_IO_Running') ?? ''),
    sqlRunning: String(pick('Replica_SQL_Running', 'Slave_SQL_Running') ?? ''),
    sourceLogFile: String(pick('Relay_Source_Log_File', 'Relay_Master_Log_File') ?? ''),
    execPos: Number(pick('Exec_Source_Log_Pos', 'Exec_Master_Log_Pos') ?? 0),
    lastError: [pick('Last_IO_Error'), pick('Last_SQL_Error')].filter((e) => typeof e === 'string' && e !== '').join('; '),
  };
}

