import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { CrmError } from '../../crm/port.js';
import { DomainError } from '../../domain/errors.js';
import { contactName, contextCard, contextNotFound } from '../blocks/context-card.js';
import { problemMessage, usageMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../deps.js';
import { EMAIL_IN_TEXT, handOff } from '../helpers.js';
import { COMMANDS } from '../ids.js';

/** /customer <email or name>: the context card, ephemeral, through the command's response_url. */
export function customerCommand(deps: SlackDeps) {
  return async ({ ack, body, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const query = body.text.trim().slice(0, 200);
    if (!query) {
      await ack({ response_type: 'ephemeral', ...usageMessage(COMMANDS.customer, '<email, name or company>') });
      return;
    }
    await ack();
    handOff(deps, '/customer', async () => {
      try {
        let email = EMAIL_IN_TEXT.exec(query)?.[0]?.toLowerCase();
        if (!email) {
          const found = await deps.searchContacts(query, 10);
          const withEmail = found.filter((c) => c.email);
          if (withEmail.length !== 1) {
            await respond({
              response_type: 'ephemeral',
              ...contextNotFound(
                query,
                found.map((c) => ({
                  id: c.id,
                  label: [contactName(c), c.companyName].filter(Boolean).join(' · '),
                  email: c.email,
                })),
              ),
            });
            return;
          }
          email = withEmail[0]!.email!;
        }
        const context = await deps.context(email);
        await respond({
          response_type: 'ephemeral',
          ...contextCard({ context, crmUrl: deps.crmContactUrl(context.contact.id) }),
        });
      } catch (error) {
        if (error instanceof DomainError && error.code === 'NOT_FOUND') {
          await respond({ response_type: 'ephemeral', ...contextNotFound(query, []) });
        } else if (error instanceof CrmError && error.retryable) {
          await respond({
            response_type: 'ephemeral',
            ...problemMessage('The CRM is not answering right now.', 'Try again in a minute.'),
          });
        } else throw error;
      }
    });
  };
}
