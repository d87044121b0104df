import { LocalSlots } from './local-slots.js';
import { CrmError, type CrmErrorCode } from './port.js';
import { SharedSlots, type SlotStore } from './shared-slots.js';

/**
 * Our own request budget for a CRM account. HubSpot counts every call of every process using
 * the token in a rolling 10-second window (search separately, per second); a 429 costs a round
 * trip and the retry decorator of @hubspot/api-client ignores Retry-After. So: keep under the
 * budget, and when a 429 comes anyway, pause every caller until the server says so.
 *
 * Where the slots are counted is the ledger's business: in this process (local-slots.ts, one
 * process on PGlite) or in PostgreSQL for every process of the deployment (shared-slots.ts).
 */

export type CallKind = 'standard' | 'search';

/**
 * Who waits for the call. Interactive: a person (the Slack picker, the Outlook add-in, customer
 * context). Background: logging, sync, dispatch. Background calls never take the slots reserved
 * for interactive ones, so a saturating background load cannot starve a person's read.
 */
export type Traffic = 'interactive' | 'background';

/** A call's hold on the budget, given back once the call is over (its slots then stay counted for a window). */
export interface SlotClaim {
  release(): void;
}

/** Where the budget's slots are counted. */
export interface SlotLedger {
  /** Resolves when a call of this kind may start: a slot in every window it needs, within the traffic's share, no pause. */
  acquire(kind: CallKind, traffic: Traffic): Promise<SlotClaim>;
  /** After a 429: no call of `kind` (after a standard 429, no call at all) starts in the next `ms`. */
  pause(kind: CallKind, ms: number): Promise<void>;
}

/**
 * Slots of a window kept for interactive traffic: `fraction` of it rounded up, never all of it
 * (background keeps at least one), none when the fraction is 0.
 */
export function reservedSlots(max: number, fraction: number): number {
  if (!(fraction > 0)) return 0;
  return Math.max(0, Math.min(max - 1, Math.ceil(max * fraction - 1e-9)));
}

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
  /** Share of each window (0-1) only interactive calls may use (default 0: none). */
  interactiveReserve?: number;
  /**
   * Count slots in this store, shared by every process using it (PostgreSQL, store/rate-slots.ts);
   * unset: in this process.
   */
  slots?: SlotStore;
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
  /** Every request as it ends (lib/metrics.ts): status `ok`, the HTTP code, `timeout`, `network` or `error`. */
  onRequest?(kind: CallKind, traffic: Traffic, status: string): void;
  /** The shared budget could not write something (a release, a pause): it stays safe, only slower. */
  onWarning?(message: string): void;
}

export interface RateBudgetStats {
  /** Calls sent, retries included. */
  requests: number;
  /** 429 answers received. */
  rateLimited: number;
  retried: number;
  timedOut: number;
}

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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How a timed-out call's error begins: the request was not aborted and may still be served. */
export const TIMED_OUT = 'CRM call timed out';

export const isTimeout = (error: unknown) => error instanceof CrmError && error.message.startsWith(TIMED_OUT);

type Settings = Required<Omit<RateBudgetOptions, 'onEvent' | 'onWarning' | 'onRequest' | 'slots'>> &
  Pick<RateBudgetOptions, 'onEvent' | 'onWarning' | 'onRequest' | 'slots'>;

export class RateBudget {
  private readonly ledger: SlotLedger;
  private readonly counters: RateBudgetStats = { requests: 0, rateLimited: 0, retried: 0, timedOut: 0 };
  private readonly options: Settings;
  /** When this process's recent calls started, oldest first: what usedShare() reports. */
  private readonly started: number[] = [];

  constructor(options: RateBudgetOptions) {
    this.options = {
      windowMs: 10_000,
      searchPerSecond: 5,
      interactiveReserve: 0,
      maxRateLimitRetries: 3,
      maxLockedRetries: 3,
      lockedWaitMs: 2_000,
      defaultRetryAfterMs: 1_000,
      timeoutMs: 30_000,
      // An option passed as undefined means "the default", not "none".
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as RateBudgetOptions),
    };
    const o = this.options;
    if (!(o.perWindow >= 1)) throw new Error('perWindow must be at least 1');
    if (!(o.interactiveReserve >= 0 && o.interactiveReserve < 1))
      throw new Error('interactiveReserve must be in [0, 1)');
    const windows = {
      standard: { max: o.perWindow, reserved: reservedSlots(o.perWindow, o.interactiveReserve), windowMs: o.windowMs },
      search: {
        max: o.searchPerSecond,
        reserved: reservedSlots(o.searchPerSecond, o.interactiveReserve),
        windowMs: 1_000,
      },
    };
    this.ledger = o.slots
      ? new SharedSlots(o.slots, windows, {
          // A holder that died never releases: its slots come free once its call would have timed out, plus a window.
          holdMs: o.timeoutMs + o.windowMs,
          onWarning: o.onWarning,
        })
      : new LocalSlots(windows);
  }

  stats(): RateBudgetStats {
    return { ...this.counters };
  }

  /**
   * Share (0-1, more while 429s are retried) of the rolling window's budget the calls this process
   * started in the last window took. The other processes' calls are not in it: on PostgreSQL the
   * deployment's use is the sum over processes.
   */
  usedShare(now = Date.now()): number {
    this.forget(now);
    return this.started.length / this.options.perWindow;
  }

  private forget(now: number) {
    let old = 0;
    while (old < this.started.length && this.started[old]! <= now - this.options.windowMs) old++;
    if (old > 0) this.started.splice(0, old);
  }

  /** Runs `call` within the budget, retrying 429 and 423 answers; other failures become CrmErrors. */
  async run<T>(kind: CallKind, call: () => Promise<T>, traffic: Traffic = 'background'): Promise<T> {
    let rateLimitedAttempts = 0;
    let lockedAttempts = 0;
    for (let attempt = 1; ; attempt++) {
      const claim = await this.ledger.acquire(kind, traffic);
      this.counters.requests++;
      const now = Date.now();
      this.forget(now);
      this.started.push(now);
      let failure: CallFailure;
      try {
        const result = await this.withTimeout(call(), kind, attempt);
        claim.release();
        this.options.onRequest?.(kind, traffic, 'ok');
        return result;
      } catch (error) {
        claim.release();
        if (error instanceof CrmError) {
          this.options.onRequest?.(kind, traffic, isTimeout(error) ? 'timeout' : 'error');
          throw error;
        }
        failure = this.options.describe(error);
        this.options.onRequest?.(kind, traffic, failure.status === undefined ? 'network' : String(failure.status));
      }

      if (failure.status === 429) {
        this.counters.rateLimited++;
        const waitMs = failure.retryAfterMs ?? this.options.defaultRetryAfterMs;
        if (failure.daily) throw new CrmError('CRM_RATE_LIMITED', failure.message, 429, failure.retryAfterMs);
        await this.ledger.pause(kind, waitMs);
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

  private withTimeout<T>(promise: Promise<T>, kind: CallKind, attempt: number): Promise<T> {
    const ms = this.options.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.counters.timedOut++;
        this.options.onEvent?.({ type: 'timeout', kind, waitMs: ms, attempt });
        reject(new CrmError('CRM_UNAVAILABLE', `${TIMED_OUT} after ${ms} ms`));
      }, ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
