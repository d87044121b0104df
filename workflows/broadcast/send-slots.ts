/**
 * Sends one worker process has started (queued for a connection, or on one) and not finished,
 * across all the batches it runs at once: enough to keep the SMTP pool busy, few enough that
 * messages do not pile up in its queue.
 */
export interface SendSlots {
  /** A slot, waiting for one if need be. The returned function gives it back (once). */
  acquire(): Promise<() => void>;
}

export function createSendSlots(size: number): SendSlots {
  let free = size;
  const waiting: (() => void)[] = [];
  const giveBack = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  const releaser = () => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      giveBack();
    };
  };
  return {
    async acquire() {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      return releaser();
    },
  };
}
