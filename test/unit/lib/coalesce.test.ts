import { describe, expect, it } from 'vitest';
import { coalesce } from '../../../lib/coalesce.js';

describe('coalesce', () => {
  it('turns concurrent calls into batches of at most maxSize, results in order', async () => {
    const batches: number[][] = [];
    const double = coalesce<number, number>({
      maxSize: 100,
      maxWaitMs: 5,
      run: async (items) => {
        batches.push(items);
        return items.map((i) => i * 2);
      },
    });
    const results = await Promise.all(Array.from({ length: 250 }, (_, i) => double(i)));
    expect(results).toEqual(Array.from({ length: 250 }, (_, i) => i * 2));
    expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
  });

  it('fails every caller of a failed batch, and the next batch starts clean', async () => {
    let fail = true;
    const call = coalesce<number, number>({
      maxSize: 10,
      maxWaitMs: 1,
      run: async (items) => {
        if (fail) throw new Error('CRM down');
        return items;
      },
    });
    const failed = await Promise.allSettled([call(1), call(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await call(3)).toBe(3);
  });
});

describe('coalesce under backpressure', () => {
  it('grows batches instead of queueing small ones when maxInFlight are busy', async () => {
    const sizes: number[] = [];
    let release: () => void = () => undefined;
    const call = coalesce<number, number>({
      maxSize: 100,
      maxWaitMs: 1,
      maxInFlight: 1,
      run: async (items) => {
        sizes.push(items.length);
        if (sizes.length === 1) await new Promise<void>((r) => (release = r));
        return items;
      },
    });
    const first = call(0);
    await new Promise((r) => setTimeout(r, 5));
    const rest = Array.from({ length: 150 }, (_, i) => call(i + 1));
    await new Promise((r) => setTimeout(r, 5));
    expect(sizes).toEqual([1]);
    release();
    expect(await Promise.all([first, ...rest])).toHaveLength(151);
    expect(sizes).toEqual([1, 100, 50]);
  });
});

describe('coalesce as a group commit (maxWaitMs 0, one batch in flight)', () => {
  function recorder() {
    const batches: number[][] = [];
    const gate = { hold: false, release: () => undefined as void };
    const write = coalesce<number, number>({
      maxSize: 3,
      maxWaitMs: 0,
      maxInFlight: 1,
      run: async (items) => {
        batches.push(items);
        if (gate.hold) await new Promise<void>((r) => (gate.release = r));
        return items.map((i) => i * 10);
      },
    });
    return { write, batches, gate };
  }

  it('sends a lone write on its own, without waiting for company', async () => {
    const { write, batches } = recorder();
    expect(await write(1)).toBe(10);
    expect(batches).toEqual([[1]]);
  });

  it('gathers writes that arrive while a batch is in flight into the next one, each with its own answer', async () => {
    const { write, batches, gate } = recorder();
    gate.hold = true;
    const first = write(1);
    await new Promise((r) => setImmediate(r));
    const later = [write(2), write(3), write(4), write(5)];
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    gate.hold = false;
    gate.release();
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40, 50]);
    // At most three per batch, in arrival order.
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });
});
