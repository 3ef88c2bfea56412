import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cpuSecondsOf, watchCpu, watchProcess } from '../bench/rss.js';

/** Spins until this process has used `ms` more milliseconds of CPU (however long that takes on a busy machine). */
function spin(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  while (process.cpuUsage(start).user < ms * 1000) x += Math.sqrt(x + 1);
  if (x < 0) throw new Error('unreachable');
}

describe('bench CPU accounting from /proc', () => {
  it('counts the CPU a process spends, and nothing for a pid that is gone', () => {
    const before = cpuSecondsOf(process.pid) as number;
    const watch = watchCpu({ self: process.pid, gone: 2 ** 22 + 1 });
    spin(300);
    const after = cpuSecondsOf(process.pid) as number;
    const used = watch.stop();
    // The kernel counts in ticks of 10 ms.
    expect(after - before).toBeGreaterThanOrEqual(0.28);
    expect(used['self']).toBeGreaterThanOrEqual(0.28);
    expect(used['gone']).toBeUndefined();
  });

  it("reads a child's CPU from its start, at the last sample before it ends", async () => {
    // A child that spins 0.6 s of CPU, then sleeps long enough to be sampled.
    const child = spawn(process.execPath, ['-e', 'const s = process.cpuUsage(); while (process.cpuUsage(s).user < 600000); setTimeout(() => {}, 1500);']);
    const usage = watchProcess(child.pid ?? 0, 50);
    await new Promise((resolve) => child.once('close', resolve));
    const { cpuSeconds, peakRssMb } = usage.stop();
    expect(cpuSeconds).toBeGreaterThanOrEqual(0.58);
    expect(cpuSeconds).toBeLessThan(5);
    expect(peakRssMb).toBeGreaterThan(10);
  });
});
