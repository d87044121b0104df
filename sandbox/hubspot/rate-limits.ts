/** A rolling-window counter: at most `max` accepted requests in any `windowMs`. */
export class RollingWindow {
  private hits: number[] = [];

  constructor(
    public max: number,
    readonly windowMs: number,
  ) {}

  private prune(now: number) {
    let drop = 0;
    while (drop < this.hits.length && this.hits[drop]! <= now - this.windowMs) drop++;
    if (drop > 0) this.hits.splice(0, drop);
  }

  /** Counts the request when there is room; otherwise says when there will be. */
  take(now: number): { ok: true; remaining: number } | { ok: false; retryAfterMs: number } {
    this.prune(now);
    if (this.hits.length >= this.max) {
      return { ok: false, retryAfterMs: Math.max(1, this.hits[0]! + this.windowMs - now) };
    }
    this.hits.push(now);
    return { ok: true, remaining: this.max - this.hits.length };
  }

  reset() {
    this.hits = [];
  }
}

/** Calls per UTC day, like HubSpot's daily limit (which resets at midnight in the account's time zone). */
export class DailyCounter {
  private day = '';
  private count = 0;

  constructor(public max: number) {}

  take(now: number): { ok: boolean; remaining: number } {
    const day = new Date(now).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.count = 0;
    }
    if (this.count >= this.max) return { ok: false, remaining: 0 };
    this.count++;
    return { ok: true, remaining: this.max - this.count };
  }

  reset() {
    this.count = 0;
  }
}

/**
 * The most requests seen in any rolling window: after each request, the count in the window
 * ending then (the busiest window always ends at a request).
 */
export class PeakWindow {
  private hits: number[] = [];
  peak = 0;

  constructor(readonly windowMs: number) {}

  add(now: number) {
    let drop = 0;
    while (drop < this.hits.length && this.hits[drop]! <= now - this.windowMs) drop++;
    if (drop > 0) this.hits.splice(0, drop);
    this.hits.push(now);
    this.peak = Math.max(this.peak, this.hits.length);
  }

  reset() {
    this.hits = [];
    this.peak = 0;
  }
}
