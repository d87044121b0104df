import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction, webApi } from '@slack/bolt';
import { DomainError } from '../../domain/errors.js';
import { newAlertId } from '../../services/alert-intake.js';
import { parseAlertSubmission, readAlertMetadata, type AlertDraft } from '../blocks/alert-request-modal.js';
import { problemMessage } from '../blocks/messages.js';
import type { SlackDeps } from '../deps.js';
import { journal, runFollowUp } from '../follow-ups.js';
import { slackPerson, tellUser } from '../helpers.js';

type WebClient = webApi.WebClient;

/**
 * The alert modal was submitted: check it (errors beside the fields), journal it, close it, then
 * hand it to the same intake as POST /api/alerts (requester = the Slack user's verified email).
 * The requester's preview with the audience summary follows once the audience is resolved.
 * The same view submitted twice is one alert: one journal row per view, and the alert's id is
 * chosen before ack(), so a run repeated after a crash finds the alert it created.
 */
export function alertSubmitted(deps: SlackDeps) {
  return async ({ ack, body, view, client }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const parsed = parseAlertSubmission(view.state?.values);
    if (!parsed.ok) {
      await ack({ response_action: 'errors', errors: parsed.errors });
      return;
    }
    if (!deps.alerts || !deps.alertFace) {
      await ack();
      return;
    }
    const channelId = readAlertMetadata(view.private_metadata).channelId;
    const payload: AlertFollowUp = {
      userId: body.user.id,
      ...(channelId ? { channelId } : {}),
      alertId: newAlertId(),
      draft: parsed.draft,
    };
    const entry = { key: `alert:${body.user.id}:${view.id}`, kind: 'alert' as const, payload, once: true };
    const fresh = await journal(deps, entry);
    await ack();
    if (fresh) runFollowUp(deps, client, entry, requestAlertFromSlack);
  };
}

/** What a submitted alert modal leaves to do after ack(), as journalled (follow-ups.ts). */
export interface AlertFollowUp {
  userId: string;
  channelId?: string;
  /** Chosen before ack(): the same alert however often this runs. */
  alertId: string;
  draft: AlertDraft;
}

export async function requestAlertFromSlack(client: WebClient, deps: SlackDeps, p: AlertFollowUp): Promise<void> {
  const alerts = deps.alerts;
  const face = deps.alertFace;
  if (!alerts || !face) return;
  const target = { userId: p.userId, channelId: p.channelId };
  try {
    const requester = await slackPerson(client, p.userId, deps.people);
    if (!requester) {
      await tellUser(
        client,
        deps.logger,
        target,
        problemMessage(
          'Your alert was not requested: Rapport cannot see your email address in Slack.',
          'Ask an admin to give the app the users:read.email scope.',
        ),
      );
      return;
    }
    const email = requester.email.toLowerCase();
    const alert = await alerts.intake.submit(
      { ...p.draft, requester: email },
      { id: p.alertId, ...(requester.id ? { requester: { id: requester.id, email } } : {}) },
    );
    await face.follow(alert.id, { slackUser: p.userId, email: alert.requester, version: alert.version });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await tellUser(client, deps.logger, target, problemMessage(`Your alert was not requested: ${error.message}`));
  }
}
