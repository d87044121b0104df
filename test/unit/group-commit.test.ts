import { describe, expect, it } from 'vitest';
import { groupCommit } from '../../store/group-commit.js';

function recorder(answer: (items: number[]) => number[] | Promise<number[]>) {
  const statements: number[][] = [];
  let release: (() => void) | undefined;
  const gate = { hold: false };
  const write = groupCommit<number, number>(async (items) => {
    statements.push(items);
    if (gate.hold) await new Promise<void>((r) => (release = r));
    return answer(items);
  }, 3);
  return { write, statements, gate, release: () => release?.() };
}

describe('groupCommit', () => {
  it('sends a lone write on its own, without waiting for company', async () => {
    const { write, statements } = recorder((items) => items.map((i) => i * 10));
    expect(await write(1)).toBe(10);
    expect(statements).toEqual([[1]]);
  });

  it('gathers writes that arrive while a statement is in flight into the next one, each with its own answer', async () => {
    const { write, statements, gate, release } = recorder((items) => items.map((i) => i * 10));
    gate.hold = true;
    const first = write(1);
    await new Promise((r) => setImmediate(r));
    const later = [write(2), write(3), write(4), write(5)];
    await new Promise((r) => setImmediate(r));
    expect(statements).toEqual([[1]]);
    gate.hold = false;
    release();
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40, 50]);
    // At most three per statement, in arrival order.
    expect(statements).toEqual([[1], [2, 3, 4], [5]]);
  });

  it('fails every write of a failed statement and goes on with the next ones', async () => {
    let fail = true;
    const { write } = recorder((items) => {
      if (fail) throw new Error('connection lost');
      return items;
    });
    const failed = [write(1), write(2)].map((p) => p.catch((e: Error) => e.message));
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    fail = false;
    expect(await write(3)).toBe(3);
  });

  it('refuses a statement that answers for fewer writes than it was given', async () => {
    const { write } = recorder(() => [1]);
    const results = await Promise.allSettled([write(1), write(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
