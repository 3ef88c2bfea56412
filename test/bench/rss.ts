import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat's CPU times (100 on Linux unless the kernel says else). */
const TICKS_PER_SECOND = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds a process has used so far (user + system), from /proc/PID/stat; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count the fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of the whole line (utime, stime) are 12th and 13th after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

export interface ProcessUsage {
  readonly peakRssMb: number | undefined;
  /** CPU seconds it used from its start (read at the last sample before it ended: up to one interval is missed). */
  readonly cpuSeconds: number | undefined;
}

/**
 * Peak resident memory and CPU time of a process, from /proc/PID: VmHWM is the kernel's own
 * high-water mark, so sampling now and then still catches a peak between samples — as long as one
 * sample is taken after it (the last one just before the process ends may be missed; sample often).
 */
export function watchProcess(pid: number, everyMs = 200): { stop: () => ProcessUsage } {
  let peakKb: number | undefined;
  let cpuSeconds: number | undefined;
  const sample = (): void => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m !== null) peakKb = Math.max(peakKb ?? 0, Number(m[1]));
    } catch {
      // gone already
    }
    cpuSeconds = cpuSecondsOf(pid) ?? cpuSeconds;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      sample();
      clearInterval(timer);
      return {
        peakRssMb: peakKb === undefined ? undefined : peakKb / 1024,
        cpuSeconds,
      };
    },
  };
}

/** CPU seconds each of a few long-lived processes (the servers, the load) uses between start and stop. */
export function watchCpu(pids: Readonly<Record<string, number | undefined>>): { stop: () => Record<string, number | undefined> } {
  const first = Object.fromEntries(Object.entries(pids).map(([role, pid]) => [role, pid === undefined ? undefined : cpuSecondsOf(pid)]));
  return {
    stop: () =>
      Object.fromEntries(
        Object.entries(pids).map(([role, pid]) => {
          const now = pid === undefined ? undefined : cpuSecondsOf(pid);
          const then = first[role];
          return [role, now === undefined || then === undefined ? undefined : now - then];
        }),
      ),
  };
}
