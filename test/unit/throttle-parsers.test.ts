import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { migrationFlags, parseMigrationOptions } from '../../src/cli/migration-options.js';
import { parseSetting } from '../../src/control/settings.js';
import { formatHostPort, parseHostPortList, sameHostPort } from '../../src/throttle/host-port.js';
import { parseLoadSpec } from '../../src/throttle/load-spec.js';

const BASE = ['--database', 'app', '--table', 'users', '--alter', 'ADD COLUMN x INT'];
const parse = (argv: string[]) => parseMigrationOptions(migrationFlags(yargs([...BASE, ...argv])).parseSync(), { env: {}, readFile: () => '' });

describe('one parser for the flag and the socket', () => {
  it('replica lists: the flag and the socket read the same text the same way', () => {
    const text = 'replica-1.example.com, 10.0.0.7:3307,[::1]:3308,[fe80::1]';
    const flag = parse(['--throttle-control-replicas', text]);
    const socket = parseSetting('throttle-control-replicas', text);
    if (!('config' in flag) || 'error' in socket) throw new Error('expected both to parse');
    expect(flag.config.throttleControlReplicas).toEqual(socket.value);
    expect(parseHostPortList(text)).toEqual([
      { host: 'replica-1.example.com', port: 3306 },
      { host: '10.0.0.7', port: 3307 },
      { host: '::1', port: 3308 },
      { host: 'fe80::1', port: 3306 },
    ]);
  });
  it.each([
    ['db1:0', ': port 0 is out of range'],
    ['db1:3306,DB1', ': DB1:3306 appears twice'],
    ['db 1', ''],
  ])('replica lists: both refuse %s with the same reason', (bad, why) => {
    expect(parse(['--throttle-control-replicas', bad])).toEqual({ errors: [`--throttle-control-replicas must be host[:port][,host[:port]...] with ports from 1 to 65535 (got ${bad}${why})`] });
    expect(parseSetting('throttle-control-replicas', bad)).toEqual({
      error: `throttle-control-replicas must be host[:port][,host[:port]...] with ports from 1 to 65535, or empty to clear (got ${bad}${why})`,
    });
  });
  it('load specs: the flag and the socket read the same text the same way', () => {
    const flag = parse(['--max-load', 'Threads_running=50, Threads_connected = 500', '--critical-load', 'Threads_running=200']);
    if (!('config' in flag)) throw new Error(flag.errors.join());
    expect([...flag.config.maxLoad]).toEqual([['Threads_running', 50], ['Threads_connected', 500]]);
    expect([...flag.config.criticalLoad]).toEqual([['Threads_running', 200]]);
    const socket = parseSetting('max-load', 'Threads_running=50, Threads_connected = 500');
    if ('error' in socket) throw new Error(socket.error);
    expect(socket.value).toEqual(flag.config.maxLoad);
  });
  it.each([
    ['Threads_running=5,threads_RUNNING=6', ': threads_RUNNING appears twice'],
    ['Threads_running=1.5', ''],
    ['Threads_running', ''],
  ])('load specs: both refuse %s with the same reason', (bad, why) => {
    expect(parse(['--max-load', bad, '--critical-load', bad])).toEqual({
      errors: [
        `--max-load must be Var=N[,Var=N...] with status variable names and whole numbers (got ${bad}${why})`,
        `--critical-load must be Var=N[,Var=N...] with status variable names and whole numbers (got ${bad}${why})`,
      ],
    });
    expect(parseSetting('critical-load', bad)).toEqual({ error: `critical-load must be Var=N[,Var=N...] with status variable names and whole numbers, or empty to clear (got ${bad}${why})` });
  });
  it('helpers', () => {
    expect(parseLoadSpec('  ')).toEqual(new Map());
    expect(parseHostPortList('')).toEqual([]);
    expect(formatHostPort({ host: '::1', port: 3306 })).toBe('[::1]:3306');
    expect(sameHostPort({ host: 'Replica.Example', port: 3306 }, { host: 'replica.example', port: 3306 })).toBe(true);
    expect(sameHostPort({ host: 'r', port: 3306 }, { host: 'r', port: 3307 })).toBe(false);
  });
});

describe('control flags', () => {
  it('refuses --serve-tcp-port without --serve-tcp-token-file, in one line naming the flag', () => {
    expect(parse(['--serve-tcp-port', '9000'])).toEqual({
      errors: ['--serve-tcp-port needs --serve-tcp-token-file FILE: any local user can connect to a TCP port, so TCP clients must first send the token from that file (mode 600)'],
    });
    expect(parse(['--serve-tcp-token-file', '/t'])).toEqual({ errors: ['--serve-tcp-token-file is only used with --serve-tcp-port'] });
  });
  it('keeps the socket narrow unless allowed', () => {
    const strict = parse(['--serve-tcp-port', '0', '--serve-tcp-token-file', '/t']);
    if (!('config' in strict)) throw new Error(strict.errors.join());
    expect(strict.config).toMatchObject({ serveTcpPort: 0, serveTcpTokenFile: '/t', allowSocketThrottleQueryAny: false, allowSocketThrottleControlReplicasAny: false });
    const loose = parse(['--allow-socket-throttle-query-any', '--allow-socket-throttle-control-replicas-any']);
    if (!('config' in loose)) throw new Error(loose.errors.join());
    expect(loose.config).toMatchObject({ allowSocketThrottleQueryAny: true, allowSocketThrottleControlReplicasAny: true });
  });
});
