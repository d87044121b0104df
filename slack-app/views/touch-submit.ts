import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import { CrmError } from '../../crm/port.js';
import { DomainError } from '../../domain/errors.js';
import { contactName } from '../blocks/context-card.js';
import { problemMessage, touchConfirmation } from '../blocks/messages.js';
import {
  parseTouchSubmission,
  readTouchMetadata,
  viewStateSchema,
  type TouchSubmission,
} from '../blocks/touch-modal.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';
import { tellUser, userEmail } from '../helpers.js';
import { TOUCH_BLOCKS } from '../ids.js';

type WebClient = webApi.WebClient;

/**
 * The modal was submitted: check it (errors beside the fields), journal it, close it, then hand the
 * touch to the same intake as POST /api/touches (which starts its workflow) and confirm privately.
 * The view id is the idempotency key: a double submission is one touch, in whichever process.
 */
export function touchSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const metadata = readTouchMetadata(view.private_metadata);
    const state = viewStateSchema.safeParse(view.state?.values ?? {});
    if (!state.success) {
      await ack({ response_action: 'errors', errors: { [TOUCH_BLOCKS.summary]: 'Something was off; try again' } });
      return;
    }
    const parsed = parseTouchSubmission(state.data, metadata);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    const payload: TouchFollowUp = {
      userId: body.user.id,
      ...(metadata.channelId ? { channelId: metadata.channelId } : {}),
      ...(metadata.sourceUrl ? { sourceUrl: metadata.sourceUrl } : {}),
      viewId: view.id,
      touch: parsed.touch,
    };
    const entry = { key: `touch:${body.user.id}:${view.id}`, kind: 'touch' as const, payload };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, logTouchFromSlack);
  };
}

/** What a submitted touch modal leaves to do after ack(), as journalled (follow-ups.ts). */
export interface TouchFollowUp {
  userId: string;
  channelId?: string;
  sourceUrl?: string;
  viewId: string;
  touch: TouchSubmission;
}

/**
 * The touch goes to the same intake as POST /api/touches; the user is told privately how it went.
 * Idempotent: the view id is the touch's idempotency key, so a second run finds the same touch.
 */
export async function logTouchFromSlack(client: WebClient, deps: SlackDeps, p: TouchFollowUp): Promise<void> {
  const target = { userId: p.userId, channelId: p.channelId };
  const { touch } = p;
  try {
    const loggedBy = await userEmail(client, p.userId, deps.people);
    if (!loggedBy) {
      await tellUser(
        client,
        deps.logger,
        target,
        problemMessage(
          'Your touch was not logged: Rapport cannot see your email address in Slack.',
          'Ask an admin to give the app the users:read.email scope.',
        ),
      );
      return;
    }
    const { touch: row, created } = await deps.intake.submit({
      contact: { crmId: touch.contactId },
      channel: touch.channel,
      summary: touch.summary,
      outcome: touch.outcome,
      occurredAt: touch.occurredAt,
      loggedBy,
      answers: Object.keys(touch.answers).length ? touch.answers : undefined,
      idempotencyKey: `slack-view-${p.viewId}`,
      source: 'slack',
      sourceUrl: p.sourceUrl,
    });
    const contact = await deps.contacts.byId(touch.contactId).catch(() => null);
    await tellUser(
      client,
      deps.logger,
      target,
      touchConfirmation({
        touchId: row.id,
        duplicate: !created,
        customer: {
          name: contact ? contactName(contact) : (row.contactEmail ?? `contact ${touch.contactId}`),
          email: contact?.email ?? row.contactEmail,
        },
        channel: touch.channel,
        summary: touch.summary,
        answers: Object.keys(touch.answers).length,
        crmUrl: deps.crmContactUrl(touch.contactId),
        sourceUrl: p.sourceUrl,
      }),
    );
  } catch (error) {
    const [problem, hint] =
      error instanceof DomainError
        ? [`Your touch was not logged: ${error.message}.`]
        : error instanceof CrmError
          ? ['Your touch was not logged: the CRM is not answering.', 'Try again in a minute.']
          : ['Your touch was not logged: something went wrong on our side.', 'Try again in a minute.'];
    if (!(error instanceof DomainError)) deps.logger.error({ err: error }, 'touch from Slack failed');
    // What they wrote comes back with it, so it is not lost (escaped like every value).
    await tellUser(client, deps.logger, target, problemMessage(problem, hint, touch.summary.slice(0, 500)));
  }
}
