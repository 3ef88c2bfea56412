#!/usr/bin/env node
import { main } from '../src/cli/main.js';

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
