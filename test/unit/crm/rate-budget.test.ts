import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CrmError } from '../../../crm/port.js';
import {
  RateBudget,
  reservedSlots,
  toCrmError,
  type CallFailure,
  type RateBudgetOptions,
} from '../../../crm/rate-budget.js';

/** Failures are thrown as CallFailure objects; `describe` passes them through. */
const budget = (options: Partial<RateBudgetOptions> = {}) =>
  new RateBudget({ perWindow: 3, windowMs: 10_000, describe: (e) => e as CallFailure, ...options });

const ok =
  <T>(value: T) =>
  () =>
    Promise.resolve(value);

/** Records when each call started (fake-clock ms since the test began). */
function recorder() {
  const t0 = Date.now();
  const starts: number[] = [];
  return {
    starts,
    call:
      <T>(value: T, fail?: CallFailure[]) =>
      () => {
        starts.push(Date.now() - t0);
        const failure = fail?.shift();
        return failure ? Promise.reject(failure) : Promise.resolve(value);
      },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('rolling window', () => {
  it('runs calls within the budget at once and holds the rest until the window has room', async () => {
    const b = budget();
    const r = recorder();
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => b.run('standard', r.call(n))));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.starts).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(9_999);
    expect(r.starts).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(r.starts).toEqual([0, 0, 0, 10_000, 10_000]);
    expect(b.stats()).toMatchObject({ requests: 5, rateLimited: 0 });
  });

  it('counts a slot from the start of a call until a full window after it finished', async () => {
    const b = budget({ perWindow: 1 });
    const r = recorder();
    let finish!: () => void;
    const slow = b.run('standard', () => new Promise<void>((resolve) => (finish = resolve)));
    const next = b.run('standard', r.call('next'));
    await vi.advanceTimersByTimeAsync(15_000);
    expect(r.starts).toEqual([]);
    finish();
    await slow;
    await vi.advanceTimersByTimeAsync(9_999);
    expect(r.starts).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await next).toBe('next');
    expect(r.starts).toEqual([25_000]);
  });

  it('serves waiting callers in arrival order', async () => {
    const b = budget({ perWindow: 1, windowMs: 1_000 });
    const order: number[] = [];
    const all = Promise.all(
      [1, 2, 3, 4].map((n) =>
        b.run('standard', () => {
          order.push(n);
          return Promise.resolve();
        }),
      ),
    );
    await vi.advanceTimersByTimeAsync(3_000);
    await all;
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('limits searches per second and counts them against the main window too', async () => {
    const b = budget({ perWindow: 4, searchPerSecond: 2 });
    const r = recorder();
    const searches = Promise.all([1, 2, 3].map((n) => b.run('search', r.call(n))));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.starts).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1_000);
    await searches;
    expect(r.starts).toEqual([0, 0, 1_000]);
    // Three searches used three of the four standard slots.
    const standard = Promise.all([b.run('standard', r.call('a')), b.run('standard', r.call('b'))]);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.starts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(10_000);
    await standard;
    expect(r.starts[4]).toBe(10_000);
  });
});

describe('429 and 423', () => {
  it('honours Retry-After by pausing every caller, then retries transparently', async () => {
    const b = budget({ perWindow: 100 });
    const r = recorder();
    const first = b.run(
      'standard',
      r.call('first', [{ status: 429, message: 'ten_secondly_rolling', retryAfterMs: 3_000 }]),
    );
    await vi.advanceTimersByTimeAsync(0);
    const other = b.run('standard', r.call('other'));
    const search = b.run('search', r.call('search'));
    await vi.advanceTimersByTimeAsync(2_999);
    expect(r.starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await Promise.all([first, other, search])).toEqual(['first', 'other', 'search']);
    expect(r.starts).toEqual([0, 3_000, 3_000, 3_000]);
    expect(b.stats()).toEqual({ requests: 4, rateLimited: 1, retried: 1, timedOut: 0 });
  });

  it('a search 429 pauses only searches', async () => {
    const b = budget({ perWindow: 100 });
    const r = recorder();
    const search = b.run('search', r.call('s', [{ status: 429, message: 'secondly', retryAfterMs: 1_000 }]));
    await vi.advanceTimersByTimeAsync(0);
    const standard = b.run('standard', r.call('std'));
    await vi.advanceTimersByTimeAsync(0);
    expect(await standard).toBe('std');
    expect(r.starts).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await search).toBe('s');
    expect(r.starts).toEqual([0, 0, 1_000]);
  });

  it('gives up after maxRateLimitRetries with CRM_RATE_LIMITED carrying the wait', async () => {
    const b = budget({ maxRateLimitRetries: 2 });
    const fail = () => Promise.reject({ status: 429, message: 'limit', retryAfterMs: 500 } satisfies CallFailure);
    const result = b.run('standard', fail).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    const error = (await result) as CrmError;
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'CRM_RATE_LIMITED', status: 429, retryAfterMs: 500, retryable: true });
    expect(b.stats()).toMatchObject({ requests: 3, rateLimited: 3, retried: 2 });
  });

  it('uses a default pause when a 429 has no Retry-After', async () => {
    const b = budget({ defaultRetryAfterMs: 1_500 });
    const r = recorder();
    const done = b.run('standard', r.call('x', [{ status: 429, message: 'limit' }]));
    await vi.advanceTimersByTimeAsync(1_500);
    expect(await done).toBe('x');
    expect(r.starts).toEqual([0, 1_500]);
  });

  it('does not retry the daily limit', async () => {
    const b = budget();
    const result = b.run('standard', () =>
      Promise.reject({ status: 429, message: 'daily', daily: true } satisfies CallFailure),
    );
    await expect(result).rejects.toMatchObject({ code: 'CRM_RATE_LIMITED' });
    expect(b.stats()).toMatchObject({ requests: 1, rateLimited: 1, retried: 0 });
  });

  it('waits 2 s after 423 Locked and tries again', async () => {
    const b = budget();
    const r = recorder();
    const done = b.run('standard', r.call('unlocked', [{ status: 423, message: 'locked' }]));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(r.starts).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await done).toBe('unlocked');
    expect(r.starts).toEqual([0, 2_000]);
  });

  it('turns a 423 that stays locked into CRM_UNAVAILABLE', async () => {
    const b = budget({ maxLockedRetries: 1 });
    const result = b.run('standard', () => Promise.reject({ status: 423, message: 'locked' })).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await result).toMatchObject({ code: 'CRM_UNAVAILABLE', status: 423 });
  });
});

describe('error mapping', () => {
  it.each([
    [{ status: 404, message: 'gone' }, 'CRM_NOT_FOUND', false],
    [{ status: 400, message: 'Property "x" does not exist' }, 'CRM_BAD_REQUEST', false],
    [{ status: 401, message: 'auth' }, 'CRM_AUTH', false],
    [{ status: 403, message: 'scopes' }, 'CRM_AUTH', false],
    [{ status: 409, message: 'exists' }, 'CRM_CONFLICT', false],
    [{ status: 500, message: 'oops' }, 'CRM_UNAVAILABLE', true],
    [{ status: 503, message: 'down' }, 'CRM_UNAVAILABLE', true],
    [{ status: 477, message: 'migrating' }, 'CRM_UNAVAILABLE', true],
    [{ message: 'ECONNREFUSED' }, 'CRM_UNAVAILABLE', true],
  ] as [CallFailure, string, boolean][])('%o -> %s', async (failure, code, retryable) => {
    const b = budget();
    const error = (await b.run('standard', () => Promise.reject(failure)).catch((e: unknown) => e)) as CrmError;
    expect(error).toBeInstanceOf(CrmError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.message).toBe(failure.message);
    expect(b.stats().requests).toBe(1);
    expect(toCrmError(failure).code).toBe(code);
  });

  it('fails a call that hangs with CRM_UNAVAILABLE and frees its slot', async () => {
    const b = budget({ perWindow: 1, windowMs: 1_000, timeoutMs: 5_000 });
    const hung = b.run('standard', () => new Promise(() => undefined)).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await hung).toMatchObject({ code: 'CRM_UNAVAILABLE', message: 'CRM call timed out after 5000 ms' });
    const next = b.run('standard', ok('after'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await next).toBe('after');
    expect(b.stats().timedOut).toBe(1);
  });
});

describe('interactive reserve', () => {
  it('keeps a share of each window, rounded up, and never all of it', () => {
    expect(reservedSlots(100, 0.2)).toBe(20);
    expect(reservedSlots(190, 0.2)).toBe(38);
    expect(reservedSlots(5, 0.2)).toBe(1);
    expect(reservedSlots(5, 0.1)).toBe(1);
    expect(reservedSlots(3, 0.9)).toBe(2);
    expect(reservedSlots(1, 0.5)).toBe(0);
    expect(reservedSlots(100, 0)).toBe(0);
  });

  it('holds background calls to the window minus the reserve', async () => {
    const b = budget({ perWindow: 5, interactiveReserve: 0.4 });
    const r = recorder();
    const all = Promise.all([1, 2, 3, 4, 5].map((n) => b.run('standard', r.call(n), 'background')));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.starts).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    expect(r.starts).toEqual([0, 0, 0, 10_000, 10_000]);
  });

  it('serves an interactive call at once while background calls queue for the window', async () => {
    const b = budget({ perWindow: 5, interactiveReserve: 0.4 });
    const r = recorder();
    const background = Promise.all(Array.from({ length: 10 }, (_, n) => b.run('standard', r.call(n))));
    await vi.advanceTimersByTimeAsync(500);
    const person = b.run('standard', r.call('person'), 'interactive');
    await vi.advanceTimersByTimeAsync(0);
    expect(await person).toBe('person');
    expect(r.starts).toEqual([0, 0, 0, 500]);
    await vi.advanceTimersByTimeAsync(40_000);
    await background;
  });

  it('lets interactive calls use the whole window; background then waits until it is back under its share', async () => {
    const b = budget({ perWindow: 4, interactiveReserve: 0.25 });
    const r = recorder();
    // Four interactive calls finishing 1 s apart: the window is full.
    for (let n = 0; n < 4; n++) {
      await b.run('standard', r.call(n), 'interactive');
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(r.starts).toEqual([0, 1_000, 2_000, 3_000]);
    // Background may hold 3: two of the four must come free (the second at 11 s).
    const later = b.run('standard', r.call('background'));
    await vi.advanceTimersByTimeAsync(6_999);
    expect(r.starts).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(await later).toBe('background');
    expect(r.starts[4]).toBe(11_000);
  });

  it('keeps a reserve in the search window too', async () => {
    const b = budget({ perWindow: 100, searchPerSecond: 5, interactiveReserve: 0.2 });
    const r = recorder();
    const searches = Promise.all(Array.from({ length: 6 }, (_, n) => b.run('search', r.call(n))));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.starts).toEqual([0, 0, 0, 0]);
    const person = b.run('search', r.call('person'), 'interactive');
    await vi.advanceTimersByTimeAsync(0);
    expect(await person).toBe('person');
    expect(r.starts).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(2_000);
    await searches;
  });
});

describe('what the budget reports for /metrics', () => {
  it('tells every request as it ends: ok, the 429 it retried, a network failure', async () => {
    const seen: string[] = [];
    const b = budget({
      perWindow: 10,
      onRequest: (kind, traffic, status) => seen.push(`${kind}/${traffic}/${status}`),
    });
    const r = recorder();
    const done = b.run('standard', r.call('x', [{ status: 429, message: 'slow down', retryAfterMs: 100 }]));
    await vi.advanceTimersByTimeAsync(200);
    expect(await done).toBe('x');
    await expect(b.run('search', () => Promise.reject({ message: 'ECONNRESET' }), 'interactive')).rejects.toThrow();
    expect(seen).toEqual(['standard/background/429', 'standard/background/ok', 'search/interactive/network']);
  });

  it("reports the share of the window this process's calls took, forgetting calls older than the window", async () => {
    const b = budget({ perWindow: 4, windowMs: 10_000 });
    expect(b.usedShare()).toBe(0);
    await b.run('standard', ok(1));
    await b.run('standard', ok(2));
    expect(b.usedShare()).toBe(0.5);
    await vi.advanceTimersByTimeAsync(10_001);
    expect(b.usedShare()).toBe(0);
  });
});
