import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, createSharedRateLimiter } from '../../../../workflows/broadcast/rate-limiter.js';

/**
 * store/send-rates.ts's rule in memory (its SQL runs against PostgreSQL in
 * test/integration/broadcast/global-send-rate.test.ts): the channel's next free instant moves
 * on by count x spacing per lease, from now at the earliest.
 */
class MemorySendRates {
  private next = new Map<string, number>();
  readonly leases: number[] = [];
  latencyMs = 1;

  lease(channel: string, count: number, spacingMs: number): Promise<number> {
    const now = Date.now();
    const first = Math.max(this.next.get(channel) ?? 0, now);
    this.next.set(channel, first + count * spacingMs);
    this.leases.push(count);
    // The answer arrives latencyMs later; the worker counts from then, as from a database.
    return new Promise((resolve) => setTimeout(() => resolve(first - now), this.latencyMs));
  }
}

/** The most of `times` within any `windowMs` (the busiest window begins at a send). */
function peak(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** `lanes` callers per worker, each sending `sends` messages back to back through its worker's pacer. */
async function run(pacers: (() => Promise<void>)[], lanes: number, sends: number): Promise<number[]> {
  const t0 = Date.now();
  const times: number[] = [];
  const all = Promise.all(
    pacers.flatMap((pace) =>
      Array.from({ length: lanes }, async () => {
        for (let i = 0; i < sends; i++) {
          await pace();
          times.push(Date.now() - t0);
        }
      }),
    ),
  );
  await vi.advanceTimersByTimeAsync(120_000);
  await all;
  return times;
}

describe('send rate of one worker', () => {
  it('spaces sends evenly', async () => {
    const times = await run([createRateLimiter(10)], 4, 10);
    expect(times).toHaveLength(40);
    expect(peak(times, 1_000)).toBe(10);
  });
});

describe('send rate shared by every worker', () => {
  it('holds three workers together to the rate', async () => {
    const store = new MemorySendRates();
    const pacers = [1, 2, 3].map(() => createSharedRateLimiter(store, 'email', 20));
    const times = await run(pacers, 8, 10);
    expect(times).toHaveLength(240);
    // 240 sends at 20/s: about 12 s, never more than 20 in any second.
    expect(peak(times, 1_000)).toBeLessThanOrEqual(20);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(11_900);
    // The same three workers each on a rate of its own send three times as fast.
    const apart = await run(
      [1, 2, 3].map(() => createRateLimiter(20)),
      8,
      10,
    );
    expect(peak(apart, 1_000)).toBe(60);
  });

  it('leases a slot per waiting caller, at most 100 ms of the rate, and few statements per send', async () => {
    const store = new MemorySendRates();
    const pace = createSharedRateLimiter(store, 'email', 50);
    const times = await run([pace], 20, 10);
    expect(times).toHaveLength(200);
    expect(Math.max(...store.leases)).toBe(5);
    // One statement per five sends while lanes wait on the rate.
    expect(store.leases.length).toBeLessThanOrEqual(45);
    expect(peak(times, 1_000)).toBeLessThanOrEqual(50);
  });

  it('leases by its own pace when the rate is far above what it sends: few statements, no schedule booked ahead', async () => {
    const store = new MemorySendRates();
    const pace = createSharedRateLimiter(store, 'email', 10_000);
    const t0 = Date.now();
    const done = (async () => {
      for (let i = 0; i < 400; i++) {
        await pace();
        await new Promise((r) => setTimeout(r, 1)); // a send takes 1 ms
      }
      return Date.now() - t0;
    })();
    await vi.advanceTimersByTimeAsync(2_000);
    // Held back by nothing but its own sends (and a lease's round trip now and then).
    expect(await done).toBeLessThan(500);
    // One caller, so one slot per lease if leases followed the callers alone; its pace (1 a ms) x 20 ms instead.
    expect(store.leases.length).toBeLessThanOrEqual(40);
    // Never the whole 100 ms of the rate (1,000 slots) for a worker sending 1 a ms.
    expect(Math.max(...store.leases)).toBeLessThanOrEqual(40);
  });

  it('saves up no credit while idle: after a quiet spell sends start at once, still spaced', async () => {
    const store = new MemorySendRates();
    const pace = createSharedRateLimiter(store, 'sms', 50);
    await run([pace], 5, 1);
    await vi.advanceTimersByTimeAsync(5_000);
    const times = await run([pace], 5, 1);
    expect(times[0]).toBeLessThanOrEqual(store.latencyMs);
    const sorted = [...times].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(20);
  });

  it('fails the caller when the database cannot be reached (the row is still pending: it is sent on retry)', async () => {
    const pace = createSharedRateLimiter({ lease: () => Promise.reject(new Error('connection refused')) }, 'email', 50);
    await expect(pace()).rejects.toThrow('connection refused');
  });
});
