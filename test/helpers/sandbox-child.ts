/**
 * A process that starts a sandbox, prints its info as one JSON line and then waits to be killed.
 * The lifecycle test SIGKILLs it to prove the watchdog leaves no server behind.
 */
import { startSandbox } from '../../src/sandbox/sandbox.js';
import type { SandboxFlavor } from '../../src/sandbox/install.js';

const flavor = process.argv[2] as SandboxFlavor;
const sandbox = await startSandbox({ flavor });
process.stdout.write(JSON.stringify({ dir: sandbox.dir, pids: [sandbox.primary.pid, sandbox.replica.pid] }) + '\n');
setInterval(() => undefined, 60_000);
