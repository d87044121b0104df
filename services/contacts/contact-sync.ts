import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { CrmContact, CrmPort } from '../../crm/port.js';
import { nextBestActionProperties } from '../../domain/next-best-action.js';
import { computeSegments } from '../../domain/segments.js';
import type { ContactSummary, CrmContactStore } from '../../store/crm-contacts.js';

/**
 * Keeps the contact read model (store/crm-contacts.ts) in step with the CRM: a full load when
 * the model is empty or the last one is older than `fullEveryMs` (contacts deleted or merged in
 * the CRM leave the model then), else the contacts modified since the last sync, every
 * `intervalMs`. One sync at a time: in this process the next starts `intervalMs` after the last
 * ended; across processes on one database a lease in the store lets one of them sync.
 */
export interface ContactSyncOptions {
  /** From the end of one sync to the start of the next. */
  intervalMs: number;
  /** A full load this often. */
  fullEveryMs: number;
  /** Least time between two page requests, so a sync takes only part of the CRM's budget. */
  pageIntervalMs: number;
  /**
   * How far before its own start the next incremental sync looks: HubSpot's search index trails
   * writes by seconds and clocks differ. Contacts changed in that margin are read twice; harmless.
   */
  overlapMs?: number;
  /** Least time the sync's lease lasts unrenewed (JOB_LEASE_SECONDS); default 60 s. */
  leaseMs?: number;
  now?: () => number;
}

export interface ContactSync {
  /** A full load has finished (here or in another process): searches can use the read model. */
  ready(): boolean;
  /** One sync now, after the one running (if any); for tests and operators. */
  syncNow(): Promise<void>;
  stop(): Promise<void>;
}

/** At most this share of the CRM's request budget goes to the sync; touches and alerts need the rest. */
const BUDGET_SHARE = 0.25;
/** HubSpot search: 10,000 results at most. More changes than that: a full load instead. */
const SEARCH_RESULT_CAP = 10_000;

/** Page spacing that keeps the sync within BUDGET_SHARE of `perTenSeconds` requests. */
export function pageIntervalFor(perTenSeconds: number): number {
  return Math.ceil(10_000 / Math.max(1, perTenSeconds * BUDGET_SHARE));
}

/**
 * The dashboard's segments of a contact (value tier, customer since), by the same rules as the
 * customer card, and the properties its next best action is worked out from.
 */
function segmentsOf(contact: CrmContact): Pick<ContactSummary, 'valueTier' | 'customerSince' | 'nbaProperties'> {
  const segments = computeSegments(contact.properties, new Date());
  return {
    valueTier: segments.valueTier.tier,
    customerSince: segments.relationship.since,
    nbaProperties: nextBestActionProperties(contact.properties),
  };
}

/** A contact as the sync writes it to the read model: the summary, with the dashboard's segments. */
const readModelRowOf = (contact: CrmContact): ContactSummary => ({ ...summaryOf(contact), ...segmentsOf(contact) });

export function summaryOf(contact: CrmContact): ContactSummary {
  return {
    id: contact.id,
    email: contact.email,
    firstName: contact.firstName,
    lastName: contact.lastName,
    companyName: contact.properties.company ?? null,
    ownerId: contact.ownerId,
    updatedAt: contact.updatedAt,
  };
}

export function startContactSync(
  deps: {
    crm: Pick<CrmPort, 'listContacts' | 'listContactsModifiedSince'>;
    store: CrmContactStore;
    logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
    /** This process, as it holds leases (store/leases.ts processHolder()); default: a name of its own. */
    holder?: string;
  },
  options: ContactSyncOptions,
): ContactSync {
  const { crm, store, logger } = deps;
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
      const page = await crm.listContacts({ after });
      await store.upsert(page.results.map(readModelRowOf), run);
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
    logger.info({ contacts: seen, removed, ms: now() - started.getTime() }, 'contact read model loaded from the CRM');
  }

  /** The contacts changed since `since`; false when there are too many for CRM search. */
  async function changesSince(since: Date, started: Date): Promise<boolean> {
    let after: string | undefined;
    let changed = 0;
    do {
      const page = await crm.listContactsModifiedSince(since, { after });
      if (!after && page.total >= SEARCH_RESULT_CAP) return false;
      changed += (await store.upsert(page.results.map(readModelRowOf))).changed;
      after = page.after;
      if (after) await pause(options.pageIntervalMs);
    } while (after && !stopped);
    if (stopped) return true;
    await store.advanceWatermark(new Date(started.getTime() - overlapMs));
    if (changed > 0) logger.debug({ changed }, 'contact read model updated');
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
      .catch((error: Error) => logger.warn({ err: error.message }, 'contact read model sync failed; next try later'))
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
