/**
 * Coalesces concurrent single-item calls into batch calls: every touch workflow asks for its
 * own engagement, the CRM receives one batch request per up-to-`maxSize` of them (this is how
 * many small writes fit HubSpot's per-10-second budget); every sending lane records its outcome,
 * the ledger receives one statement for all lanes waiting (see store/deliveries.ts).
 */
export interface CoalesceOptions<I, O> {
  maxSize: number;
  /**
   * How long the first item of a batch waits for company. 0: no timer, the batch goes after the
   * current turn of the event loop (group commit: with maxInFlight 1, the items that arrive while a
   * batch is in flight form the next one).
   */
  maxWaitMs: number;
  /**
   * Batches allowed in flight at once. When the downstream is slow (a rate budget), new items
   * wait and join bigger batches instead of queueing many small ones. Default unlimited.
   */
  maxInFlight?: number;
  run(items: I[]): Promise<O[]>;
}

/**
 * Callers of one batch resumed per turn of the event loop. Each caller goes on with its own work
 * on this thread (a workflow activity writes the store and reports to Temporal, a Slack modal is
 * built and sent); a hundred of them in one go would keep the event loop from reading anything
 * else, Slack's requests included, until all are done.
 */
const RESUMED_PER_TURN = 5;

export function inTurns<T>(items: T[], resume: (item: T, index: number) => void, from = 0): void {
  const end = Math.min(from + RESUMED_PER_TURN, items.length);
  for (let i = from; i < end; i++) resume(items[i]!, i);
  if (end < items.length) setImmediate(() => inTurns(items, resume, end));
}

export function coalesce<I, O>(options: CoalesceOptions<I, O>): (item: I) => Promise<O> {
  const maxInFlight = options.maxInFlight ?? Infinity;
  const pending: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  let inFlight = 0;

  const cancel = () => {
    if (options.maxWaitMs > 0) clearTimeout(timer as NodeJS.Timeout | undefined);
    else clearImmediate(timer as NodeJS.Immediate | undefined);
    timer = undefined;
  };
  const later = () => {
    timer ??= options.maxWaitMs > 0 ? setTimeout(flush, options.maxWaitMs) : setImmediate(flush);
  };
  const flush = () => {
    cancel();
    if (pending.length === 0 || inFlight >= maxInFlight) return;
    const batch = pending.splice(0, options.maxSize);
    inFlight++;
    const settle = () => {
      inFlight--;
      if (pending.length >= options.maxSize) flush();
      else if (pending.length > 0) later();
    };
    options
      .run(batch.map((p) => p.item))
      .finally(settle)
      .then(
        (results) =>
          inTurns(batch, (p, i) =>
            i < results.length ? p.resolve(results[i] as O) : p.reject(new Error('batch returned too few results')),
          ),
        (error: unknown) => inTurns(batch, (p) => p.reject(error)),
      );
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= options.maxSize) flush();
      else later();
    });
}
