import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { listRecords, unregister } from '../sandbox/registry.js';

export interface SandboxDownOptions {
  readonly out: (line: string) => void;
  readonly timeoutMs?: number;
}

/**
 * `oschange sandbox down`: stops every sandbox started by `sandbox up` on this machine. The owning
 * process is asked first (it stops its servers cleanly); a sandbox whose owner is gone is killed
 * and its files removed here. Returns how many were stopped.
 */
export async function sandboxDown(o: SandboxDownOptions): Promise<number> {
  const records = listRecords();
  if (records.length === 0) {
    o.out('sandbox: none running');
    return 0;
  }
  for (const { path, record } of records) {
    const { info, ownerPid } = record;
    const label = `${info.flavor} sandbox (ports ${info.primary.port}, ${info.replica.port})`;
    if (alive(ownerPid)) {
      process.kill(ownerPid, 'SIGTERM');
      const deadline = Date.now() + (o.timeoutMs ?? 30_000);
      while (alive(ownerPid) && Date.now() < deadline) await sleep(100);
    }
    for (const pid of [info.primary.pid, info.replica.pid]) {
      if (pid !== undefined && isServer(pid)) process.kill(pid, 'SIGKILL');
    }
    if (info.dir !== '') rmSync(info.dir, { recursive: true, force: true });
    unregister(path);
    o.out(`sandbox: stopped ${label}`);
  }
  return records.length;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Only kill a pid that is still a MySQL/MariaDB server (pids get reused). */
function isServer(pid: number): boolean {
  try {
    return /mysqld|mariadbd/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}
