import { describe, expect, it } from 'vitest';
import { maskPasswordArgs, PASSWORD_ARG_WARNING } from '../../src/cli/hide-password.js';
import { main } from '../../src/cli/main.js';

describe('maskPasswordArgs', () => {
  it('masks --password VALUE and --password=VALUE', () => {
    expect(maskPasswordArgs(['--host', 'db1', '--password', 's3cret', '--execute'])).toEqual(['--host', 'db1', '--password', '***', '--execute']);
    expect(maskPasswordArgs(['--password=s3cret', '--table', 't'])).toEqual(['--password=***', '--table', 't']);
  });
  it('is undefined without a password on the command line', () => {
    expect(maskPasswordArgs(['--host', 'db1', '--ask-pass'])).toBeUndefined();
    expect(maskPasswordArgs(['--password'])).toBeUndefined();
    expect(maskPasswordArgs(['--', '--password', 'x'])).toBeUndefined();
  });
});

describe('the CLI and --password', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), signal: new AbortController().signal });
    return { code, out: out.join('\n'), err };
  };
  it('warns once when the password is on the command line, and not otherwise', async () => {
    expect((await run(['--password', 's3cret', '--help'])).err).toEqual([PASSWORD_ARG_WARNING]);
    expect((await run(['--help'])).err).toEqual([]);
    expect(PASSWORD_ARG_WARNING).toBe(
      'oschange: warning: --password on the command line can be seen by other users (ps, /proc/PID/cmdline) while oschange starts; ' +
        'pass it as OSCHANGE_PASSWORD or MYSQL_PWD in the environment, in a --conf file ([client] password=…), or with --ask-pass',
    );
  });
  it('says in --help how to pass the password otherwise', async () => {
    const help = (await run(['--help'])).out.replace(/\s+/g, ' ');
    expect(help).toContain('--password MySQL password. On the command line other users can see it (ps) until oschange hides it; prefer OSCHANGE_PASSWORD or MYSQL_PWD in the environment, --conf FILE ([client] password=…), or --ask-pass');
    expect(help).toContain('--serve-tcp-token-file');
    expect(help).toContain('--allow-socket-throttle-query-any');
    expect(help).toContain('--allow-socket-throttle-control-replicas-any');
  });
});
