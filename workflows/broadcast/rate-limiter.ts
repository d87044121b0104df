/**
 * Per-channel send rate of this worker process: callers queue for evenly spaced slots. One
 * process owns one budget, like the CRM's; with several workers give each its share.
 */
export function createRateLimiter(perSecond: number): () => Promise<void> {
  const spacing = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = Date.now();
    const at = Math.max(now, next);
    next = at + spacing;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  };
}
