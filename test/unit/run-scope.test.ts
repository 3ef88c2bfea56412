import { describe, expect, it, vi } from 'vitest';
import type { Connection } from '../../src/db/connect.js';
import { RunScope } from '../../src/run-scope.js';
import { startStatusTicker } from '../../src/status/ticker.js';

/** Only end() is used by the scope. */
function fakeConnection(log: string[], name: string): Connection {
  return { end: async () => void log.push(`end ${name}`) } as unknown as Connection;
}

describe('RunScope', () => {
  it("aborts with the caller's reason when the caller's signal aborts, and keeps the first reason", () => {
    const outer = new AbortController();
    const scope = new RunScope(outer.signal, (s) => new Error(`outer: ${String((s.reason as Error).message)}`));
    outer.abort(new Error('SIGTERM'));
    scope.abort(new Error('later'));
    expect((scope.signal.reason as Error).message).toBe('outer: SIGTERM');
  });

  it('starts aborted when the caller has already stopped', () => {
    const outer = new AbortController();
    outer.abort(new Error('stopped before the start'));
    const scope = new RunScope(outer.signal, (s) => s.reason);
    expect(scope.signal.aborted).toBe(true);
    expect((scope.signal.reason as Error).message).toBe('stopped before the start');
  });

  it('closes in order: closers, then background tasks, then connections; and stops listening to the caller', async () => {
    const outer = new AbortController();
    const scope = new RunScope(outer.signal, (s) => s.reason);
    const log: string[] = [];
    scope.adopt(fakeConnection(log, 'a'));
    scope.onClose(() => void log.push('closer'));
    scope.track(new Promise<void>((resolve) => scope.signal.addEventListener('abort', () => setTimeout(() => (log.push('background'), resolve()), 10))));
    await scope.close('done');
    expect(log).toEqual(['closer', 'background', 'end a']);
    expect((scope.signal.reason as Error).message).toBe('done');
    outer.abort(new Error('after the end'));
    expect((scope.signal.reason as Error).message).toBe('done');
  });

  it('does not wait more than 5 s for a background task that never ends', async () => {
    vi.useFakeTimers();
    try {
      const scope = new RunScope(new AbortController().signal, (s) => s.reason);
      const log: string[] = [];
      scope.adopt(fakeConnection(log, 'a'));
      scope.track(new Promise(() => undefined));
      const closed = scope.close('done');
      await vi.advanceTimersByTimeAsync(4999);
      expect(log).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      await closed;
      expect(log).toEqual(['end a']);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('startStatusTicker', () => {
  it('prints at the fixed interval when one is set, at the cadence otherwise, and never after stop', async () => {
    vi.useFakeTimers();
    try {
      const fixed: number[] = [];
      const a = startStatusTicker({ print: () => fixed.push(Date.now()), fixedMs: 250, cadenceMs: () => 1000 });
      const paced: number[] = [];
      let cadence = 1000;
      // The run's pace changes after the first line: the next one comes at the new cadence.
      const b = startStatusTicker({ print: () => (paced.push(Date.now()), (cadence = 5000)), fixedMs: 0, cadenceMs: () => cadence });
      const t0 = Date.now();
      await vi.advanceTimersByTimeAsync(7000);
      expect(fixed.length).toBe(28);
      expect(paced.map((t) => t - t0)).toEqual([1000, 6000]);
      a.stop();
      b.stop();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(fixed.length).toBe(28);
      expect(paced.length).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
