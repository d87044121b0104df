import { describe, expect, it } from 'vitest';
import { coalesceWithRiders } from '../../../lib/coalesce-riders.js';

/** A run whose statements stay open until released, recording what each carried. */
function heldRuns() {
  const statements: string[][] = [];
  const open: (() => void)[] = [];
  return {
    statements,
    open,
    run: (items: string[]) =>
      new Promise<string[]>((resolve) => {
        statements.push(items);
        open.push(() => resolve(items.map((i) => `ok:${i}`)));
      }),
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('coalesceWithRiders', () => {
  it('sends riders in the next urgent statement, urgent items first', async () => {
    const runs = heldRuns();
    const c = coalesceWithRiders<string, string>({ maxSize: 100, maxInFlight: 1, riderWaitMs: 1_000, run: runs.run });
    const outcomes = [c.rider('a-done'), c.rider('b-done')];
    await turn();
    // Riders alone do not make a statement before their wait is over.
    expect(runs.statements).toEqual([]);
    const claim = c.urgent('c-claim');
    await turn();
    expect(runs.statements).toEqual([['c-claim', 'a-done', 'b-done']]);
    runs.open.shift()!();
    expect(await claim).toBe('ok:c-claim');
    expect(await Promise.all(outcomes)).toEqual(['ok:a-done', 'ok:b-done']);
  });

  it('sends waiting riders on their own after riderWaitMs', async () => {
    const runs = heldRuns();
    const c = coalesceWithRiders<string, string>({ maxSize: 100, maxInFlight: 1, riderWaitMs: 5, run: runs.run });
    const started = performance.now();
    const done = c.rider('a-done');
    await new Promise((r) => setTimeout(r, 20));
    expect(runs.statements).toEqual([['a-done']]);
    runs.open.shift()!();
    expect(await done).toBe('ok:a-done');
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
  });

  it('a claim does not wait for the statement in flight while fewer than maxInFlight are open', async () => {
    const runs = heldRuns();
    const c = coalesceWithRiders<string, string>({ maxSize: 100, maxInFlight: 2, riderWaitMs: 1_000, run: runs.run });
    const first = c.urgent('c1');
    await turn();
    const second = c.urgent('c2');
    await turn();
    // Both statements are open at once; a third claim waits for one of them and groups.
    expect(runs.statements).toEqual([['c1'], ['c2']]);
    const third = c.urgent('c3');
    const fourth = c.urgent('c4');
    await turn();
    expect(runs.statements).toHaveLength(2);
    runs.open.shift()!();
    expect(await first).toBe('ok:c1');
    await turn();
    expect(runs.statements[2]).toEqual(['c3', 'c4']);
    runs.open.splice(0).forEach((release) => release());
    expect(await Promise.all([second, third, fourth])).toEqual(['ok:c2', 'ok:c3', 'ok:c4']);
  });

  it('a full load of riders goes without waiting, and a failed statement fails its callers only', async () => {
    let fail = true;
    const statements: string[][] = [];
    const c = coalesceWithRiders<string, string>({
      maxSize: 3,
      maxInFlight: 1,
      riderWaitMs: 60_000,
      run: async (items) => {
        statements.push(items);
        if (fail) throw new Error('db down');
        return items;
      },
    });
    const failed = await Promise.allSettled(['a', 'b', 'c'].map((x) => c.rider(x)));
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    fail = false;
    expect(await c.urgent('d')).toBe('d');
    expect(statements).toEqual([['a', 'b', 'c'], ['d']]);
  });
});
