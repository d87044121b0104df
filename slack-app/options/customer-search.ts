import type { AllMiddlewareArgs, SlackOptionsMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { optionFor } from '../helpers.js';

/**
 * Options of the customer picker: CRM search by name, email or company. Slack waits 3 s, so a
 * slow CRM answers with no options rather than with a timeout.
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
    const search = deps.crm.searchContacts({ query, limit: 20 });
    search.catch(() => undefined);
    try {
      const found = await Promise.race([search, timeout]);
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
