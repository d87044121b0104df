import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import type { CrmCompany, CrmPort } from '../../crm/port.js';
import { createCrmCompanyStore, type CrmCompanyStore } from '../../store/crm-companies.js';
import type { Db } from '../../store/db.js';
import { pageIntervalFor, startCrmSync, type CrmSync } from '../crm-sync.js';

/** A company by id, for the customer context. */
export type CompanyLookup = (id: string) => Promise<CrmCompany | null>;

export interface CompanyReadModel {
  byId: CompanyLookup;
  /** Absent when the read model is off (CONTACT_SYNC_INTERVAL_SECONDS=0). */
  sync?: CrmSync;
  stop(): Promise<void>;
}

/** How long a company read from the CRM is reused when the read model cannot answer (the context's old bound). */
const CRM_CACHE_MS = 5 * 60_000;
const MAX_CACHED = 5_000;

export interface CompanyLookupDeps {
  /** Reads a person waits on: the read model's misses and, while it is stale or off, everything. */
  crm: Pick<CrmPort, 'getCompany'>;
  /** The read model, trusted while every change older than `trustMs` is in it (its watermark). */
  readModel?: { store: Pick<CrmCompanyStore, 'get' | 'upsert' | 'remove'>; trustMs: number };
  /** How long a CRM answer is reused (default 5 minutes). */
  cacheMs?: number;
  logger?: Pick<Logger, 'warn'>;
  now?: () => number;
}

/**
 * Companies by id. From the read model while it is fresh (its watermark within `trustMs`: the sync
 * runs), so a pane open costs no CRM request for its company; a company it does not hold yet (made
 * since the last sync) is read from the CRM and written to it. While the model is stale, off or
 * failing, from the CRM through a cache of `cacheMs`, as before the read model (concurrent look-ups
 * of one company share one call).
 */
export function createCompanyLookup(deps: CompanyLookupDeps): CompanyLookup {
  const now = deps.now ?? Date.now;
  const cacheMs = deps.cacheMs ?? CRM_CACHE_MS;
  const cache = new Map<string, { at: number; company: Promise<CrmCompany | null> }>();

  /** The CRM's answer, shared by concurrent look-ups and kept `cacheMs`; failures are not kept. */
  const fromCrm = (id: string, ttl: number) => {
    const hit = cache.get(id);
    if (hit && now() - hit.at <= ttl) return hit.company;
    if (hit) cache.delete(id);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    const entry = { at: now(), company: deps.crm.getCompany(id) };
    cache.set(id, entry);
    entry.company.catch(() => {
      if (cache.get(id) === entry) cache.delete(id);
    });
    return entry.company;
  };

  /** Read through: the CRM's answer goes into the model, so the next pane open finds it there. */
  const readingThrough = new Map<string, Promise<CrmCompany | null>>();
  function readThrough(id: string, store: Pick<CrmCompanyStore, 'upsert' | 'remove'>) {
    let pending = readingThrough.get(id);
    if (!pending) {
      pending = (async () => {
        const company = await deps.crm.getCompany(id);
        const write = company ? store.upsert([company]) : store.remove(id);
        await write.catch((error: Error) =>
          deps.logger?.warn({ err: error.message }, 'company read model write failed'),
        );
        return company;
      })().finally(() => readingThrough.delete(id));
      readingThrough.set(id, pending);
    }
    return pending;
  }

  return async (id) => {
    const model = deps.readModel;
    if (model) {
      const found = await model.store.get(id).catch((error: Error) => {
        deps.logger?.warn({ err: error.message }, 'company read model read failed; asking the CRM');
        return undefined;
      });
      const fresh = !!found?.watermark && now() - Date.parse(found.watermark) <= model.trustMs;
      if (found && fresh) return found.company ?? readThrough(id, model.store);
    }
    return fromCrm(id, cacheMs);
  };
}

/**
 * The company read model as Rapport runs it: the sync on the CRM's background budget (with the
 * contact read model's interval and full-load period) and the look-up that prefers it. Off with
 * CONTACT_SYNC_INTERVAL_SECONDS=0: look-ups then ask the CRM, cached 5 minutes.
 */
export function startCompanyReadModel(
  env: Pick<
    Env,
    'CONTACT_SYNC_INTERVAL_SECONDS' | 'CONTACT_SYNC_FULL_HOURS' | 'HUBSPOT_RATE_LIMIT' | 'JOB_LEASE_SECONDS'
  >,
  deps: {
    db: Db;
    /** The sync's: background traffic. */
    crm: CrmPort;
    /** Look-ups a person waits on (default: crm). */
    readCrm?: CrmPort;
    logger: Logger;
    holder?: string;
  },
): CompanyReadModel {
  const log = deps.logger.child({ component: 'company-read-model' });
  const readCrm = deps.readCrm ?? deps.crm;
  if (env.CONTACT_SYNC_INTERVAL_SECONDS === 0) {
    return { byId: createCompanyLookup({ crm: readCrm, logger: log }), stop: async () => undefined };
  }
  const store = createCrmCompanyStore(deps.db);
  const intervalMs = env.CONTACT_SYNC_INTERVAL_SECONDS * 1000;
  const overlapMs = 60_000;
  const sync = startCrmSync(
    {
      what: 'company',
      source: {
        list: (page) => deps.crm.listCompanies(page),
        modifiedSince: (since, page) => deps.crm.listCompaniesModifiedSince(since, page),
      },
      store,
      logger: log,
      ...(deps.holder ? { holder: deps.holder } : {}),
    },
    {
      intervalMs,
      fullEveryMs: env.CONTACT_SYNC_FULL_HOURS * 3_600_000,
      // Half the contact sync's share: both may load in full at start-up, beside touches and alerts.
      pageIntervalMs: pageIntervalFor(env.HUBSPOT_RATE_LIMIT / 2),
      overlapMs,
      leaseMs: env.JOB_LEASE_SECONDS * 1000,
    },
  );
  return {
    // The watermark trails the last sync's start by the overlap; a sync more than the old cache's
    // 5 minutes late means it is not running (CRM down, the syncing process stuck): ask the CRM then.
    byId: createCompanyLookup({
      crm: readCrm,
      readModel: { store, trustMs: overlapMs + intervalMs + CRM_CACHE_MS },
      logger: log,
    }),
    sync,
    stop: () => sync.stop(),
  };
}
