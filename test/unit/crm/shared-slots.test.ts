import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CrmError } from '../../../crm/port.js';
import { RateBudget, type CallFailure, type Traffic } from '../../../crm/rate-budget.js';
import type { HeldSlot, SlotStore, TakeRequest, TakeResult } from '../../../crm/shared-slots.js';

/**
 * The slot table of store/rate-slots.ts in memory, with the same rules (its SQL is exercised
 * against PostgreSQL in test/integration/crm/shared-budget.test.ts): a slot is free once free_at
 * has passed; a take holds it for holdMs; a release frees it a window later if the lease matches.
 * It counts statements, which is what the shared budget must keep few.
 */
class MemorySlotStore implements SlotStore {
  readonly pools = new Map<string, { freeAt: number; lease: string | null }[]>();
  readonly paused = new Map<string, number>();
  readonly statements = { ensure: 0, take: 0, release: 0, pause: 0 };
  readonly takes: TakeRequest[] = [];
  failing = false;
  /** A round trip to the database: statements take this long to answer. */
  latencyMs = 0;
  private leases = 0;

  private answer<T>(value: T): Promise<T> {
    return this.latencyMs > 0
      ? new Promise((resolve) => setTimeout(() => resolve(value), this.latencyMs))
      : Promise.resolve(value);
  }

  ensure(pool: string, count: number) {
    this.statements.ensure++;
    if (this.failing) return Promise.reject(new Error('connection refused'));
    const slots = this.pools.get(pool) ?? [];
    while (slots.length < count) slots.push({ freeAt: -Infinity, lease: null });
    this.pools.set(pool, slots);
    return Promise.resolve();
  }

  take(pool: string, request: TakeRequest): Promise<TakeResult> {
    this.statements.take++;
    this.takes.push(request);
    if (this.failing) return Promise.reject(new Error('connection refused'));
    const now = Date.now();
    const slots = this.pools.get(pool)!.slice(0, request.to);
    const pausedMs = Math.max(0, (this.paused.get(pool) ?? 0) - now);
    const lease = `lease-${++this.leases}`;
    const taken: HeldSlot[] = [];
    const order = slots.map((_, i) => i);
    if (request.highFirst) order.reverse();
    for (const i of order) {
      if (pausedMs > 0 || taken.length >= request.want) break;
      if (slots[i]!.freeAt <= now) {
        slots[i]!.freeAt = now + request.holdMs;
        slots[i]!.lease = lease;
        taken.push({ slot: i, lease });
      }
    }
    const future = slots.filter((s, i) => s.freeAt > now && !taken.some((t) => t.slot === i)).map((s) => s.freeAt);
    return this.answer({
      taken,
      pausedMs,
      nextFreeMs: future.length > 0 ? Math.min(...future) - now : null,
    });
  }

  release(pool: string, held: HeldSlot[], windowMs: number) {
    this.statements.release++;
    const slots = this.pools.get(pool)!;
    for (const h of held) {
      if (slots[h.slot]!.lease === h.lease) slots[h.slot] = { freeAt: Date.now() + windowMs, lease: null };
    }
    return this.answer(undefined);
  }

  pause(pool: string, ms: number) {
    this.statements.pause++;
    this.paused.set(pool, Math.max(this.paused.get(pool) ?? 0, Date.now() + ms));
    return Promise.resolve();
  }
}

/** A process's budget on the shared store. */
const processBudget = (store: SlotStore, options: { perWindow?: number; reserve?: number; search?: number } = {}) =>
  new RateBudget({
    perWindow: options.perWindow ?? 3,
    windowMs: 10_000,
    searchPerSecond: options.search ?? 5,
    interactiveReserve: options.reserve ?? 0,
    timeoutMs: 30_000,
    slots: store,
    describe: (e) => e as CallFailure,
  });

/** Calls that record when they started; `hold` keeps each running that long. */
function recorder(hold = 0) {
  const t0 = Date.now();
  const starts: { at: number; who: string }[] = [];
  return {
    starts,
    call: (who: string) => async () => {
      starts.push({ at: Date.now() - t0, who });
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
      return who;
    },
  };
}

/** The most starts in any window of `windowMs` (the busiest window begins at a start). */
function peak(starts: number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
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

describe('one budget in a shared store', () => {
  it('keeps a slot from the start of a call until a window after it finished', async () => {
    const store = new MemorySlotStore();
    const b = processBudget(store, { perWindow: 2 });
    const r = recorder(2_000);
    const all = Promise.all(['a', 'b', 'c'].map((who) => b.run('standard', r.call(who))));
    await vi.advanceTimersByTimeAsync(11_999);
    expect(r.starts.map((s) => s.at)).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.starts.map((s) => s.at)).toEqual([0, 0, 12_000]);
    await vi.advanceTimersByTimeAsync(2_000);
    await all;
  });

  it('holds several processes together to the one budget', async () => {
    const store = new MemorySlotStore();
    const processes = [1, 2, 3].map(() => processBudget(store, { perWindow: 6 }));
    const r = recorder(300);
    const all = Promise.all(
      processes.flatMap((b, p) => Array.from({ length: 12 }, (_, n) => b.run('standard', r.call(`${p}.${n}`)))),
    );
    await vi.advanceTimersByTimeAsync(120_000);
    await all;
    expect(r.starts).toHaveLength(36);
    expect(
      peak(
        r.starts.map((s) => s.at),
        10_000,
      ),
    ).toBe(6);
    // Every process got its turn, not one process the whole budget.
    for (const p of ['0', '1', '2'])
      expect(r.starts.some((s) => s.who.startsWith(`${p}.`) && s.at < 20_000)).toBe(true);
  });

  it('takes slots for every caller waiting in one statement and gives back finished ones together', async () => {
    const store = new MemorySlotStore();
    store.latencyMs = 2;
    const b = processBudget(store, { perWindow: 40 });
    const r = recorder(100);
    await vi.advanceTimersByTimeAsync(0);
    const all = Promise.all(Array.from({ length: 10 }, (_, n) => b.run('standard', r.call(String(n)))));
    await vi.advanceTimersByTimeAsync(200);
    await all;
    expect(store.takes.map((t) => t.want)).toEqual([10]);
    expect(store.statements.take).toBe(1);
    // Ten calls finishing at once: the first release goes out alone, the other nine together.
    expect(store.statements.release).toBe(2);
  });

  it('serves an interactive call from its reserve while background calls wait for the window', async () => {
    const store = new MemorySlotStore();
    const worker = processBudget(store, { perWindow: 5, reserve: 0.4 });
    const api = processBudget(store, { perWindow: 5, reserve: 0.4 });
    const r = recorder();
    const background = Promise.all(Array.from({ length: 8 }, (_, n) => worker.run('standard', r.call(`bg${n}`))));
    await vi.advanceTimersByTimeAsync(0);
    // Background in this very process is asleep until a slot of its share frees (10 s).
    const mixed = worker.run('standard', r.call('person-in-worker'), 'interactive');
    await vi.advanceTimersByTimeAsync(1_000);
    const person = api.run('standard', r.call('person'), 'interactive');
    await vi.advanceTimersByTimeAsync(0);
    expect(await mixed).toBe('person-in-worker');
    expect(await person).toBe('person');
    expect(r.starts.filter((s) => s.at === 0)).toHaveLength(4);
    expect(r.starts.find((s) => s.who === 'person')!.at).toBe(1_000);
    // Background never held more than its share (3 of 5) in any window.
    await vi.advanceTimersByTimeAsync(40_000);
    await background;
    expect(
      peak(
        r.starts.filter((s) => s.who.startsWith('bg')).map((s) => s.at),
        10_000,
      ),
    ).toBe(3);
    expect(store.takes.filter((t) => t.highFirst).every((t) => t.to === 5)).toBe(true);
    expect(store.takes.filter((t) => !t.highFirst).every((t) => t.to === 3)).toBe(true);
  });

  it('asks at once for an interactive call that came while a background take was on its way', async () => {
    const store = new MemorySlotStore();
    store.latencyMs = 5;
    // Background may use 9 of 12, three per take: takes end at 5, 10 and 15 ms with three each,
    // and the fourth, out from 15 to 20 ms, finds the share used up.
    const b = processBudget(store, { perWindow: 12, reserve: 0.25 });
    const r = recorder();
    const background = Promise.all(Array.from({ length: 12 }, (_, n) => b.run('standard', r.call(`bg${n}`))));
    await vi.advanceTimersByTimeAsync(17);
    expect(r.starts).toHaveLength(9);
    const person = b.run('standard', r.call('person'), 'interactive');
    await vi.advanceTimersByTimeAsync(20);
    expect(await person).toBe('person');
    expect(r.starts.find((s) => s.who === 'person')!.at).toBeLessThan(40);
    await vi.advanceTimersByTimeAsync(40_000);
    await background;
  });

  it('pauses every process after a 429 one of them got, Retry-After or not', async () => {
    const store = new MemorySlotStore();
    const a = processBudget(store, { perWindow: 100 });
    const b = processBudget(store, { perWindow: 100 });
    const t0 = Date.now();
    const starts: Record<string, number[]> = { a: [], b: [] };
    let failures = 1;
    const limited = a.run('standard', () => {
      starts.a!.push(Date.now() - t0);
      return failures-- > 0
        ? Promise.reject({ status: 429, message: 'ten_secondly_rolling' } satisfies CallFailure)
        : Promise.resolve('a');
    });
    await vi.advanceTimersByTimeAsync(10);
    const other = b.run('standard', () => {
      starts.b!.push(Date.now() - t0);
      return Promise.resolve('b');
    });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await limited).toBe('a');
    expect(await other).toBe('b');
    expect(store.statements.pause).toBe(1);
    // No Retry-After: the default pause (1 s), honoured by the other process too.
    expect(starts.a).toEqual([0, 1_000]);
    expect(starts.b![0]).toBeGreaterThanOrEqual(1_000);
  });

  it('takes a search slot and a standard slot for a search', async () => {
    const store = new MemorySlotStore();
    const b = processBudget(store, { perWindow: 100, search: 2 });
    const r = recorder();
    const all = Promise.all([1, 2, 3].map((n) => b.run('search', r.call(String(n)))));
    await vi.advanceTimersByTimeAsync(0);
    expect(r.starts.map((s) => s.at)).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1_000);
    await all;
    expect(r.starts.map((s) => s.at)).toEqual([0, 0, 1_000]);
    const standard = store.pools.get('hubspot')!;
    expect(standard.filter((s) => s.freeAt > Date.now())).toHaveLength(3);
  });

  it('fails waiting calls with CRM_UNAVAILABLE when the store cannot be reached, and tries again later', async () => {
    const store = new MemorySlotStore();
    store.failing = true;
    const b = processBudget(store);
    const error = await b.run('standard', () => Promise.resolve('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrmError);
    expect(error).toMatchObject({ code: 'CRM_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toMatch(/shared CRM budget could not be read: connection refused/);
    store.failing = false;
    expect(await b.run('standard', () => Promise.resolve('y'))).toBe('y');
  });

  it('is asked for no more slots than the traffic may use', async () => {
    const store = new MemorySlotStore();
    const b = processBudget(store, { perWindow: 10, reserve: 0.2 });
    const traffic: Traffic[] = ['background', 'interactive'];
    await Promise.all(traffic.map((t) => b.run('standard', () => Promise.resolve(t), t)));
    expect(store.takes.map((t) => [t.to, t.highFirst])).toEqual(
      expect.arrayContaining([
        [8, false],
        [10, true],
      ]),
    );
  });
});
