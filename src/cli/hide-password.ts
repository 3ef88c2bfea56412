/**
 * The command line with --password's value masked, or undefined when it carries no password.
 * cmd/oschange.ts shows this as the process title, which on Linux overwrites the memory that
 * /proc/PID/cmdline (and so `ps`) reads, so the password stays visible only while the process
 * starts up.
 */
export function maskPasswordArgs(argv: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    if (arg === '--password' && next !== undefined && !next.startsWith('--')) {
      out.push(arg, '***');
      i++;
      found = true;
    } else if (arg.startsWith('--password=')) {
      out.push('--password=***');
      found = true;
    } else {
      out.push(arg);
    }
  }
  return found ? out : undefined;
}

/** Said once on stderr when the password came on the command line. */
export const PASSWORD_ARG_WARNING =
  'oschange: warning: --password on the command line can be seen by other users (ps, /proc/PID/cmdline) while oschange starts; ' +
  'pass it as OSCHANGE_PASSWORD or MYSQL_PWD in the environment, in a --conf file ([client] password=…), or with --ask-pass';
