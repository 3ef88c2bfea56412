import { describe, expect, it } from 'vitest';
import { parseServerVersion } from '../../src/db/flavor.js';
import { changeSource, showBinlogStatus, showReplicaStatus, startReplica, stopReplica } from '../../src/sql/replication.js';
import { readReplicaRow } from '../../src/sandbox/replication-wait.js';

const mysql97 = parseServerVersion('9.7.4');
const mysql80 = parseServerVersion('8.0.21');
const maria = parseServerVersion('10.11.19-MariaDB');

describe('replication statements by server', () => {
  it('asks for the binlog position the way each server wants', () => {
    expect(showBinlogStatus(mysql97).sql).toBe('SHOW BINARY LOG STATUS');
    expect(showBinlogStatus(mysql80).sql).toBe('SHOW MASTER STATUS');
    expect(showBinlogStatus(maria).sql).toBe('SHOW MASTER STATUS');
  });
  it('uses the replica vocabulary where it exists', () => {
    expect(showReplicaStatus(mysql97).sql).toBe('SHOW REPLICA STATUS');
    expect(showReplicaStatus(mysql80).sql).toBe('SHOW SLAVE STATUS');
    expect(startReplica(maria).sql).toBe('START REPLICA');
    expect(stopReplica(mysql97, 'sql').sql).toBe('STOP REPLICA SQL_THREAD');
    expect(stopReplica(mysql80, 'io').sql).toBe('STOP SLAVE IO_THREAD');
  });
  it('points a replica at its source with placeholders for every value', () => {
    const o = { host: '127.0.0.1', port: 3306, user: 'repl', password: 'x', logFile: 'binlog.000001', logPos: 158 };
    expect(changeSource(mysql97, o)).toEqual({
      sql:
        'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, ' +
        'SOURCE_LOG_FILE = ?, SOURCE_LOG_POS = ?, SOURCE_CONNECT_RETRY = 1, GET_SOURCE_PUBLIC_KEY = 1',
      params: ['127.0.0.1', 3306, 'repl', 'x', 'binlog.000001', 158],
    });
    expect(changeSource(maria, o).sql).toMatch(/^CHANGE MASTER TO MASTER_HOST = \?/);
  });
  it('replicates over TLS when asked (a source that requires secure transport)', () => {
    const o = { host: '127.0.0.1', port: 3306, user: 'repl', password: 'x', logFile: 'binlog.000001', logPos: 158, ssl: true };
    expect(changeSource(mysql97, o).sql).toBe(
      'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, ' +
        'SOURCE_LOG_FILE = ?, SOURCE_LOG_POS = ?, SOURCE_CONNECT_RETRY = 1, GET_SOURCE_PUBLIC_KEY = 1, SOURCE_SSL = 1',
    );
    expect(changeSource(maria, o).sql).toBe(
      'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
        'MASTER_LOG_FILE = ?, MASTER_LOG_POS = ?, MASTER_CONNECT_RETRY = 1, MASTER_SSL = 1',
    );
  });
  it('reads SHOW REPLICA STATUS under either column naming', () => {
    expect(readReplicaRow({ Replica_IO_Running: 'Yes', Replica_SQL_Running: 'No', Relay_Source_Log_File: 'b.1', Exec_Source_Log_Pos: '10', Last_SQL_Error: 'boom' })).toEqual({
      ioRunning: 'Yes',
      sqlRunning: 'No',
      sourceLogFile: 'b.1',
      execPos: 10,
      lastError: 'boom',
    });
    expect(readReplicaRow({ Slave_IO_Running: 'Yes', Slave_SQL_Running: 'Yes', Relay_Master_Log_File: 'm.2', Exec_Master_Log_Pos: 7, Last_IO_Error: '', Last_SQL_Error: '' })).toEqual({
      ioRunning: 'Yes',
      sqlRunning: 'Yes',
      sourceLogFile: 'm.2',
      execPos: 7,
      lastError: '',
    });
  });
});
