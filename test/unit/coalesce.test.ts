import { describe, expect, it } from 'vitest';
import { coalesce } from '../../crm/coalesce.js';

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
