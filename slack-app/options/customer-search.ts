import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import { SLACK_LIMITS } from '../../channels/slack/limits.js';
import type { SlackDeps } from '../deps.js';
import { optionFor } from '../helpers.js';

/**
 * Options of the customer picker: contacts by name, email or company. The options are the
 * answer to this very request, so the search is on the way to ack(): it reads the contact read
 * model (milliseconds), or the CRM while the model is being filled (server/contact-search.ts).
 * Slack waits 3 s, so a slow search answers with no options rather than with a timeout.
 */
export function customerSearchOptions(deps: SlackDeps) {
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
      const found = await Promise.race([deps.searchContacts(query, 20), timeout]);
      if (found === 'timeout') {
        deps.logger.warn({ query: query.length }, 'customer search took too long for Slack');
        await ack({ options: [] });
        return;
      }
      await ack({ options: found.slice(0, SLACK_LIMITS.options).map(optionFor) });
    } catch (error) {
      deps.logger.warn({ err: (error as Error).message }, 'customer search failed');
      await ack({ options: [] });
    } finally {
      clearTimeout(timer);
    }
  };
}
