import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CrmContact } from '../crm/port.js';
import { nextQuestions } from '../domain/questions.js';
import { customerOption, touchModal, type TouchModalInput } from './blocks/touch-modal.js';
import type { SlackMessage } from './blocks/messages.js';
import type { SlackDeps } from './deps.js';

type WebClient = webApi.WebClient;

const emails = new Map<string, { at: number; email: string | null }>();

/** The Slack user's email (users.info, scope users:read.email), cached for 10 minutes. */
export async function userEmail(client: WebClient, userId: string): Promise<string | null> {
  const hit = emails.get(userId);
  if (hit && Date.now() - hit.at < 600_000) return hit.email;
  const res = await client.users.info({ user: userId });
  const email = res.user?.profile?.email ?? null;
  if (emails.size > 5000) emails.clear();
  emails.set(userId, { at: Date.now(), email });
  return email;
}

/**
 * Tells one user something privately: ephemeral in the channel they acted in, else (no channel,
 * or the bot is not a member there) a DM from the app.
 */
export async function tellUser(
  client: WebClient,
  logger: Logger,
  target: { userId: string; channelId?: string },
  message: SlackMessage,
): Promise<void> {
  if (target.channelId) {
    try {
      await client.chat.postEphemeral({ channel: target.channelId, user: target.userId, ...message });
      return;
    } catch (error) {
      logger.info({ err: (error as Error).message }, 'ephemeral not possible here; sending a DM instead');
    }
  }
  const dm = await client.conversations.open({ users: target.userId });
  const channel = dm.channel?.id;
  if (!channel) throw new Error('conversations.open returned no channel');
  await client.chat.postMessage({ channel, ...message });
}

export function optionFor(contact: CrmContact) {
  return customerOption({ ...contact, company: contact.properties.company ?? null });
}

/** The modal's customer and next questions once the customer is known. */
export function withCustomer(deps: SlackDeps, contact: CrmContact): Pick<TouchModalInput, 'customer' | 'questions'> {
  const option = optionFor(contact);
  return {
    customer: { id: option.value!, label: option.text.text },
    questions: nextQuestions(deps.questions, contact.properties),
  };
}

/**
 * Opens the log-a-touch modal at once (the trigger_id lives ~3 s), then, when `resolve` can
 * find the customer, updates it with the customer and their next questions.
 */
export async function openTouchModal(
  client: WebClient,
  deps: SlackDeps,
  triggerId: string,
  input: TouchModalInput,
  resolve?: () => Promise<CrmContact | null>,
): Promise<void> {
  const opened = await client.views.open({ trigger_id: triggerId, view: touchModal(input) });
  if (!resolve) return;
  const viewId = opened.view?.id;
  if (!viewId) return;
  let contact: CrmContact | null = null;
  try {
    contact = await resolve();
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message }, 'could not prefill the customer');
    return;
  }
  if (!contact) return;
  await client.views.update({
    view_id: viewId,
    hash: opened.view?.hash,
    view: touchModal({ ...input, ...withCustomer(deps, contact) }),
  });
}

/**
 * Runs `work` after ack() without letting its failure escape as an unhandled rejection. It starts
 * on a later turn of the event loop (setImmediate), so the acknowledgements of every request
 * that arrived together are written first: a burst's follow-ups (Web API calls, CRM, store) never
 * queue in front of another request's ack.
 */
export function handOff(logger: Logger, what: string, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((error: unknown) => logger.error({ err: error, what }, 'slack follow-up failed'));
  });
}

export const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;
