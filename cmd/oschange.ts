#!/usr/bin/env node
import { maskPasswordArgs } from '../src/cli/hide-password.js';
import { main } from '../src/cli/main.js';

// Hide --password from ps: on Linux the title overwrites what /proc/PID/cmdline shows.
const masked = maskPasswordArgs(process.argv.slice(2));
if (masked !== undefined) process.title = ['oschange', ...masked].join(' ');

/** How long the process may linger after the command has returned. */
const EXIT_GRACE_MS = 2000;

const controller = new AbortController();
let signals = 0;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    signals += 1;
    // The first signal stops cleanly; a second one means "now".
    if (signals > 1) process.exit(130);
    controller.abort(new Error(`stopped by ${sig}`));
  });
}

const code = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(line.endsWith('\n') ? line : line + '\n'),
  err: (line) => process.stderr.write(line.endsWith('\n') ? line : line + '\n'),
  signal: controller.signal,
});
process.exitCode = code;
// Everything the command opened is closed by now; should a library still hold a socket or a timer
// open, the process must end all the same (an operator's script waits on it), with its exit code.
setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
