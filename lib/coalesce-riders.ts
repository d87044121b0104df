import { inTurns } from './coalesce.js';

/**
 * Group commit with two kinds of items: `urgent` ones someone is blocked on (a message held at its
 * end on an SMTP connection until its ledger claim is written) and `rider` ones nobody waits for
 * in a hurry (the outcome of a message already answered). An urgent item goes in the next
 * statement at once, up to `maxInFlight` statements at a time (a second one does not wait for the
 * first's round trip); riders wait to travel in the next urgent statement, or go on their own
 * after `riderWaitMs` or once `maxSize` of them are waiting. So a stream of claims and outcomes
 * costs about one statement per claim group, not one for the claims and another for the outcomes,
 * and a claim never waits behind a statement that carries only outcomes.
 */
export interface RiderCoalesceOptions<I, O> {
  /** Urgent items per statement, and riders per statement. */
  maxSize: number;
  /** Statements in flight at once. */
  maxInFlight: number;
  /** The longest a rider waits for an urgent item to travel with. */
  riderWaitMs: number;
  /** One statement: urgent items first, then riders; one result per item, in order. */
  run(items: I[]): Promise<O[]>;
}

export interface RiderCoalescer<I, O> {
  urgent(item: I): Promise<O>;
  rider(item: I): Promise<O>;
}

interface Waiting<I, O> {
  item: I;
  resolve(o: O): void;
  reject(e: unknown): void;
}

export function coalesceWithRiders<I, O>(options: RiderCoalesceOptions<I, O>): RiderCoalescer<I, O> {
  const urgent: Waiting<I, O>[] = [];
  const riders: Waiting<I, O>[] = [];
  let inFlight = 0;
  let immediate: NodeJS.Immediate | undefined;
  let riderTimer: NodeJS.Timeout | undefined;
  /** The oldest rider has waited riderWaitMs: riders go even without an urgent item. */
  let ridersDue = false;

  const soon = () => {
    immediate ??= setImmediate(flush);
  };
  const ready = () => urgent.length > 0 || riders.length >= options.maxSize || (ridersDue && riders.length > 0);

  function flush() {
    if (immediate) clearImmediate(immediate);
    immediate = undefined;
    while (inFlight < options.maxInFlight && ready()) {
      const first = urgent.splice(0, options.maxSize);
      const rest = riders.splice(0, options.maxSize);
      if (riders.length === 0) {
        clearTimeout(riderTimer);
        riderTimer = undefined;
        ridersDue = false;
      }
      const batch = [...first, ...rest];
      inFlight++;
      options
        .run(batch.map((w) => w.item))
        .finally(() => {
          inFlight--;
          if (ready()) flush();
        })
        .then(
          (results) => {
            const settle = (w: Waiting<I, O>, i: number) =>
              i < results.length ? w.resolve(results[i] as O) : w.reject(new Error('batch returned too few results'));
            // The blocked callers first, all at once (each only answers its SMTP connection); the
            // riders' callers go on with their own work a few per turn of the event loop.
            first.forEach(settle);
            inTurns(rest, (w, i) => settle(w, first.length + i));
          },
          (error: unknown) => {
            first.forEach((w) => w.reject(error));
            inTurns(rest, (w) => w.reject(error));
          },
        );
    }
  }

  return {
    urgent: (item) =>
      new Promise<O>((resolve, reject) => {
        urgent.push({ item, resolve, reject });
        soon();
      }),
    rider: (item) =>
      new Promise<O>((resolve, reject) => {
        riders.push({ item, resolve, reject });
        if (riders.length >= options.maxSize) soon();
        else
          riderTimer ??= setTimeout(() => {
            riderTimer = undefined;
            ridersDue = true;
            flush();
          }, options.riderWaitMs);
      }),
  };
}
