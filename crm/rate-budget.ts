import { CrmError, type CrmErrorCode } from './port.js';

/**
 * Our own request budget for a CRM account. HubSpot counts every call of every process using
 * the token in a rolling 10-second window (search separately, per second); a 429 costs a round
 * trip and the retry decorator of @hubspot/api-client ignores Retry-After. So: keep under the
 * budget, and when a 429 comes anyway, pause every caller until the server says so.
 */

export type CallKind = 'standard' | 'search';

/** What the budget needs to know about a failed call. */
export interface CallFailure {
  /** HTTP status; absent for network errors and timeouts. */
  status?: number;
  message: string;
  retryAfterMs?: number;
  /** The daily quota is spent: waiting seconds will not help. */
  daily?: boolean;
}

export interface BudgetEvent {
  type: 'rate-limited' | 'locked' | 'timeout';
  kind: CallKind;
  waitMs: number;
  attempt: number;
}

export interface RateBudgetOptions {
  /** Calls allowed in any rolling window (HubSpot private apps: 100, 190 or 250 per 10 s). */
  perWindow: number;
  windowMs?: number;
  /** Search calls per second (HubSpot: 5); a search also counts against the main window. */
  searchPerSecond?: number;
  /** 429s retried transparently before CRM_RATE_LIMITED reaches the caller. */
  maxRateLimitRetries?: number;
  /** 423 Locked answers retried (after lockedWaitMs each) before CRM_UNAVAILABLE. */
  maxLockedRetries?: number;
  lockedWaitMs?: number;
  /** Pause after a 429 that carries no Retry-After. */
  defaultRetryAfterMs?: number;
  /** A call still running after this fails with CRM_UNAVAILABLE. */
  timeoutMs?: number;
  /** Turns whatever the client library threw into a CallFailure. */
  describe(error: unknown): CallFailure;
  onEvent?(event: BudgetEvent): void;
}

export interface RateBudgetStats {
  /** Calls sent, retries included. */
  requests: number;
  /** 429 answers received. */
  rateLimited: number;
  retried: number;
  timedOut: number;
}

/**
 * A rolling window where a slot stays taken from the moment a call starts until windowMs after
 * it finished: the server saw the call somewhere in between, so this never undercounts.
 */
class SlotWindow {
  private inFlight = 0;
  private finished: number[] = [];

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** 0 when a slot is free now; ms until one frees; Infinity when only a running call can free one. */
  waitMs(now: number): number {
    while (this.finished.length > 0 && this.finished[0]! <= now - this.windowMs) this.finished.shift();
    if (this.inFlight + this.finished.length < this.max) return 0;
    return this.finished.length > 0 ? this.finished[0]! + this.windowMs - now : Infinity;
  }

  take() {
    this.inFlight++;
  }

  release(now: number) {
    this.inFlight--;
    this.finished.push(now);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const CODES: [(status: number) => boolean, CrmErrorCode][] = [
  [(s) => s === 404, 'CRM_NOT_FOUND'],
  [(s) => s === 409, 'CRM_CONFLICT'],
  [(s) => s === 401 || s === 403, 'CRM_AUTH'],
  [(s) => s === 429, 'CRM_RATE_LIMITED'],
  // 423 locked, 477 migration in progress, 5xx: the CRM will be back; let the caller retry later.
  [(s) => s === 423 || s === 477 || s >= 500, 'CRM_UNAVAILABLE'],
  [(s) => s >= 400, 'CRM_BAD_REQUEST'],
];

/** The CrmError for a failure: 5xx and network errors are retryable, 4xx are not (except 429). */
export function toCrmError(failure: CallFailure): CrmError {
  if (failure.status === undefined) return new CrmError('CRM_UNAVAILABLE', failure.message);
  const code = CODES.find(([test]) => test(failure.status!))?.[1] ?? 'CRM_UNAVAILABLE';
  return new CrmError(code, failure.message, failure.status, failure.retryAfterMs);
}

export class RateBudget {
  private readonly windows: Record<CallKind, SlotWindow[]>;
  private readonly pausedUntil: Record<CallKind, number> = { standard: 0, search: 0 };
  private readonly queues: Record<CallKind, Promise<void>> = { standard: Promise.resolve(), search: Promise.resolve() };
  private readonly released = new Set<() => void>();
  private readonly counters: RateBudgetStats = { requests: 0, rateLimited: 0, retried: 0, timedOut: 0 };
  private readonly options: Required<Omit<RateBudgetOptions, 'onEvent'>> & Pick<RateBudgetOptions, 'onEvent'>;

  constructor(options: RateBudgetOptions) {
    this.options = {
      windowMs: 10_000,
      searchPerSecond: 5,
      maxRateLimitRetries: 3,
      maxLockedRetries: 3,
      lockedWaitMs: 2_000,
      defaultRetryAfterMs: 1_000,
      timeoutMs: 30_000,
      // An option passed as undefined means "the default", not "none".
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RateBudgetOptions),
    };
    if (!(this.options.perWindow >= 1)) throw new Error('perWindow must be at least 1');
    const main = new SlotWindow(this.options.perWindow, this.options.windowMs);
    this.windows = { standard: [main], search: [main, new SlotWindow(this.options.searchPerSecond, 1_000)] };
  }

  stats(): RateBudgetStats {
    return { ...this.counters };
  }

  /** Runs `call` within the budget, retrying 429 and 423 answers; other failures become CrmErrors. */
  async run<T>(kind: CallKind, call: () => Promise<T>): Promise<T> {
    let rateLimitedAttempts = 0;
    let lockedAttempts = 0;
    for (let attempt = 1; ; attempt++) {
      await this.acquire(kind);
      this.counters.requests++;
      let failure: CallFailure;
      try {
        const result = await this.withTimeout(call(), kind, attempt);
        this.release(kind);
        return result;
      } catch (error) {
        this.release(kind);
        if (error instanceof CrmError) throw error;
        failure = this.options.describe(error);
      }

      if (failure.status === 429) {
        this.counters.rateLimited++;
        const waitMs = failure.retryAfterMs ?? this.options.defaultRetryAfterMs;
        if (failure.daily) throw new CrmError('CRM_RATE_LIMITED', failure.message, 429, failure.retryAfterMs);
        this.pause(kind, Date.now() + waitMs);
        this.options.onEvent?.({ type: 'rate-limited', kind, waitMs, attempt });
        if (rateLimitedAttempts++ < this.options.maxRateLimitRetries) {
          this.counters.retried++;
          continue;
        }
        throw new CrmError('CRM_RATE_LIMITED', failure.message, 429, waitMs);
      }
      if (failure.status === 423 && lockedAttempts++ < this.options.maxLockedRetries) {
        this.options.onEvent?.({ type: 'locked', kind, waitMs: this.options.lockedWaitMs, attempt });
        this.counters.retried++;
        await sleep(this.options.lockedWaitMs);
        continue;
      }
      throw toCrmError(failure);
    }
  }

  /** A standard-window 429 stops everyone (searches use that window too); a search 429 only searches. */
  private pause(kind: CallKind, until: number) {
    const kinds: CallKind[] = kind === 'standard' ? ['standard', 'search'] : ['search'];
    for (const k of kinds) this.pausedUntil[k] = Math.max(this.pausedUntil[k], until);
  }

  /** Callers of one kind queue in order; the head waits for a free slot in every window it needs. */
  private acquire(kind: CallKind): Promise<void> {
    const turn = this.queues[kind].then(() => this.waitForSlot(kind));
    this.queues[kind] = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(kind: CallKind) {
    for (;;) {
      const now = Date.now();
      const paused = this.pausedUntil[kind] - now;
      const waitMs = Math.max(paused, ...this.windows[kind].map((w) => w.waitMs(now)));
      if (waitMs <= 0) {
        for (const w of this.windows[kind]) w.take();
        return;
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

  private withTimeout<T>(promise: Promise<T>, kind: CallKind, attempt: number): Promise<T> {
    const ms = this.options.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.counters.timedOut++;
        this.options.onEvent?.({ type: 'timeout', kind, waitMs: ms, attempt });
        reject(new CrmError('CRM_UNAVAILABLE', `CRM call timed out after ${ms} ms`));
      }, ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
