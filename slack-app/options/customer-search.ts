import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import type { CrmContact } from '../../crm/port.js';
import type { SlackDeps } from '../deps.js';
import { optionFor } from '../helpers.js';

/** How long one search's answer serves the same query again (Slack asks on every keystroke). */
const SEARCH_TTL_MS = 15_000;
const MAX_SEARCHES = 500;

/**
 * Options of the customer picker: CRM search by name, email or company. Slack waits 3 s, so a
 * slow CRM answers with no options rather than with a timeout.
 *
 * HubSpot allows 5 searches a second per account, shared with everything else Rapport asks, so
 * the same query (several reps looking up the same customer, Slack asking again) shares one
 * search: in flight, and for a few seconds after. Failed searches are not kept.
 */
export function customerSearchOptions(deps: SlackDeps) {
  const searches = new Map<string, { at: number; found: Promise<CrmContact[]> }>();
  const search = (query: string) => {
    const key = query.toLowerCase();
    const now = Date.now();
    const hit = searches.get(key);
    if (hit && now - hit.at < SEARCH_TTL_MS) return hit.found;
    if (searches.size >= MAX_SEARCHES) {
      for (const [k, v] of searches) if (now - v.at >= SEARCH_TTL_MS) searches.delete(k);
      if (searches.size >= MAX_SEARCHES) searches.delete(searches.keys().next().value as string);
    }
    const found = deps.crm.searchContacts({ query, limit: 20 });
    const entry = { at: now, found };
    searches.set(key, entry);
    found.catch(() => {
      if (searches.get(key) === entry) searches.delete(key);
    });
    return found;
  };

  return async ({ ack, options }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs) => {
    const query = options.value.trim().slice(0, 100);
    if (query.length < 2) {
      await ack({ options: [] });
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deps.searchTimeoutMs ?? 2500);
    });
    try {
      const found = await Promise.race([search(query), timeout]);
      if (found === 'timeout') {
        deps.logger.warn({ query: query.length }, 'customer search took too long for Slack');
        await ack({ options: [] });
        return;
      }
      await ack({ options: found.slice(0, 100).map(optionFor) });
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'customer search failed');
      await ack({ options: [] });
    } finally {
      clearTimeout(timer);
    }
  };
}
