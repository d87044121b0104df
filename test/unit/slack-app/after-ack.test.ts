import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAfterAck } from '../../../slack-app/after-ack.js';

const logger = { error: vi.fn() };

afterEach(() => {
  vi.useRealTimers();
  logger.error.mockReset();
});

/** A clock the queue reads, moved together with vitest's fake timers. */
function setup(options: Parameters<typeof createAfterAck>[1] = {}) {
  vi.useFakeTimers();
  const queue = createAfterAck(logger, { now: () => Date.now(), ...options });
  const ran: string[] = [];
  const job = (name: string) => () => {
    ran.push(name);
    return Promise.resolve();
  };
  return { queue, ran, job };
}

describe('after-ack queue', () => {
  it('holds follow-ups until every request of the burst is answered and none came in for quietMs', async () => {
    const { queue, ran, job } = setup({ quietMs: 10 });
    queue.arrived();
    queue.later('first', job('first'));
    await vi.advanceTimersByTimeAsync(50);
    expect(ran).toEqual([]); // its request still waits for the ack
    queue.answered();
    queue.arrived(); // the burst goes on
    await vi.advanceTimersByTimeAsync(3);
    queue.answered();
    await vi.advanceTimersByTimeAsync(6);
    expect(ran).toEqual([]); // 9 ms since the last request came in
    await vi.advanceTimersByTimeAsync(2);
    expect(ran).toEqual(['first']);
  });

  it('work that opens a modal goes first, and never waits past its shorter hold', async () => {
    const { queue, ran, job } = setup({ quietMs: 10, urgentMaxHoldMs: 100, maxHoldMs: 1000 });
    queue.arrived(); // a request that is never answered: the loop is busy for good
    queue.later('card', job('card'));
    queue.urgent('modal', job('modal'));
    await vi.advanceTimersByTimeAsync(99);
    expect(ran).toEqual([]);
    await vi.advanceTimersByTimeAsync(2);
    expect(ran).toEqual(['modal']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(ran).toEqual(['modal', 'card']);
  });

  it('starts a few per turn of the event loop and limits ordinary follow-ups running at once', async () => {
    const { queue, ran } = setup({ quietMs: 0, startsPerTurn: 2, maxRunning: 3 });
    const release: (() => void)[] = [];
    for (let i = 0; i < 6; i++)
      queue.later(`w${i}`, () => {
        ran.push(`w${i}`);
        return new Promise<void>((r) => release.push(r));
      });
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['w0', 'w1', 'w2']); // two in the first turn, one in the next; then maxRunning
    release.shift()!();
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toEqual(['w0', 'w1', 'w2', 'w3']);
    release.splice(0).forEach((r) => r());
    await vi.advanceTimersByTimeAsync(1);
    release.splice(0).forEach((r) => r());
    await vi.advanceTimersByTimeAsync(1);
    expect(ran).toHaveLength(6);
    release.splice(0).forEach((r) => r());
    await expect(queue.drained()).resolves.toBeUndefined();
  });

  it('a failing follow-up is logged, not thrown; the rest go on', async () => {
    const { queue, ran, job } = setup({ quietMs: 0 });
    queue.later('boom', () => Promise.reject(new Error('Web API down')));
    queue.later('sync throw', () => {
      throw new Error('bug');
    });
    queue.later('after', job('after'));
    await vi.advanceTimersByTimeAsync(5);
    expect(ran).toEqual(['after']);
    expect(logger.error).toHaveBeenCalledTimes(2);
    expect(logger.error.mock.calls[0]![0]).toMatchObject({ what: 'boom' });
  });
});
