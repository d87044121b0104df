import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { CrmContact } from '../crm/port.js';
import { nextQuestions } from '../domain/questions.js';
import type { ContactSummary } from '../store/crm-contacts.js';
import { customerOption, touchModal, type TouchModalInput } from './blocks/touch-modal.js';
import { loadingModal } from './blocks/loading-modal.js';
import type { SlackMessage } from './blocks/messages.js';
import type { SlackDeps } from './deps.js';
import type { PeopleDirectory } from '../services/people.js';

type WebClient = webApi.WebClient;

/** A Slack user as Rapport knows them: the verified email, and the person id when a directory keeps people. */
export interface SlackPerson {
  email: string;
  id?: string;
}

const people = new Map<string, { at: number; person: SlackPerson | null }>();

/**
 * The Slack user as a person: their email (users.info, scope users:read.email) and, with a people
 * directory, the person they are joined to by that email (one person across Slack, Outlook and the
 * API), cached for 10 minutes. Slack's signature proves the user id; an email Slack says is not
 * confirmed names nobody.
 */
export async function slackPerson(
  client: WebClient,
  userId: string,
  directory?: PeopleDirectory,
): Promise<SlackPerson | null> {
  const hit = people.get(userId);
  if (hit && Date.now() - hit.at < 600_000) return hit.person;
  const res = await client.users.info({ user: userId });
  const given = res.user?.is_email_confirmed === false ? null : (res.user?.profile?.email ?? null);
  let person: SlackPerson | null = null;
  if (given && directory) {
    const known = await directory.fromSlack({ slackUserId: userId, email: given, name: res.user?.real_name ?? null });
    person = { email: known.email, id: known.id };
  } else if (given) {
    person = { email: given };
  }
  if (people.size > 5000) people.clear();
  people.set(userId, { at: Date.now(), person });
  return person;
}

/** The Slack user's verified email (see slackPerson). */
export async function userEmail(
  client: WebClient,
  userId: string,
  directory?: PeopleDirectory,
): Promise<string | null> {
  return (await slackPerson(client, userId, directory))?.email ?? null;
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

/** A picker option for a search result. */
export function optionFor(contact: ContactSummary) {
  return customerOption({ ...contact, company: contact.companyName });
}

/** The modal's customer and next questions once the customer is known. */
export function withCustomer(deps: SlackDeps, contact: CrmContact): Pick<TouchModalInput, 'customer' | 'questions'> {
  const option = customerOption({ ...contact, company: contact.properties.company ?? null });
  return {
    customer: { id: option.value!, label: option.text.text },
    questions: nextQuestions(deps.questions, contact.properties),
  };
}

/**
 * Opens the log-a-touch modal the moment the trigger_id is there (it lives ~3 s). With a
 * customer to look up first (`resolve`), a loading modal opens instead and is replaced by the
 * modal with the customer and their next questions once the CRM answers (or without them when
 * it does not know the customer or fails): a slow CRM never costs the trigger.
 */
export async function openTouchModal(
  client: WebClient,
  deps: SlackDeps,
  triggerId: string,
  input: TouchModalInput,
  resolve?: () => Promise<CrmContact | null>,
): Promise<void> {
  if (!resolve) {
    await client.views.open({ trigger_id: triggerId, view: touchModal(input) });
    return;
  }
  const opened = await client.views.open({
    trigger_id: triggerId,
    view: loadingModal({ title: 'Log a touch', message: 'Looking up the customer…' }),
  });
  let contact: CrmContact | null = null;
  try {
    contact = await resolve();
  } catch (error) {
    deps.logger.warn({ err: (error as Error).message }, 'could not prefill the customer');
  }
  await updateView(
    client,
    deps.logger,
    opened,
    touchModal(contact ? { ...input, ...withCustomer(deps, contact) } : input),
  );
}

type OpenedView = Awaited<ReturnType<WebClient['views']['open']>>;

/**
 * Replaces an opened view (views.update, guarded by its hash). The user may have closed it
 * meanwhile: Slack then answers not_found, which is nothing to report.
 */
export async function updateView(
  client: WebClient,
  logger: Pick<Logger, 'info'>,
  opened: OpenedView,
  view: Parameters<WebClient['views']['update']>[0]['view'],
): Promise<void> {
  const viewId = opened.view?.id;
  if (!viewId) return;
  try {
    await client.views.update({ view_id: viewId, hash: opened.view?.hash, view });
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code !== 'not_found') throw error;
    logger.info({ viewId }, 'the modal was closed before its content arrived');
  }
}

/** Who runs follow-ups: the app's after-ack queue, or a bare logger (the work then starts on the next turn). */
export type HandOffTarget = Pick<SlackDeps, 'afterAck' | 'logger'> | Logger;

const queueOf = (target: HandOffTarget) => ('logger' in target ? target.afterAck : undefined);
const loggerOf = (target: HandOffTarget): Logger => ('logger' in target ? target.logger : target);

/**
 * Runs `work` after ack() without letting its failure escape as an unhandled rejection. With the
 * app's deps it waits in the after-ack queue (after-ack.ts) until the acknowledgements of the
 * requests that came with it are written; with a bare logger it starts on a later turn of the
 * event loop (setImmediate), which only keeps it behind the requests read in the same turn.
 */
export function handOff(target: HandOffTarget, what: string, work: () => Promise<unknown>): void {
  const queue = queueOf(target);
  if (queue) return queue.later(what, work);
  setImmediate(() => {
    work().catch((error: unknown) => loggerOf(target).error({ err: error, what }, 'slack follow-up failed'));
  });
}

/** handOff for work that opens a modal first thing: it goes before other follow-ups (the trigger_id dies in ~3 s). */
export function handOffModal(target: HandOffTarget, what: string, work: () => Promise<unknown>): void {
  const queue = queueOf(target);
  if (queue) return queue.urgent(what, work);
  handOff(target, what, work);
}

export const EMAIL_IN_TEXT = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

/**
 * Answers an interaction through its response_url (what Bolt's respond() does), from any process:
 * the URL stays valid for 30 minutes after the click, so a follow-up resumed elsewhere can use it.
 */
export async function postToResponseUrl(url: string, message: Record<string, unknown>): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`response_url answered ${res.status}`);
}
