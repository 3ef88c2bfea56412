import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/binlog/event-queue.js';

describe('the event queue between the binlog reader and the applier', () => {
  it('hands out items in order, at most max at a time', async () => {
    const q = new EventQueue<number>();
    q.push([1, 2, 3, 4, 5]);
    expect(await q.take(2, 0)).toEqual([1, 2]);
    expect(q.length).toBe(3);
    expect(await q.take(10, 0)).toEqual([3, 4, 5]);
    expect(await q.take(10, 0)).toEqual([]);
  });

  it('waits for the first item, and gives [] when none comes in time', async () => {
    const q = new EventQueue<string>();
    const waiting = q.take(10, 5_000);
    q.push(['a', 'b']);
    expect(await waiting).toEqual(['a', 'b']);
    const started = Date.now();
    expect(await q.take(10, 30)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('serves several waiters in turn', async () => {
    const q = new EventQueue<number>();
    const a = q.take(1, 5_000);
    const b = q.take(5, 5_000);
    q.push([1, 2, 3]);
    expect(await a).toEqual([1]);
    expect(await b).toEqual([2, 3]);
  });

  it('reports a failure only after everything queued before it was taken', async () => {
    const q = new EventQueue<number>();
    q.push([1, 2]);
    q.fail(new Error('connection lost'));
    q.push([3]);
    expect(await q.take(1, 0)).toEqual([1]);
    expect(await q.take(10, 0)).toEqual([2]);
    await expect(q.take(10, 0)).rejects.toThrow('connection lost');
    await expect(q.take(10, 1_000)).rejects.toThrow('connection lost');
  });

  it('rejects a waiting take when the failure arrives', async () => {
    const q = new EventQueue<number>();
    const waiting = q.take(10, 5_000);
    q.fail(new Error('server gone'));
    await expect(waiting).rejects.toThrow('server gone');
  });

  it('ends waits with [] on close and still drains what is left', async () => {
    const q = new EventQueue<number>();
    const waiting = q.take(10, 60_000);
    q.close();
    expect(await waiting).toEqual([]);
    const q2 = new EventQueue<number>();
    q2.push([1]);
    q2.close();
    q2.push([2]);
    expect(await q2.take(10, 0)).toEqual([1]);
    expect(await q2.take(10, 1_000)).toEqual([]);
  });

  it('refuses a max below 1', async () => {
    await expect(new EventQueue<number>().take(0, 0)).rejects.toThrow(/max/);
  });

  it('stays correct across its internal compaction', async () => {
    const q = new EventQueue<number>();
    const all = Array.from({ length: 20_000 }, (_, i) => i);
    q.push(all);
    const out: number[] = [];
    let pushed = false;
    while (q.length > 0) {
      out.push(...(await q.take(777, 0)));
      if (out.length >= 9_000 && !pushed) {
        q.push([20_000]);
        pushed = true;
      }
    }
    expect(out).toEqual([...all, 20_000]);
  });

  it('weighs items: take() stops at the byte limit (always giving the first item), and bytes counts what is queued', async () => {
    const q = new EventQueue<string>((s) => s.length);
    q.push(['aaaa', 'bbbb', 'cc', 'dddddddddd']);
    expect(q.bytes).toBe(20);
    expect(await q.take(10, 0, 9)).toEqual(['aaaa', 'bbbb']);
    expect(q.bytes).toBe(12);
    expect(await q.take(10, 0, 5)).toEqual(['cc']);
    expect(await q.take(10, 0, 5)).toEqual(['dddddddddd']);
    expect(q.bytes).toBe(0);
  });
});
