/**
 * Faults a test (or a demo) switches on in the SMS stand-in: answer the next requests (or those
 * within a time window, or those to one number) with an error status and Twilio error code.
 */
export interface SmsFault {
  /** HTTP status to answer, e.g. 429, 500, 503, 400. */
  status: number;
  /** Twilio error code in the body (default: 20429 for 429, 21211 for 400, 20500 otherwise). */
  code?: number;
  /** Retry-After seconds sent with a 429 (default 1). */
  retryAfterSeconds?: number;
  /** How many matching requests fail (default: unlimited while `forMs` lasts, else 1). */
  times?: number;
  /** Fail matching requests for this long from now. */
  forMs?: number;
  /** Only requests to this number. */
  to?: string;
}

interface ActiveFault extends SmsFault {
  left: number;
  until: number;
}

export function createFaults() {
  let active: ActiveFault[] = [];
  return {
    add(fault: SmsFault) {
      const until = fault.forMs !== undefined ? Date.now() + fault.forMs : Number.POSITIVE_INFINITY;
      const left = fault.times ?? (fault.forMs !== undefined ? Number.POSITIVE_INFINITY : 1);
      active.push({ ...fault, left, until });
    },
    /** The fault that answers this request, if any (and counts it). */
    take(to: string): ActiveFault | undefined {
      const now = Date.now();
      active = active.filter((f) => f.left > 0 && f.until > now);
      const hit = active.find((f) => f.to === undefined || f.to === to);
      if (hit) hit.left -= 1;
      return hit;
    },
    clear() {
      active = [];
    },
  };
}

export function defaultCode(status: number): number {
  if (status === 429) return 20429;
  if (status === 400) return 21211;
  if (status === 401) return 20003;
  return 20500;
}
