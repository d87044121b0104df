import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Page } from '../crm/port.js';
import type { CrmSyncState } from '../store/crm-sync-state.js';

/**
 * Keeps a read model of CRM records (contacts, companies) in step with the CRM: a full load when
 * the model is empty or the last one is older than `fullEveryMs` (records deleted or merged in
 * the CRM leave the model then), else the records modified since the last sync, every
 * `intervalMs`. One sync at a time: in this process the next starts `intervalMs` after the last
 * ended; across processes on one database a lease in the store lets one of them sync.
 */
export interface CrmSyncOptions {
  /** From the end of one sync to the start of the next. */
  intervalMs: number;
  /** A full load this often. */
  fullEveryMs: number;
  /** Least time between two page requests, so a sync takes only part of the CRM's budget. */
  pageIntervalMs: number;
  /**
   * How far before its own start the next incremental sync looks: HubSpot's search index trails
   * writes by seconds and clocks differ. Records changed in that margin are read twice; harmless.
   */
  overlapMs?: number;
  /** Least time the sync's lease lasts unrenewed (JOB_LEASE_SECONDS); default 60 s. */
  leaseMs?: number;
  now?: () => number;
}

export interface CrmSync {
  /** A full load has finished (here or in another process): the read model can be used. */
  ready(): boolean;
  /** One sync now, after the one running (if any); for tests and operators. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

/** Where the records come from: a page of all of them, or of those modified since a time. */
export interface CrmSyncSource<R> {
  list(page: { after?: string }): Promise<Page<R>>;
  modifiedSince(since: Date, page: { after?: string }): Promise<Page<R> & { total: number }>;
}

/** What the sync needs of the read model's store. */
export interface CrmSyncStore<R> {
  lease(owner: string, ms: number): Promise<CrmSyncState | null>;
  state(): Promise<CrmSyncState>;
  releaseLease(owner: string): Promise<void>;
  startFullRun(): Promise<number>;
  upsert(rows: R[], fullRun?: number): Promise<{ changed: number }>;
  finishFullRun(run: number, watermark: Date): Promise<{ removed: number }>;
  advanceWatermark(watermark: Date): Promise<void>;
}

/** At most this share of the CRM's request budget goes to one sync; touches and alerts need the rest. */
const BUDGET_SHARE = 0.25;
/** HubSpot search: 10,000 results at most. More changes than that: a full load instead. */
const SEARCH_RESULT_CAP = 10_000;

/** Page spacing that keeps a sync within BUDGET_SHARE of `perTenSeconds` requests. */
export function pageIntervalFor(perTenSeconds: number): number {
  return Math.ceil(10_000 / Math.max(1, perTenSeconds * BUDGET_SHARE));
}

export function startCrmSync<R>(
  deps: {
    /** What is synced, for the logs: 'contact', 'company'. */
    what: string;
    source: CrmSyncSource<R>;
    store: CrmSyncStore<R>;
    logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
    /** This process, as it holds leases (store/leases.ts processHolder()); default: a name of its own. */
    holder?: string;
  },
  options: CrmSyncOptions,
): CrmSync {
  const { source, store, logger, what } = deps;
  const now = options.now ?? Date.now;
  const overlapMs = options.overlapMs ?? 60_000;
  const owner = deps.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  // Renewed at every sync and page: long enough to outlive the wait between syncs and a pause
  // between pages. A crashed holder's lease runs out by itself; another process then takes over.
  const leaseMs = Math.max(options.leaseMs ?? 60_000, 3 * options.intervalMs, 10 * options.pageIntervalMs);
  let ready = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const wakeups = new Set<() => void>();

  /** Waits `ms`, or less when stop() is called. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        wakeups.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      wakeups.add(wake);
    });

  async function fullLoad(started: Date) {
    const run = await store.startFullRun();
    let after: string | undefined;
    let seen = 0;
    do {
      const page = await source.list({ after });
      await store.upsert(page.results, run);
      seen += page.results.length;
      after = page.after;
      if (after) {
        await store.lease(owner, leaseMs);
        await pause(options.pageIntervalMs);
      }
    } while (after && !stopped);
    if (stopped) return;
    const { removed } = await store.finishFullRun(run, new Date(started.getTime() - overlapMs));
    ready = true;
    logger.info(
      { [`${what}s`]: seen, removed, ms: now() - started.getTime() },
      `${what} read model loaded from the CRM`,
    );
  }

  /** The records changed since `since`; false when there are too many for CRM search. */
  async function changesSince(since: Date, started: Date): Promise<boolean> {
    let after: string | undefined;
    let changed = 0;
    do {
      const page = await source.modifiedSince(since, { after });
      if (!after && page.total >= SEARCH_RESULT_CAP) return false;
      changed += (await store.upsert(page.results)).changed;
      after = page.after;
      if (after) await pause(options.pageIntervalMs);
    } while (after && !stopped);
    if (stopped) return true;
    await store.advanceWatermark(new Date(started.getTime() - overlapMs));
    if (changed > 0) logger.debug({ changed }, `${what} read model updated`);
    return true;
  }

  async function once() {
    const started = new Date(now());
    const state = await store.lease(owner, leaseMs);
    if (!state) {
      // Another process syncs; the model is usable once its first full load is done.
      ready ||= (await store.state()).fullSyncedAt !== null;
      return;
    }
    ready ||= state.fullSyncedAt !== null;
    const fullDue =
      !state.fullSyncedAt || !state.watermark || now() - Date.parse(state.fullSyncedAt) >= options.fullEveryMs;
    if (fullDue || !(await changesSince(new Date(state.watermark!), started))) await fullLoad(started);
  }

  function run(): Promise<void> {
    running ??= once()
      .catch((error: Error) => logger.warn({ err: error.message }, `${what} read model sync failed; next try later`))
      .finally(() => {
        running = undefined;
        schedule();
      });
    return running;
  }

  function schedule() {
    clearTimeout(timer);
    if (stopped) return;
    timer = setTimeout(() => void run(), options.intervalMs);
    timer.unref();
  }

  timer = setTimeout(() => void run(), 0);
  timer.unref();

  return {
    ready: () => ready,
    async syncNow() {
      await running;
      await run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      for (const wake of [...wakeups]) wake();
      await running;
      await store.releaseLease(owner).catch(() => undefined);
    },
  };
}
