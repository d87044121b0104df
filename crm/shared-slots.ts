import type { WindowLimits } from './local-slots.js';
import { CrmError } from './port.js';
import type { CallKind, SlotClaim, SlotLedger, Traffic } from './rate-budget.js';

/** A slot this process holds, and the lease (unique to the take that got it) that proves it. */
export interface HeldSlot {
  slot: number;
  lease: string;
}

export interface TakeRequest {
  /** Slots 0 .. to-1 may be taken: background stops below the interactive reserve at the top. */
  to: number;
  /** At most this many (one per caller waiting here). */
  want: number;
  /** Highest-numbered first: interactive calls use their reserve before the slots background needs. */
  highFirst: boolean;
  /** A slot never released (its holder died) comes free after this long. */
  holdMs: number;
}

export interface TakeResult {
  taken: HeldSlot[];
  /** The pool is paused by a 429 for this much longer (0: not paused); nothing was taken. */
  pausedMs: number;
  /** When fewer were taken than wanted: ms until the next slot of the range comes free; null: none is due. */
  nextFreeMs: number | null;
}

/**
 * The slot rows every process shares (implemented on PostgreSQL by store/rate-slots.ts; wired by
 * main/). Each method is one statement.
 */
export interface SlotStore {
  /** Slot rows 0 .. count-1 of the pool exist. */
  ensure(pool: string, count: number): Promise<void>;
  /** Takes free slots now; they stay taken for holdMs unless released. */
  take(pool: string, request: TakeRequest): Promise<TakeResult>;
  /** The calls are over: each slot comes free a full window from now (the store's clock). */
  release(pool: string, held: HeldSlot[], windowMs: number): Promise<void>;
  /** Nobody takes a slot of the pool in the next `ms` (a 429). */
  pause(pool: string, ms: number): Promise<void>;
}

export interface SharedSlotsOptions {
  /** A slot whose holder never releases it (the process died) comes free after this long. */
  holdMs: number;
  /** Pool names in the store (default hubspot, hubspot:search). */
  pools?: Record<CallKind, string>;
  /** Something could not be written (a release, a pause); the budget stays safe, only slower. */
  onWarning?(message: string): void;
}

/** Retry soon when every free slot was being taken by another process at the same moment. */
const CONTENDED_RETRY_MS = 10;

/**
 * The budget of the whole deployment: the slots live in PostgreSQL rows (one per slot of the
 * window), so every process counts against one portal budget. Semantics are those of the
 * in-process budget: a slot is taken from just before a call starts until a window after it
 * finished, by the database's clock; a 429 is stored as a pause that every process honours.
 *
 * Overhead per call is kept to about two short statements and often less: a process takes slots
 * for all its callers waiting at that moment in one statement, and gives back all the slots of
 * calls that finished meanwhile in one more. It never takes slots ahead of need, so no process
 * sits on slots another could use. A search takes a search slot, then a standard slot.
 */
export class SharedSlots implements SlotLedger {
  private readonly pools: Record<CallKind, SharedPool>;

  constructor(store: SlotStore, limits: Record<CallKind, WindowLimits>, options: SharedSlotsOptions) {
    const names = options.pools ?? { standard: 'hubspot', search: 'hubspot:search' };
    this.pools = {
      standard: new SharedPool(store, names.standard, limits.standard, options),
      search: new SharedPool(store, names.search, limits.search, options),
    };
  }

  async acquire(kind: CallKind, traffic: Traffic): Promise<SlotClaim> {
    if (kind === 'standard') return this.pools.standard.acquire(traffic);
    const search = await this.pools.search.acquire(traffic);
    try {
      const standard = await this.pools.standard.acquire(traffic);
      return {
        release: () => {
          search.release();
          standard.release();
        },
      };
    } catch (error) {
      search.release();
      throw error;
    }
  }

  /** A standard 429 pauses the standard pool, which searches need too; a search 429 only searches. */
  pause(kind: CallKind, ms: number): Promise<void> {
    return this.pools[kind].pause(ms);
  }
}

interface Waiter {
  resolve(claim: SlotClaim): void;
  reject(error: Error): void;
}

/** One window (pool) of the shared budget, as this process sees it. */
class SharedPool {
  private readonly waiting: Record<Traffic, Waiter[]> = { interactive: [], background: [] };
  private pumping = false;
  private wake: (() => void) | undefined;
  private pausedUntil = 0;
  private ready: Promise<void> | undefined;
  private readonly releases: HeldSlot[] = [];
  private flushing = false;
  private readonly batchMax: number;

  constructor(
    private readonly store: SlotStore,
    private readonly pool: string,
    private readonly limits: WindowLimits,
    private readonly options: SharedSlotsOptions,
  ) {
    // Enough for every caller waiting at once in a busy process; a quarter of the window keeps one
    // process from taking a whole freshly opened window in one go.
    this.batchMax = Math.max(1, Math.ceil(limits.max / 4));
  }

  acquire(traffic: Traffic): Promise<SlotClaim> {
    return new Promise<SlotClaim>((resolve, reject) => {
      const queue = this.waiting[traffic];
      queue.push({ resolve, reject });
      // The pump may be asleep until a slot of the other traffic's range frees: a newcomer of this
      // traffic asks now (an interactive call must not sleep through background's wait).
      if (queue.length === 1) this.wake?.();
      void this.pump();
    });
  }

  async pause(ms: number): Promise<void> {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    await this.store
      .pause(this.pool, ms)
      .catch((error: Error) => this.options.onWarning?.(`could not share a CRM pause: ${error.message}`));
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.ready ??= this.store.ensure(this.pool, this.limits.max);
      await this.ready;
      while (this.waiting.interactive.length + this.waiting.background.length > 0) {
        const paused = this.pausedUntil - Date.now();
        if (paused > 0) {
          await this.sleep(paused);
          continue;
        }
        let sleepMs = Infinity;
        const asked = new Set<Traffic>();
        for (const traffic of ['interactive', 'background'] as const) {
          const queue = this.waiting[traffic];
          if (queue.length === 0) continue;
          asked.add(traffic);
          const result = await this.store.take(this.pool, {
            to: traffic === 'interactive' ? this.limits.max : this.limits.max - this.limits.reserved,
            want: Math.min(queue.length, this.batchMax),
            highFirst: traffic === 'interactive',
            holdMs: this.options.holdMs,
          });
          for (const held of result.taken) queue.shift()!.resolve(this.claim(held));
          if (result.pausedMs > 0) this.pausedUntil = Math.max(this.pausedUntil, Date.now() + result.pausedMs);
          if (queue.length === 0) continue;
          // Paused: until the pause ends. Some taken: there may be more free right away. None: until
          // the next slot frees (slots only ever free by time passing, so the store knows when).
          const next =
            result.pausedMs > 0
              ? result.pausedMs
              : result.taken.length > 0
                ? 0
                : (result.nextFreeMs ?? CONTENDED_RETRY_MS);
          sleepMs = Math.min(sleepMs, next);
        }
        // Callers of a traffic not asked for this round came while a statement was out: ask now.
        const newcomers = (['interactive', 'background'] as const).some(
          (t) => !asked.has(t) && this.waiting[t].length > 0,
        );
        // At most a window: a slot held by a running call frees a window after the call ends, which the store cannot foresee.
        if (!newcomers && sleepMs > 0 && Number.isFinite(sleepMs))
          await this.sleep(Math.min(sleepMs, this.limits.windowMs));
      }
    } catch (error) {
      this.ready = undefined;
      const reason = new CrmError(
        'CRM_UNAVAILABLE',
        `the shared CRM budget could not be read: ${error instanceof Error ? error.message : String(error)}`,
      );
      for (const queue of Object.values(this.waiting)) for (const w of queue.splice(0)) w.reject(reason);
    } finally {
      this.pumping = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private claim(held: HeldSlot): SlotClaim {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.releases.push(held);
        void this.flush();
      },
    };
  }

  /** Releases go out as they come; those that come while one is on its way go together in the next. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.releases.length > 0) {
        const batch = this.releases.splice(0);
        // Not written: the slots come free at the end of their hold instead; never counted short.
        await this.store
          .release(this.pool, batch, this.limits.windowMs)
          .catch((error: Error) => this.options.onWarning?.(`could not release CRM budget slots: ${error.message}`));
      }
    } finally {
      this.flushing = false;
    }
  }
}
