/**
 * Sends one worker process has between claiming a row and knowing its outcome, across all the
 * batches it runs at once. Held to about what the transports can really have on the wire, so a
 * worker killed mid-dispatch leaves that many rows unconfirmed, not every row queued in a pool.
 */
export interface SendSlots {
  /** A slot now, or null when all are taken. */
  tryAcquire(): (() => void) | null;
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
    tryAcquire() {
      if (free === 0) return null;
      free -= 1;
      return releaser();
    },
    async acquire() {
      if (free > 0) free -= 1;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      return releaser();
    },
  };
}
