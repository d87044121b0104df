import type { SendRateStore } from '../../store/send-rates.js';

/** Resolves when the caller may send its next message on the channel. */
export type SendPacer = () => Promise<void>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Per-channel send rate of this worker process: callers queue for evenly spaced slots. Enough
 * for one worker (PGlite runs one); with several workers on PostgreSQL, createSharedRateLimiter.
 */
export function createRateLimiter(perSecond: number): SendPacer {
  const spacing = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + spacing;
    if (at > now) await sleep(at - now);
  };
}

export interface SharedRateOptions {
  /** One lease reaches at most this far ahead (default 100 ms of the rate). */
  leaseMs?: number;
}

/**
 * A channel's rate shared by every worker on the database: the same evenly spaced slots as
 * createRateLimiter, leased a few at a time from PostgreSQL (store/send-rates.ts), so N workers
 * together stay within the rate. A lease takes one slot per caller (lane) at work, up to leaseMs
 * of the rate (at 50/s with the dispatch lanes busy: one statement per 5 sends), and the next is
 * asked for when half are used, so lanes do not wait a round trip for it. Leasing by the callers
 * at work, not by the rate, keeps a worker that sends slower than the rate from booking the
 * schedule far ahead of the others.
 *
 * A slot is used at its time or not at all: slots that passed while nobody was there to use them
 * (a stalled worker, the end of a batch) are dropped, never sent in a burst later. That can only
 * send less than the rate, never more.
 */
export function createSharedRateLimiter(
  store: Pick<SendRateStore, 'lease'>,
  channel: string,
  perSecond: number,
  options: SharedRateOptions = {},
): SendPacer {
  const spacing = 1000 / perSecond;
  const maxLease = Math.max(1, Math.floor(((options.leaseMs ?? 100) * perSecond) / 1000));
  /** Local times of leased slots, ascending. */
  const slots: number[] = [];
  let leasing: Promise<void> | undefined;
  let waiting = 0;

  const lease = async (count: number) => {
    // The first slot is `firstMs` after the database answered; counting from when the answer
    // arrived puts every slot a little later than the database's, never earlier.
    const firstMs = await store.lease(channel, count, spacing);
    const first = Date.now() + firstMs;
    for (let i = 0; i < count; i++) slots.push(first + i * spacing);
  };

  const startLease = () => {
    if (leasing) return leasing;
    leasing = lease(Math.min(maxLease, waiting)).finally(() => (leasing = undefined));
    // A lease nobody waits for yet may fail unseen: the callers that need it ask again and see why.
    leasing.catch(() => undefined);
    return leasing;
  };

  return async () => {
    waiting++;
    try {
      for (;;) {
        const now = Date.now();
        while (slots.length > 0 && slots[0]! < now - spacing) slots.shift();
        const at = slots.shift();
        if (at !== undefined) {
          // Running low while callers keep coming: the next lease is on its way before they find none.
          if (slots.length < waiting / 2) void startLease();
          if (at > now) await sleep(at - now);
          return;
        }
        await startLease();
      }
    } finally {
      waiting--;
    }
  };
}
