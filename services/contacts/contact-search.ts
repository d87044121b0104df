import type { Logger } from 'pino';
import type { CrmPort } from '../../crm/port.js';
import { queryWords } from '../../domain/contact-search-terms.js';
import type { ContactSummary, CrmContactStore } from '../../store/crm-contacts.js';
import { summaryOf } from './contact-sync.js';

/** Contacts by name, email or company, for a person waiting on the answer (pickers, /customer). */
export type ContactSearch = (query: string, limit?: number) => Promise<ContactSummary[]>;

export interface ContactSearchDeps {
  crm: Pick<CrmPort, 'searchContacts'>;
  /** The read model; absent (or not ready) -> CRM search. */
  readModel?: { store: Pick<CrmContactStore, 'search' | 'changes'>; ready: () => boolean };
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
}

/** How long a read-model answer is reused, unless a sync in this process changed the model first. */
const READ_MODEL_TTL_MS = 30_000;
/** CRM search answers: HubSpot allows 5 searches a second per account, shared with everything else. */
const CRM_TTL_MS = 15_000;
const MAX_ENTRIES = 500;

/**
 * Searches the contact read model once it is filled, and the CRM until then (or when the store
 * fails). Slack asks again on every keystroke and reps look up the same customers, so the same
 * search shares one answer: while it runs, and afterwards until the model changes (at most
 * READ_MODEL_TTL_MS, which bounds what another process's sync may have changed meanwhile).
 * Failed searches are not kept.
 */
export function createContactSearch(deps: ContactSearchDeps): ContactSearch {
  const now = deps.now ?? Date.now;
  const answers = new Map<string, { at: number; ttl: number; version: number; found: Promise<ContactSummary[]> }>();

  const fromCrm = async (query: string, limit: number) =>
    (await deps.crm.searchContacts({ query, limit })).map(summaryOf);

  function remember(
    key: string,
    entry: { at: number; ttl: number; version: number; found: Promise<ContactSummary[]> },
  ) {
    if (answers.size >= MAX_ENTRIES) {
      for (const [k, v] of answers) if (now() - v.at >= v.ttl) answers.delete(k);
      if (answers.size >= MAX_ENTRIES) answers.delete(answers.keys().next().value as string);
    }
    answers.set(key, entry);
    entry.found.catch(() => {
      if (answers.get(key) === entry) answers.delete(key);
    });
  }

  return (query, limit = 20) => {
    const words = queryWords(query);
    if (words.length === 0) return Promise.resolve([]);
    const model = deps.readModel?.ready() ? deps.readModel : undefined;
    const version = model ? model.store.changes() : -1;
    const key = `${limit}:${words.join(' ')}`;
    const hit = answers.get(key);
    if (hit && hit.version === version && now() - hit.at < hit.ttl) return hit.found;

    const found = model
      ? model.store.search(query, limit).catch((error: Error) => {
          deps.logger.warn({ err: error.message }, 'contact read model search failed; asking the CRM');
          return fromCrm(query, limit);
        })
      : fromCrm(query, limit);
    remember(key, { at: now(), ttl: model ? READ_MODEL_TTL_MS : CRM_TTL_MS, version, found });
    return found;
  };
}
