/**
 * Coalesces concurrent single-item calls into batch calls: every touch workflow asks for its
 * own engagement, the CRM receives one batch request per up-to-`maxSize` of them. This is how
 * many small writes fit HubSpot's per-10-second budget.
 */
export interface CoalesceOptions<I, O> {
  maxSize: number;
  /** How long the first item of a batch waits for company. */
  maxWaitMs: number;
  /**
   * Batches allowed in flight at once. When the downstream is slow (a rate budget), new items
   * wait and join bigger batches instead of queueing many small ones. Default unlimited.
   */
  maxInFlight?: number;
  run(items: I[]): Promise<O[]>;
}

export function coalesce<I, O>(options: CoalesceOptions<I, O>): (item: I) => Promise<O> {
  const maxInFlight = options.maxInFlight ?? Infinity;
  const pending: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || inFlight >= maxInFlight) return;
    const batch = pending.splice(0, options.maxSize);
    inFlight++;
    const settle = () => {
      inFlight--;
      if (pending.length >= options.maxSize) flush();
      else if (pending.length > 0) timer ??= setTimeout(flush, options.maxWaitMs);
    };
    options
      .run(batch.map((p) => p.item))
      .finally(settle)
      .then(
        (results) => {
          batch.forEach((p, i) =>
            i < results.length ? p.resolve(results[i] as O) : p.reject(new Error('batch returned too few results')),
          );
        },
        (error: unknown) => batch.forEach((p) => p.reject(error)),
      );
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= options.maxSize) flush();
      else timer ??= setTimeout(flush, options.maxWaitMs);
    });
}
