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
  /** A slot may still be used this late (default 20 ms, or one spacing when that is longer). */
  latenessMs?: number;
}

/**
 * A channel's rate shared by every worker on the database: the same evenly spaced slots as
 * createRateLimiter, leased a few at a time from PostgreSQL (store/send-rates.ts), so N workers
 * together stay within the rate.
 *
 * How many slots a lease takes follows the worker's own demand: one per caller (lane) waiting,
 * or as many as it used in the last `latenessMs` when that is more, never more than `leaseMs` of
 * the rate. At 50/s with dispatch lanes waiting that is 5 slots per statement; at a rate far above
 * what the worker sends (EMAIL_RATE_PER_SECOND=10000 as "no limit"), a few dozen. The next lease
 * is asked for when half are used, so lanes do not wait a round trip. Following demand rather
 * than the rate keeps a worker that sends slower than the rate from booking the schedule ahead
 * of the others.
 *
 * A slot is used at its time, or a little later (`latenessMs`, at least one spacing), never
 * earlier; slots later than that (a stalled worker, the end of a batch) are dropped, never sent
 * in a burst: in any window of W ms a deployment sends at most rate x (W + lateness) + 1.
 */
export function createSharedRateLimiter(
  store: Pick<SendRateStore, 'lease'>,
  channel: string,
  perSecond: number,
  options: SharedRateOptions = {},
): SendPacer {
  const spacing = 1000 / perSecond;
  const maxLease = Math.max(1, Math.floor(((options.leaseMs ?? 100) * perSecond) / 1000));
  const lateness = Math.max(spacing, options.latenessMs ?? 20);
  /** Local times of leased slots, ascending. */
  const slots: number[] = [];
  let leasing: Promise<void> | undefined;
  let waiting = 0;
  /** Slots used since the last lease, and since when: the worker's own pace. */
  let used = 0;
  let since = Date.now();

  const lease = async (count: number) => {
    // The first slot is `firstMs` after the database answered; counting from when the answer
    // arrived puts every slot a little later than the database's, never earlier.
    const firstMs = await store.lease(channel, count, spacing);
    const first = Date.now() + firstMs;
    for (let i = 0; i < count; i++) slots.push(first + i * spacing);
  };

  const startLease = () => {
    if (leasing) return leasing;
    const now = Date.now();
    const pace = used / Math.max(1, now - since); // slots a ms
    used = 0;
    since = now;
    const count = Math.min(maxLease, Math.max(waiting, Math.ceil(pace * lateness)));
    leasing = lease(count).finally(() => (leasing = undefined));
    // A lease nobody waits for yet may fail unseen: the callers that need it ask again and see why.
    leasing.catch(() => undefined);
    return leasing;
  };

  return async () => {
    waiting++;
    try {
      for (;;) {
        const now = Date.now();
        while (slots.length > 0 && slots[0]! < now - lateness) slots.shift();
        const at = slots.shift();
        if (at !== undefined) {
          used++;
          // Running low while callers keep coming: the next lease is on its way before they find none.
          if (slots.length < Math.max(waiting, 2) / 2) void startLease();
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
