import type { webApi } from '@slack/bolt';
import type { DecisionKind } from '../domain/broadcast/alert-request.js';
import { DomainError } from '../domain/errors.js';
import { problemMessage } from './blocks/messages.js';
import type { SlackDeps } from './deps.js';
import { slackPerson, tellUser } from './helpers.js';

/**
 * A decision from Slack, through the same path as Outlook and the signed link: the workflow's
 * Update and its validator (four eyes, group, state, once). The approver is the Slack user's
 * verified email from users.info, never anything in the payload. A refusal is audited by the
 * intake and answered privately; an accepted decision updates every message of the alert at once.
 */
export async function decideInSlack(
  client: webApi.WebClient,
  deps: SlackDeps,
  input: {
    userId: string;
    channelId?: string;
    alertId: string;
    version: number;
    decision: DecisionKind;
    reason?: string;
    /** "Approve, send now": not at the topic's announced time. */
    urgent?: boolean;
  },
): Promise<void> {
  const alerts = deps.alerts;
  if (!alerts) return;
  const target = { userId: input.userId, channelId: input.channelId };
  const alert = await alerts.alerts.get(input.alertId);
  if (!alert) {
    await tellUser(client, deps.logger, target, problemMessage('This alert no longer exists.'));
    return;
  }
  const approver = await slackPerson(client, input.userId, deps.people);
  if (!approver) {
    await tellUser(
      client,
      deps.logger,
      target,
      problemMessage('Rapport cannot see your email address in Slack, so it cannot take your decision.'),
    );
    return;
  }
  try {
    await alerts.intake.decide(
      alert,
      {
        approver: approver.email.toLowerCase(),
        decision: input.decision,
        version: input.version,
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.urgent ? { urgent: true } : {}),
      },
      'slack',
      approver.id ? { id: approver.id, email: approver.email.toLowerCase() } : undefined,
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const hint =
      error.code === 'FORBIDDEN'
        ? 'Only another member of the approver group can decide on this alert.'
        : error.code === 'CONFLICT' || error.code === 'GONE'
          ? 'Nothing was changed.'
          : undefined;
    await tellUser(client, deps.logger, target, problemMessage(`Your decision was not taken: ${error.message}`, hint));
    await deps.alertFace?.sync(alert.id, true).catch(() => undefined);
    return;
  }
  await deps.alertFace?.sync(alert.id, true);
}
