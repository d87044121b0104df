import { describe, expect, it, vi } from 'vitest';
import { nextBestActionJob } from '../../../services/next-best-action-book.js';

const silent = { info: () => undefined, warn: vi.fn() };

describe('the next-best-action refresh job', () => {
  it('runs batches back to back while they come back full, then waits the interval', async () => {
    // 2 full batches of 10, then 3 left, then nothing.
    const results = [10, 10, 3, 0, 0];
    const calls: number[] = [];
    const job = nextBestActionJob(
      {
        refresh: async (batch) => {
          calls.push(batch ?? 0);
          return results.shift() ?? 0;
        },
      },
      silent,
      { batch: 10, intervalMs: 60_000 },
    );
    await job.start();
    await vi.waitFor(() => expect(calls).toHaveLength(3), { timeout: 10_000 });
    // The third batch was not full: the fourth waits the minute.
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toHaveLength(3);
    await job.stop();
  });

  it('a failed batch is logged and tried again after the interval; stop ends the loop', async () => {
    let calls = 0;
    const job = nextBestActionJob(
      {
        refresh: async () => {
          calls++;
          if (calls === 1) throw new Error('database away');
          return 0;
        },
      },
      silent,
      { batch: 10, intervalMs: 50 },
    );
    await job.start();
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    expect(silent.warn).toHaveBeenCalledWith({ err: 'database away' }, expect.any(String));
    await job.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 200));
    expect(calls).toBe(after);
  });
});
