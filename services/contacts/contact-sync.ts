import type { Logger } from 'pino';
import type { CrmContact, CrmPort } from '../../crm/port.js';
import { nextBestActionProperties } from '../../domain/next-best-action.js';
import { computeSegments } from '../../domain/segments.js';
import type { ContactSummary, CrmContactStore } from '../../store/crm-contacts.js';
import { startCrmSync, type CrmSync, type CrmSyncOptions } from '../crm-sync.js';

export { pageIntervalFor } from '../crm-sync.js';

/**
 * Keeps the contact read model (store/crm-contacts.ts) in step with the CRM (services/crm-sync.ts:
 * a full load now and then, the contacts modified since the last sync in between).
 */
export type ContactSyncOptions = CrmSyncOptions;
export type ContactSync = CrmSync;

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
  const { crm } = deps;
  return startCrmSync(
    {
      what: 'contact',
      source: {
        list: async (page) => {
          const { results, after } = await crm.listContacts(page);
          return { results: results.map(readModelRowOf), after };
        },
        modifiedSince: async (since, page) => {
          const { results, after, total } = await crm.listContactsModifiedSince(since, page);
          return { results: results.map(readModelRowOf), after, total };
        },
      },
      store: deps.store,
      logger: deps.logger,
      ...(deps.holder ? { holder: deps.holder } : {}),
    },
    options,
  );
}
