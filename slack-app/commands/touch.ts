import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { EMAIL_IN_TEXT, handOff, openTouchModal } from '../helpers.js';

/** /touch [email or name]: opens the log-a-touch modal, prefilled with the customer when the text finds one. */
export function touchCommand(deps: SlackDeps) {
  return async ({ ack, body, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const query = body.text.trim();
    handOff(deps.logger, '/touch', () =>
      openTouchModal(
        client,
        deps,
        body.trigger_id,
        { metadata: { channelId: body.channel_id, questionIds: [] }, questions: 'pick' },
        query ? () => findOne(deps, query) : undefined,
      ),
    );
  };
}

async function findOne(deps: SlackDeps, query: string) {
  const email = EMAIL_IN_TEXT.exec(query)?.[0];
  if (email) return deps.contacts.byEmail(email.toLowerCase());
  const found = await deps.crm.searchContacts({ query, limit: 2 });
  return found.length === 1 ? found[0]! : null;
}
