/**
 * Faults a test switches on in the Slack stand-in: answer the next calls (of one method, or any)
 * with HTTP 429 `ratelimited` and a Retry-After, or with a 5xx, as Slack does under load.
 */
export interface SlackFault {
  /** Only calls of this method, e.g. 'chat.postMessage'; any method when unset. */
  method?: string;
  /** 429 (ratelimited, with Retry-After) or a 5xx. */
  status: 429 | 500 | 502 | 503;
  retryAfterSeconds?: number;
  /** How many matching calls fail (default: unlimited while `forMs` lasts, else 1). */
  times?: number;
  /** Fail matching calls for this long from now. */
  forMs?: number;
}

interface ActiveFault extends SlackFault {
  left: number;
  until: number;
}

export function createSlackFaults() {
  let active: ActiveFault[] = [];
  return {
    add(fault: SlackFault) {
      const until = fault.forMs !== undefined ? Date.now() + fault.forMs : Number.POSITIVE_INFINITY;
      const left = fault.times ?? (fault.forMs !== undefined ? Number.POSITIVE_INFINITY : 1);
      active.push({ ...fault, left, until });
    },
    /** The fault that answers this call, if any (and counts it). */
    take(method: string): ActiveFault | undefined {
      const now = Date.now();
      active = active.filter((f) => f.left > 0 && f.until > now);
      const hit = active.find((f) => f.method === undefined || f.method === method);
      if (hit) hit.left -= 1;
      return hit;
    },
    clear() {
      active = [];
    },
  };
}
