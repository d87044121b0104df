import type { webApi } from '@slack/bolt';
import { isRequester } from '../domain/broadcast/decision-rules.js';
import { DomainError } from '../domain/errors.js';
import type { AlertRow } from '../store/alerts.js';
import { problemMessage } from './blocks/messages.js';
import type { SlackDeps } from './deps.js';
import { slackPerson, tellUser, type SlackPerson } from './helpers.js';

type WebClient = webApi.WebClient;

/** The person the intake judges, when the directory knows them. */
const ref = (p: SlackPerson) => (p.id ? { id: p.id, email: p.email } : undefined);

/**
 * The requester's side of an alert in Slack: Revise after "Request changes" and Cancel. Both go
 * through the same intake as the HTTP routes (the `revise` Update, the cancel signal); the acting
 * user is the Slack user's verified email (users.info), never anything in the payload.
 */

export type RequesterCheck =
  { ok: true; alert: AlertRow; email: string; person: SlackPerson } | { ok: false; problem: string };

/** The alert and the acting user's email, if that user is the alert's requester. */
export async function asRequester(
  client: WebClient,
  deps: SlackDeps,
  userId: string,
  alertId: string,
  what: 'revise' | 'cancel',
): Promise<RequesterCheck> {
  const [alert, person] = await Promise.all([
    deps.alerts?.alerts.get(alertId),
    slackPerson(client, userId, deps.people),
  ]);
  if (!alert) return { ok: false, problem: 'This alert no longer exists.' };
  if (!person) {
    return {
      ok: false,
      problem: `Rapport cannot see your email address in Slack, so it cannot tell whether you may ${what} this alert.`,
    };
  }
  const email = person.email.toLowerCase();
  // By person id: a requester whose address changed is still the requester.
  if (!isRequester(alert, { email, id: person.id ?? null })) {
    return { ok: false, problem: `Only the requester (${alert.requester}) can ${what} this alert.` };
  }
  return { ok: true, alert, email, person: { ...person, email } };
}

/** The revision modal's submission: the `revise` Update, whose validator has the last word. */
export async function reviseInSlack(
  client: WebClient,
  deps: SlackDeps,
  input: { userId: string; channelId?: string; alertId: string; title: string; body?: string; comment?: string },
): Promise<void> {
  const alerts = deps.alerts;
  if (!alerts) return;
  const target = { userId: input.userId, channelId: input.channelId };
  const check = await asRequester(client, deps, input.userId, input.alertId, 'revise');
  if (!check.ok) {
    await tellUser(client, deps.logger, target, problemMessage(`Your revision was not taken: ${check.problem}`));
    return;
  }
  try {
    await alerts.intake.revise(
      check.alert,
      {
        requester: check.email,
        title: input.title,
        body: input.body ?? check.alert.body,
        ...(input.comment ? { comment: input.comment } : {}),
      },
      ref(check.person),
    );
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const hint =
      error.code === 'FORBIDDEN'
        ? 'Only the requester can revise an alert.'
        : error.code === 'CONFLICT'
          ? 'The alert no longer waits for changes; nothing was changed.'
          : undefined;
    await tellUser(client, deps.logger, target, problemMessage(`Your revision was not taken: ${error.message}`, hint));
    await deps.alertFace?.sync(check.alert.id, true).catch(() => undefined);
    return;
  }
  await deps.alertFace?.sync(check.alert.id, true);
}

/** Cancel (after Slack's confirm dialog): the cancel signal, and pending deliveries stop at once, as in the API. */
export async function cancelInSlack(
  client: WebClient,
  deps: SlackDeps,
  input: { userId: string; channelId?: string; alertId: string },
): Promise<void> {
  const alerts = deps.alerts;
  if (!alerts) return;
  const target = { userId: input.userId, channelId: input.channelId };
  const check = await asRequester(client, deps, input.userId, input.alertId, 'cancel');
  if (!check.ok) {
    await tellUser(client, deps.logger, target, problemMessage(`The alert was not cancelled: ${check.problem}`));
    return;
  }
  const { alert, email } = check;
  try {
    await alerts.intake.cancel(alert, email, undefined, 'slack', ref(check.person));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await tellUser(
      client,
      deps.logger,
      target,
      problemMessage(`The alert was not cancelled: ${error.message}.`, 'Nothing was changed.'),
    );
    return;
  }
  await deps.alertFace?.sync(alert.id, true);
}
