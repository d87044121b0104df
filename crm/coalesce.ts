/**
 * Coalesces concurrent single-item calls into batch calls: every touch workflow asks for its
 * own engagement, the CRM receives one batch request per up-to-`maxSize` of them. This is how
 * many small writes fit HubSpot's per-10-second budget.
 */
export interface CoalesceOptions<I, O> {
  maxSize: number;
  /** How long the first item of a batch waits for company. */
  maxWaitMs: number;
  run(items: I[]): Promise<O[]>;
}

export function coalesce<I, O>(options: CoalesceOptions<I, O>): (item: I) => Promise<O> {
  let pending: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    options.run(batch.map((p) => p.item)).then(
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
