import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { listOption } from '../blocks/alert-request-modal.js';
import { SLACK_LIMITS } from '../../channels/slack/limits.js';
import type { SlackDeps } from '../deps.js';

const LISTS_TTL_MS = 30_000;

/** Options of the alert modal's list picker: the CRM's contact lists with member counts, filtered by name or id. */
export function alertListOptions(deps: SlackDeps) {
  let cached: { at: number; lists: Promise<{ id: string; name: string; size: number }[]> } | undefined;
  const lists = () => {
    if (!deps.alerts) return Promise.resolve([]);
    if (cached && Date.now() - cached.at < LISTS_TTL_MS) return cached.lists;
    const entry = { at: Date.now(), lists: deps.alerts.listLists() };
    cached = entry;
    entry.lists.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return entry.lists;
  };
  return async ({ ack, options }: SlackOptionsMiddlewareArgs<'block_suggestion'> & AllMiddlewareArgs) => {
    const query = options.value.trim().toLowerCase().slice(0, 100);
    const timeout = new Promise<null>((r) => setTimeout(() => r(null), deps.searchTimeoutMs ?? 2000).unref());
    const all = await Promise.race([lists().catch(() => null), timeout]);
    const found = (all ?? []).filter((l) => !query || l.name.toLowerCase().includes(query) || l.id === query);
    await ack({ options: found.slice(0, SLACK_LIMITS.options).map(listOption) });
  };
}
