import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { EMAIL_IN_TEXT, handOffModal, openTouchModal } from '../helpers.js';

/** /touch [email or name]: opens the log-a-touch modal, prefilled with the customer when the text finds one. */
export function touchCommand(deps: SlackDeps) {
  return async ({ ack, body, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    await ack();
    const query = body.text.trim().slice(0, 200);
    handOffModal(deps, '/touch', () =>
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

/** The one customer the text names (an email, or a name or company only one contact matches). */
async function findOne(deps: SlackDeps, query: string) {
  const email = EMAIL_IN_TEXT.exec(query)?.[0];
  if (email) return deps.contacts.byEmail(email.toLowerCase());
  const found = await deps.searchContacts(query, 2);
  // The search has what a picker shows; the modal needs the contact's answers too.
  return found.length === 1 ? deps.contacts.byId(found[0]!.id) : null;
}
