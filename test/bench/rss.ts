import { readFileSync } from 'node:fs';

/**
 * Peak resident memory of a process, from /proc/PID/status: VmHWM is the kernel's own high-water
 * mark, so sampling now and then still catches a peak between samples — as long as one sample is
 * taken after it (the last one just before the process ends may be missed; sample often).
 */
export function watchPeakRss(pid: number, everyMs = 200): { stop: () => number | undefined } {
  let peakKb: number | undefined;
  const sample = (): void => {
    try {
      const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m !== null) peakKb = Math.max(peakKb ?? 0, Number(m[1]));
    } catch {
      // gone already
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      sample();
      clearInterval(timer);
      return peakKb === undefined ? undefined : peakKb / 1024;
    },
  };
}
