import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import type { CrmPort } from '../../crm/port.js';
import { createCrmContactStore } from '../../store/crm-contacts.js';
import type { Db } from '../../store/db.js';
import { createContactSearch, type ContactSearch } from './contact-search.js';
import { pageIntervalFor, startContactSync, type ContactSync } from './contact-sync.js';

export interface ContactReadModel {
  /** Contacts by name, email or company: the read model once filled, the CRM until then. */
  search: ContactSearch;
  /** Absent when the read model is off (CONTACT_SYNC_INTERVAL_SECONDS=0, or nothing searches). */
  sync?: ContactSync;
  stop(): Promise<void>;
}

/**
 * The contact read model as Rapport runs it: the sync (server/contact-sync.ts) on the CRM's
 * budget and the search that prefers it. Off when nothing would search it (`needed` false: the
 * Slack face is off) or CONTACT_SYNC_INTERVAL_SECONDS is 0; searches then ask the CRM.
 */
export function startContactReadModel(
  env: Pick<
    Env,
    'CONTACT_SYNC_INTERVAL_SECONDS' | 'CONTACT_SYNC_FULL_HOURS' | 'HUBSPOT_RATE_LIMIT' | 'JOB_LEASE_SECONDS'
  >,
  deps: {
    db: Db;
    /** The sync's: background traffic. */
    crm: CrmPort;
    /** Searches a person waits on, before the read model is filled (default: crm). */
    searchCrm?: CrmPort;
    logger: Logger;
    needed: boolean;
    holder?: string;
  },
): ContactReadModel {
  const log = deps.logger.child({ component: 'contact-read-model' });
  const searchCrm = deps.searchCrm ?? deps.crm;
  if (!deps.needed || env.CONTACT_SYNC_INTERVAL_SECONDS === 0) {
    return { search: createContactSearch({ crm: searchCrm, logger: log }), stop: async () => undefined };
  }
  const store = createCrmContactStore(deps.db);
  const sync = startContactSync(
    { crm: deps.crm, store, logger: log, ...(deps.holder ? { holder: deps.holder } : {}) },
    {
      intervalMs: env.CONTACT_SYNC_INTERVAL_SECONDS * 1000,
      fullEveryMs: env.CONTACT_SYNC_FULL_HOURS * 3_600_000,
      pageIntervalMs: pageIntervalFor(env.HUBSPOT_RATE_LIMIT),
      leaseMs: env.JOB_LEASE_SECONDS * 1000,
    },
  );
  return {
    search: createContactSearch({ crm: searchCrm, readModel: { store, ready: sync.ready }, logger: log }),
    sync,
    stop: () => sync.stop(),
  };
}
