/**
 * Longest a single send waits for a provider's Retry-After before giving up with a retryable
 * error. Dispatch heartbeats between sends and its heartbeat timeout is 2 minutes; a longer
 * wait is better spent by the activity's own retry backoff than by a blocked lane.
 */
export const MAX_INLINE_WAIT_SECONDS = 20;

/**
 * One provider's "come back later", shared by every lane of the process: after a 429 nobody
 * calls until Retry-After has passed, instead of each lane collecting its own 429 first.
 */
export function createProviderPause(sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
  let until = 0;
  return {
    /**
     * Waits until the provider is willing again (at once when it never said otherwise); false,
     * without waiting, while it asked for longer than one send may block.
     */
    async ready(): Promise<boolean> {
      const wait = until - Date.now();
      if (wait > MAX_INLINE_WAIT_SECONDS * 1000) return false;
      if (wait > 0) await sleep(wait);
      return true;
    },
    secondsLeft(): number {
      return Math.max(0, Math.ceil((until - Date.now()) / 1000));
    },
    /** Records a Retry-After; true when it is short enough to wait for inside this send. */
    pauseFor(seconds: number): boolean {
      const s = Number.isFinite(seconds) && seconds > 0 ? seconds : 1;
      until = Math.max(until, Date.now() + s * 1000);
      return s <= MAX_INLINE_WAIT_SECONDS;
    },
  };
}

export type ProviderPause = ReturnType<typeof createProviderPause>;
