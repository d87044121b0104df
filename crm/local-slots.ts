import type { CallKind, SlotClaim, SlotLedger, Traffic } from './rate-budget.js';

/** One window of the budget: its size, the slots only interactive calls may use, its length. */
export interface WindowLimits {
  max: number;
  reserved: number;
  windowMs: number;
}

/**
 * A rolling window where a slot stays taken from the moment a call starts until windowMs after
 * it finished: the server saw the call somewhere in between, so this never undercounts.
 */
export class SlotWindow {
  private inFlight = 0;
  private finished: number[] = [];

  constructor(readonly limits: WindowLimits) {}

  /** The most slots calls of this traffic may have taken at once: background leaves the reserve alone. */
  limit(traffic: Traffic): number {
    return traffic === 'interactive' ? this.limits.max : this.limits.max - this.limits.reserved;
  }

  /** 0 when `traffic` may take a slot now; ms until it may; Infinity when only a running call can free one. */
  waitMs(now: number, traffic: Traffic): number {
    while (this.finished.length > 0 && this.finished[0]! <= now - this.limits.windowMs) this.finished.shift();
    // Slots that must come free first (interactive calls may hold more than background's limit).
    const excess = this.inFlight + this.finished.length - this.limit(traffic) + 1;
    if (excess <= 0) return 0;
    return excess <= this.finished.length ? this.finished[excess - 1]! + this.limits.windowMs - now : Infinity;
  }

  take() {
    this.inFlight++;
  }

  release(now: number) {
    this.inFlight--;
    this.finished.push(now);
  }
}

/**
 * The budget of one process (the default, and what a PGlite deployment runs: one process).
 * Callers of one kind and traffic queue in order; the head waits for a free slot in every window
 * it needs. Interactive callers queue apart from background ones, so they never wait behind them.
 */
export class LocalSlots implements SlotLedger {
  private readonly windows: Record<CallKind, SlotWindow[]>;
  private readonly pausedUntil: Record<CallKind, number> = { standard: 0, search: 0 };
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly released = new Set<() => void>();

  constructor(limits: Record<CallKind, WindowLimits>) {
    const main = new SlotWindow(limits.standard);
    this.windows = { standard: [main], search: [main, new SlotWindow(limits.search)] };
  }

  acquire(kind: CallKind, traffic: Traffic): Promise<SlotClaim> {
    const key = `${kind}:${traffic}`;
    const turn = (this.queues.get(key) ?? Promise.resolve()).then(() => this.waitForSlot(kind, traffic));
    this.queues.set(
      key,
      turn.catch(() => undefined),
    );
    return turn;
  }

  /** A standard-window 429 stops everyone (searches use that window too); a search 429 only searches. */
  pause(kind: CallKind, ms: number): Promise<void> {
    const until = Date.now() + ms;
    const kinds: CallKind[] = kind === 'standard' ? ['standard', 'search'] : ['search'];
    for (const k of kinds) this.pausedUntil[k] = Math.max(this.pausedUntil[k], until);
    return Promise.resolve();
  }

  private async waitForSlot(kind: CallKind, traffic: Traffic): Promise<SlotClaim> {
    for (;;) {
      const now = Date.now();
      const paused = this.pausedUntil[kind] - now;
      const waitMs = Math.max(paused, ...this.windows[kind].map((w) => w.waitMs(now, traffic)));
      if (waitMs <= 0) {
        for (const w of this.windows[kind]) w.take();
        let released = false;
        return {
          release: () => {
            if (released) return;
            released = true;
            this.release(kind);
          },
        };
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.released.delete(wake);
          resolve();
        };
        const timer = Number.isFinite(waitMs) ? setTimeout(wake, waitMs) : undefined;
        // A finished call may free a slot sooner (or at all, when every slot is a running call).
        this.released.add(wake);
      });
    }
  }

  private release(kind: CallKind) {
    const now = Date.now();
    for (const w of this.windows[kind]) w.release(now);
    for (const wake of [...this.released]) wake();
  }
}
