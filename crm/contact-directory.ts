import { coalesce } from '../lib/coalesce.js';
import type { CrmContact, CrmPort } from './port.js';

export interface ContactDirectoryOptions {
  /** How long an answer from the CRM is trusted. */
  ttlMs?: number;
  maxEntries?: number;
  batchWaitMs?: number;
  now?: () => number;
}

/**
 * Contact look-ups for the API edge: concurrent look-ups share one batch request and answers
 * are cached for a short, bounded time (a rep's edit shows up within ttlMs).
 */
export function createContactDirectory(crm: CrmPort, options: ContactDirectoryOptions = {}) {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; contact: CrmContact | null }>();

  const remember = (key: string, contact: CrmContact | null) => {
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(key, { at: now(), contact });
  };

  const fetchByEmail = coalesce<string, CrmContact | null>({
    maxSize: 100,
    maxWaitMs: options.batchWaitMs ?? 10,
    maxInFlight: 4,
    run: async (emails) => {
      const found = await crm.findContactsByEmail([...new Set(emails)]);
      const index = new Map(found.map((c) => [c.email?.toLowerCase(), c]));
      return emails.map((e) => index.get(e) ?? null);
    },
  });
  const fetchById = coalesce<string, CrmContact | null>({
    maxSize: 100,
    maxWaitMs: options.batchWaitMs ?? 10,
    maxInFlight: 4,
    run: async (ids) => {
      const found = await crm.getContacts([...new Set(ids)]);
      const index = new Map(found.map((c) => [c.id, c]));
      return ids.map((id) => index.get(id) ?? null);
    },
  });

  async function cached(key: string, fetch: () => Promise<CrmContact | null>) {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.contact;
    const contact = await fetch();
    remember(key, contact);
    return contact;
  }

  return {
    byEmail: (email: string) => {
      const key = email.trim().toLowerCase();
      return cached(`e:${key}`, () => fetchByEmail(key));
    },
    byId: (id: string) => cached(`i:${id}`, () => fetchById(id)),
    forget: (contact: Pick<CrmContact, 'id' | 'email'>) => {
      cache.delete(`i:${contact.id}`);
      if (contact.email) cache.delete(`e:${contact.email.toLowerCase()}`);
    },
  };
}

export type ContactDirectory = ReturnType<typeof createContactDirectory>;
