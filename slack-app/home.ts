import type { webApi } from '@slack/bolt';
import { contactName } from './blocks/context-card.js';
import { homeView, type HomeTouch, type MyAlert, type PendingApproval } from './blocks/home.js';
import type { SlackDeps } from './deps.js';
import { isRequester } from '../domain/broadcast/decision-rules.js';
import { slackPerson, type SlackPerson } from './helpers.js';

const DEFAULT_TOUCHES = 10;

/** Builds and publishes one user's App Home from the touch ledger and the CRM's names. */
export async function publishHome(
  client: webApi.WebClient,
  deps: SlackDeps,
  userId: string,
  touchLimit = DEFAULT_TOUCHES,
) {
  const limit = Math.max(1, Math.min(touchLimit, 30));
  const person = await slackPerson(client, userId, deps.people);
  const email = person?.email ?? null;
  let touches: HomeTouch[] = [];
  let total = 0;
  if (email) {
    const recent = await deps.recentTouches(email, limit);
    total = recent.total;
    const ids = [...new Set(recent.rows.map((r) => r.contactCrmId).filter((id): id is string => !!id))];
    // Through the contact directory: Homes opened together share its batch reads and cache.
    const contacts = await Promise.all(ids.map((id) => deps.contacts.byId(id).catch(() => null)));
    const byId = new Map(contacts.filter((c) => c !== null).map((c) => [c.id, c]));
    touches = recent.rows.map((r) => {
      const contact = r.contactCrmId ? byId.get(r.contactCrmId) : undefined;
      return {
        id: r.id,
        customer: contact ? contactName(contact) : (r.contactEmail ?? 'unknown customer'),
        crmUrl: r.contactCrmId ? deps.crmContactUrl(r.contactCrmId) : undefined,
        channel: r.channel,
        summary: r.summary,
        occurredAt: r.occurredAt,
        status: r.status,
      };
    });
  }
  const [{ approvals, alerts }, summary] = person
    ? await Promise.all([alertsFor(deps, person), deps.alerts?.summary?.forPerson(person)])
    : [{ approvals: [], alerts: [] }, undefined];
  await client.views.publish({
    user_id: userId,
    view: homeView({
      email,
      approvals,
      alerts,
      ...(summary ? { summary } : {}),
      touches,
      touchesTotal: total,
      touchLimit: limit,
    }),
  });
}

/**
 * My pending approvals (alerts waiting in a group I am in, not requested by me: judged by person id
 * when the directory knows me) and my alerts with status.
 */
async function alertsFor(
  deps: SlackDeps,
  person: SlackPerson,
): Promise<{ approvals: PendingApproval[]; alerts: MyAlert[] }> {
  const a = deps.alerts;
  if (!a) return { approvals: [], alerts: [] };
  const me = person.email.toLowerCase();
  const { groups } = a;
  // Once per group, however many alerts wait in it.
  const memo = new Map<string, Promise<boolean>>();
  const judge = async (group: string) =>
    groups && person.id
      ? (await groups.entryOf(group, { id: person.id, email: me })) !== null
      : (a.approverGroups[group] ?? []).some((m) => m.toLowerCase() === me);
  const memberOf = (group: string) => {
    let known = memo.get(group);
    if (!known) memo.set(group, (known = judge(group)));
    return known;
  };
  const [waiting, mine] = await Promise.all([
    a.alerts.list({ status: 'awaiting_approval', limit: 100 }),
    a.alerts.list({ requester: me, limit: 15 }),
  ]);
  const forMe: typeof waiting = [];
  for (const alert of waiting) {
    if (forMe.length >= 15) break;
    if (!isRequester(alert, { email: me, id: person.id ?? null }) && (await memberOf(alert.approverGroup)))
      forMe.push(alert);
  }
  const approvals = forMe.map((alert) => ({
    alertId: alert.id,
    title: alert.title,
    requestedBy: alert.requester,
    audience: alert.summary?.deliveries ?? 0,
    requestedAt: alert.updatedAt,
  }));
  const alerts = mine.map((alert) => ({
    alertId: alert.id,
    title: alert.title,
    status: alert.status.replace(/_/g, ' '),
    ...(alert.counts ? { sent: alert.counts.sent, responses: alert.counts.responded } : {}),
    at: alert.createdAt,
  }));
  return { approvals, alerts };
}

/** At most one republish of one person's Home per this long: progress ticks every second while sending. */
const HOME_REFRESH_MS = 3000;

/**
 * Republishes the App Homes of people whose alerts changed (the alert face calls it), at most once
 * per HOME_REFRESH_MS each, the last change always landing (a trailing republish). Failures are
 * logged: a stale Home is refreshed when it is next opened.
 */
export function homeRefresher(client: webApi.WebClient, deps: SlackDeps): (slackUsers: string[]) => void {
  const last = new Map<string, number>();
  const pending = new Map<string, NodeJS.Timeout>();
  const publish = (userId: string) => {
    pending.delete(userId);
    last.set(userId, Date.now());
    void publishHome(client, deps, userId).catch((error: Error) =>
      deps.logger.warn({ err: error.message }, 'app home refresh failed'),
    );
  };
  return (users) => {
    for (const userId of users) {
      if (pending.has(userId)) continue;
      const wait = HOME_REFRESH_MS - (Date.now() - (last.get(userId) ?? 0));
      if (wait <= 0) publish(userId);
      else pending.set(userId, setTimeout(() => publish(userId), wait).unref());
    }
  };
}
