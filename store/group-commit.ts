/**
 * Concurrent single-row writes as one statement. The first write goes out after the current turn
 * of the event loop; writes that arrive while a statement is in flight go together in the next.
 * Nobody waits on a timer: an idle ledger answers one lane as fast as before, a busy one (twenty
 * sending lanes in a worker) commits their rows a dozen at a time instead of one round trip and
 * one commit each.
 */
export function groupCommit<I, O>(run: (items: I[]) => Promise<O[]>, maxSize = 100): (item: I) => Promise<O> {
  const queue: { item: I; resolve(o: O): void; reject(e: unknown): void }[] = [];
  let inFlight = false;
  let scheduled = false;

  const schedule = () => {
    if (scheduled || inFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };
  const flush = () => {
    scheduled = false;
    const batch = queue.splice(0, maxSize);
    inFlight = true;
    run(batch.map((p) => p.item))
      .then((results) => {
        if (results.length !== batch.length)
          throw new Error(`group commit: ${results.length} results for ${batch.length} writes`);
        batch.forEach((p, i) => p.resolve(results[i]!));
      })
      .catch((error: unknown) => batch.forEach((p) => p.reject(error)))
      .finally(() => {
        inFlight = false;
        schedule();
      });
  };

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
