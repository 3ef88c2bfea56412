import { queryRows } from '../../db/connect.js';
import { ExitCode } from '../../errors.js';
import { serverVariables } from '../../sql/inspect.js';
import type { Check } from '../check.js';

/**
 * oschange reads full row images from the binlog: log_bin on, binlog_format=ROW, binlog_row_image=FULL.
 * MySQL 9 deprecates binlog_format (ROW is then the only format), so a missing variable counts as ROW.
 * https://dev.mysql.com/doc/refman/9.4/en/replication-options-binary-log.html
 */
export const binlogSettings: Check = {
  id: 'binlog-settings',
  scope: 'server',
  describe: 'the server writes full row images to its binary log',
  async run(ctx) {
    const s = serverVariables(['log_bin', 'binlog_format', 'binlog_row_image']);
    const vars = new Map((await queryRows(ctx.conn, s.sql, s.params)).map((r) => [String(r['Variable_name']).toLowerCase(), String(r['Value'])]));
    const problems: string[] = [];
    const logBin = vars.get('log_bin') ?? 'OFF';
    if (!['ON', '1'].includes(logBin.toUpperCase())) problems.push(`log_bin is ${logBin} (start the server with --log-bin)`);
    const format = vars.get('binlog_format');
    if (format !== undefined && format.toUpperCase() !== 'ROW') problems.push(`binlog_format is ${format}, oschange needs ROW (SET GLOBAL binlog_format = 'ROW', and in my.cnf)`);
    const image = vars.get('binlog_row_image') ?? 'FULL';
    if (image.toUpperCase() !== 'FULL') problems.push(`binlog_row_image is ${image}, oschange needs FULL (SET GLOBAL binlog_row_image = 'FULL', and in my.cnf)`);
    if (problems.length === 0) return [];
    return [{ check: this.id, severity: 'error', code: 'BINLOG_SETTINGS', message: `${ctx.where}: ${problems.join('; ')}`, exitCode: ExitCode.environment }];
  },
};
