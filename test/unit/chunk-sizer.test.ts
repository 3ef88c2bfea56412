import { describe, expect, it } from 'vitest';
import { ADAPTIVE_MAX_ROWS, ADAPTIVE_MIN_ROWS, nextChunkSize } from '../../src/copy/chunk-sizer.js';
import { defaultCopyThreads } from '../../src/copy/threads.js';

describe('adaptive chunk size', () => {
  it('moves toward the target time, at most doubling or halving per chunk', () => {
    expect(nextChunkSize({ size: 1000, ms: 80, targetMs: 100 })).toBe(1250);
    expect(nextChunkSize({ size: 1000, ms: 10, targetMs: 100 })).toBe(2000);
    expect(nextChunkSize({ size: 1000, ms: 125, targetMs: 100 })).toBe(800);
    expect(nextChunkSize({ size: 1000, ms: 5000, targetMs: 100 })).toBe(500);
    expect(nextChunkSize({ size: 1000, ms: 100, targetMs: 100 })).toBe(1000);
  });

  it('stays within its bounds, and counts a chunk of no measurable time as 1 ms', () => {
    expect(nextChunkSize({ size: 150_000, ms: 0, targetMs: 100 })).toBe(ADAPTIVE_MAX_ROWS);
    expect(nextChunkSize({ size: 120, ms: 900, targetMs: 100 })).toBe(ADAPTIVE_MIN_ROWS);
    expect(nextChunkSize({ size: 20, ms: 900, targetMs: 100, min: 10 })).toBe(10);
  });

  it('converges on the size whose time is the target when time is proportional to rows', () => {
    let size = 1000;
    for (let i = 0; i < 30; i++) size = nextChunkSize({ size, ms: size / 50, targetMs: 100 }); // 50 rows per ms
    expect(size).toBe(5000);
  });
});

describe('default copy threads', () => {
  it('takes half the cores of this host for a local server, 1 to 4; 4 for a remote one', () => {
    expect(defaultCopyThreads('127.0.0.1', 2)).toBe(1);
    expect(defaultCopyThreads('localhost', 1)).toBe(1);
    expect(defaultCopyThreads('::1', 6)).toBe(3);
    expect(defaultCopyThreads('127.0.0.1', 32)).toBe(4);
    expect(defaultCopyThreads('db1.example.com', 2)).toBe(4);
    expect(defaultCopyThreads('10.0.0.5', 64)).toBe(4);
  });
});
