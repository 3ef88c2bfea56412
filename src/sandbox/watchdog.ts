import { spawn } from 'node:child_process';

/**
 * A tiny detached shell process that outlives a crashed owner: when the owner process is gone
 * (even after SIGKILL, which runs no handler of ours) it kills the servers whose pids are listed
 * in DIR/*.pid.watch — checking each is still a mysqld/mariadbd, in case the pid was reused — and
 * removes DIR. When the sandbox is stopped normally DIR disappears and the watchdog just exits.
 */
const SCRIPT = `
owner=$1; dir=$2
while kill -0 "$owner" 2>/dev/null && [ -d "$dir" ]; do sleep 0.5; done
[ -d "$dir" ] || exit 0
for f in "$dir"/*.pid.watch; do
  [ -f "$f" ] || continue
  p=$(cat "$f")
  case "$(tr '\\0' ' ' < /proc/$p/cmdline 2>/dev/null)" in
    *mysqld*|*mariadbd*) kill -9 "$p" 2>/dev/null ;;
  esac
done
sleep 0.5
rm -rf "$dir"
`;

export function spawnWatchdog(ownerPid: number, hostDir: string): void {
  const child = spawn('sh', ['-c', SCRIPT, 'oschange-sandbox-watchdog', String(ownerPid), hostDir], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}
