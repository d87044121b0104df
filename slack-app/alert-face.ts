import { createHash } from 'node:crypto';
import { workflowUrl } from '../domain/broadcast/workflow-link.js';
import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { countsAsResponse, isFinal, type AlertStatus } from '../domain/vocabulary/index.js';
import type { AlertRow } from '../store/alerts.js';
import type { SlackAlertMessageRow } from '../store/slack-messages.js';
import { approverMessage, requesterMessage, type AlertSnapshot } from './blocks/alert-status-message.js';
import { responseMessage } from './blocks/customer-response-dm.js';
import type { SlackMessage } from './blocks/messages.js';
import type { SlackAlertDeps } from './deps.js';

type WebClient = webApi.WebClient;

/** Statuses of an alert on its way out: App Homes follow them (the live summary's "sending"). */
const SENDING: AlertStatus[] = ['approved', 'dispatching'];
/** While an alert sends, its people's Homes are republished this often (their sent-of-total moves). */
const HOME_PROGRESS_MS = 10_000;

const fingerprint = (m: SlackMessage) => createHash('sha256').update(JSON.stringify(m)).digest('hex').slice(0, 32);

/**
 * Keeps the Slack messages of alerts in step with the store: the requester's preview (posted once
 * the audience summary exists, then status and live progress), one DM per approver with the
 * buttons (then who decided and how, wherever the decision was made), and a DM per customer
 * response to the reply owner. Polls the store on a timer, in one process of the deployment (a
 * singleton job under a lease, so N API processes do not post N DMs); a message is updated
 * only when what it shows changed, and at most once per `minUpdateMs` (chat.update is Tier 3 and
 * Slack asks for about one message per second per channel).
 */
export function createAlertFace(
  deps: SlackAlertDeps,
  client: WebClient,
  logger: Logger,
  crmContactUrl: (contactId: string) => string | undefined = () => undefined,
  /**
   * An alert's status changed, or its requester's message showed new progress: the App Homes of
   * these Slack users (its requester, its approvers) show stale counts. Unset: Homes refresh when opened.
   */
  onHomesStale?: (slackUsers: string[]) => void,
) {
  const pollMs = deps.pollMs ?? 1000;
  const minUpdateMs = deps.minUpdateMs ?? 1200;
  const lastUpdate = new Map<string, number>();
  const running = new Map<string, Promise<void>>();
  /** The status each alert had at its last sync in this process: a change refreshes the Homes. */
  const lastStatus = new Map<string, string>();
  /**
   * Alerts seen sending (approved, dispatching), when their people's Homes were last refreshed: when
   * one leaves those statuses (dispatched, cancelled, failed) the Homes show it, and while it sends
   * they follow its progress every HOME_PROGRESS_MS. Only with onHomesStale.
   */
  const sending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;

  async function dm(userId: string): Promise<string> {
    const opened = await client.conversations.open({ users: userId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    return channel;
  }

  /** Slack user of an email (users.lookupByEmail), remembered for 10 minutes, misses included. */
  const users = new Map<string, { at: number; id: string | null }>();
  async function slackUserFor(email: string): Promise<string | null> {
    const key = email.toLowerCase();
    const hit = users.get(key);
    if (hit && Date.now() - hit.at < 600_000) return hit.id;
    let id: string | null;
    try {
      id = (await client.users.lookupByEmail({ email: key })).user?.id ?? null;
    } catch {
      id = null;
    }
    if (users.size > 5000) users.clear();
    users.set(key, { at: Date.now(), id });
    return id;
  }

  /** A person's trail link, made (a store write) once per process and person, not on every poll. */
  const trailUrls = new Map<string, string>();
  async function trailOf(alertId: string, person: string | null): Promise<string | undefined> {
    if (!person || !deps.trailUrl) return undefined;
    const key = `${alertId}:${person.toLowerCase()}`;
    let url = trailUrls.get(key);
    if (!url) {
      url = await deps.trailUrl(alertId, person);
      if (trailUrls.size > 5000) trailUrls.clear();
      trailUrls.set(key, url);
    }
    return url;
  }

  async function snapshot(alert: AlertRow): Promise<AlertSnapshot> {
    const sending = alert.approvedAt !== null;
    const [counts, responses] = sending
      ? await Promise.all([deps.deliveries.counts(alert.id), deps.responses.forAlert(alert.id)])
      : [alert.counts, []];
    return {
      id: alert.id,
      title: alert.title,
      body: alert.body,
      topic: alert.topic,
      requester: alert.requester,
      ...(deps.temporalUi ? { workflowUrl: workflowUrl(deps.temporalUi, alert.id) } : {}),
      status: alert.status,
      version: alert.version,
      summary: alert.summary,
      counts,
      decidedBy: alert.decidedBy,
      decisionComment: alert.decisionComment,
      approvedAt: alert.approvedAt,
      responses: responses.filter((r) => countsAsResponse(r.kind)).length,
    };
  }

  /** chat.update when the content changed and the message was not updated too recently; true when it was updated. */
  async function refresh(row: SlackAlertMessageRow, message: SlackMessage, final: boolean, force: boolean) {
    if (!row.channel || !row.ts) return false;
    const print = fingerprint(message);
    if (print === row.rendered) {
      if (final && !row.done) await deps.messages.rendered(row, print, true);
      return false;
    }
    const key = `${row.channel}:${row.ts}`;
    if (!force && Date.now() - (lastUpdate.get(key) ?? 0) < minUpdateMs) return false;
    lastUpdate.set(key, Date.now());
    await client.chat.update({ channel: row.channel, ts: row.ts, ...message });
    await deps.messages.rendered(row, print, final);
    if (final) lastUpdate.delete(key);
    return true;
  }

  async function forwardResponses(alert: AlertRow, row: SlackAlertMessageRow) {
    const responses = (await deps.responses.forAlert(alert.id)).filter((r) => countsAsResponse(r.kind));
    const fresh = responses.slice(row.responsesSeen);
    if (!fresh.length) return;
    for (const r of fresh) {
      let userId: string | null = row.slackUser;
      if (alert.replyOwner === 'owner' && deps.ownerEmail) {
        const owner = await deps.ownerEmail(r.contactId).catch(() => null);
        userId = owner ? ((await slackUserFor(owner)) ?? row.slackUser) : row.slackUser;
      }
      await client.chat.postMessage({
        channel: await dm(userId),
        ...responseMessage({
          alertId: alert.id,
          alertTitle: alert.title,
          contactId: r.contactId,
          customer: (await deps.contactLabel?.(r.contactId).catch(() => null)) ?? `Contact ${r.contactId}`,
          crmUrl: crmContactUrl(r.contactId),
          kind: r.kind,
          body: r.body,
        }),
      });
    }
    await deps.messages.responsesSeen(row, responses.length);
  }

  async function syncOnce(alertId: string, force: boolean): Promise<void> {
    const alert = await deps.alerts.get(alertId);
    if (!alert) return;
    const snap = await snapshot(alert);
    const final = isFinal(alert.status);
    const requesterTrail = await trailOf(alertId, alert.requester);
    const rows = await deps.messages.forAlert(alertId);
    let homesStale = lastStatus.get(alertId) !== alert.status;
    if (onHomesStale && SENDING.includes(alert.status) && !sending.has(alertId)) sending.set(alertId, Date.now());

    for (const row of rows.filter((r) => r.role === 'requester')) {
      if (!row.ts) {
        if (!alert.summary && !final) continue;
        const message = requesterMessage(snap, requesterTrail);
        const channel = await dm(row.slackUser);
        const posted = await client.chat.postMessage({ channel, ...message });
        if (!posted.ts) throw new Error('chat.postMessage returned no ts');
        await deps.messages.posted(row, {
          channel,
          ts: posted.ts,
          version: alert.version,
          rendered: fingerprint(message),
        });
        continue;
      }
      if (await refresh(row, requesterMessage(snap, requesterTrail), final, force)) homesStale = true;
      if (alert.approvedAt) await forwardResponses(alert, row);
    }

    // Approver DMs: one per approver (never the requester) and version, once the summary exists.
    const approverRows = rows.filter((r) => r.role === 'approver');
    if (alert.status === 'awaiting_approval' && alert.summary) {
      const group = deps.approverGroups[alert.approverGroup] ?? [];
      for (const email of group.filter((e) => e.toLowerCase() !== alert.requester.toLowerCase())) {
        const existing = approverRows.find((r) => r.email?.toLowerCase() === email.toLowerCase());
        if (existing?.ts && existing.version >= alert.version) continue;
        const userId = existing?.slackUser ?? (await slackUserFor(email));
        if (!userId) continue;
        const trail = await trailOf(alertId, email);
        if (existing?.ts) await refresh(existing, approverMessage(snap, existing.version, trail), true, true);
        else await deps.messages.track({ alertId, role: 'approver', slackUser: userId, email, version: alert.version });
        const message = approverMessage(snap, alert.version, trail);
        const channel = await dm(userId);
        const posted = await client.chat.postMessage({ channel, ...message });
        if (!posted.ts) continue;
        const key = { alertId, role: 'approver' as const, slackUser: userId };
        await deps.messages.posted(key, {
          channel,
          ts: posted.ts,
          version: alert.version,
          rendered: fingerprint(message),
        });
      }
    }
    for (const row of approverRows) {
      if (!row.ts || row.version < alert.version) continue;
      const decidedOrOver = alert.status !== 'awaiting_approval' && alert.status !== 'resolving';
      await refresh(
        row,
        approverMessage(snap, row.version, await trailOf(alertId, row.email)),
        decidedOrOver && alert.status !== 'changes_requested',
        force,
      );
    }
    if (homesStale) await homesOf(alertId);
    // Only once this sync went through: a failed one is retried by the poller, the change still seen.
    if (final) lastStatus.delete(alertId);
    else {
      // Alerts that leave the poll before they end (decided, then followed by no message) stay here: bounded.
      if (lastStatus.size > 5000) lastStatus.clear();
      lastStatus.set(alertId, alert.status);
    }
  }

  async function homesOf(alertId: string) {
    if (!onHomesStale) return;
    const users = (await deps.messages.forAlert(alertId)).map((r) => r.slackUser);
    if (users.length) onHomesStale([...new Set(users)]);
  }

  /** The Homes of alerts that stopped sending since the last poll, and of those sending, now and then. */
  async function followSending() {
    if (!onHomesStale) return;
    const now = await Promise.all(SENDING.map((status) => deps.alerts.list({ status, limit: 50 })));
    const ids = new Set(now.flat().map((a) => a.id));
    for (const [id, refreshedAt] of sending) {
      if (!ids.has(id)) {
        sending.delete(id);
        await homesOf(id);
      } else if (Date.now() - refreshedAt >= HOME_PROGRESS_MS) {
        sending.set(id, Date.now());
        await homesOf(id);
      }
    }
    for (const id of ids) if (!sending.has(id)) sending.set(id, Date.now());
  }

  /**
   * One sync per alert at a time, in this process (a call while one runs waits for it and runs
   * again) and across processes (`exclusive`: the poller of one process and a click handled by
   * another must not both post the same message). When another process holds the alert too long
   * this sync is skipped: the poller brings the messages up to date on its next round.
   */
  function sync(alertId: string, force = false): Promise<void> {
    const previous = running.get(alertId) ?? Promise.resolve();
    const once = async () => {
      if (!deps.exclusive) return syncOnce(alertId, force);
      const done = await deps.exclusive(`slack-alert-messages:${alertId}`, () => syncOnce(alertId, force));
      if (!done.ran) logger.debug({ alertId }, 'alert messages are being updated by another process');
    };
    const next = previous
      .catch(() => undefined)
      .then(once)
      .finally(() => {
        if (running.get(alertId) === next) running.delete(alertId);
      });
    running.set(alertId, next);
    return next;
  }

  async function poll() {
    if (polling) return;
    polling = true;
    try {
      // Alerts followed in Slack, and every alert waiting for approval (requested anywhere): its approvers get DMs.
      const waiting = await deps.alerts.list({ status: 'awaiting_approval', limit: 50 });
      const ids = new Set([...(await deps.messages.openAlertIds(100)), ...waiting.map((a) => a.id)]);
      for (const id of ids) {
        await sync(id).catch((error: unknown) =>
          logger.warn({ alertId: id, err: (error as Error).message }, 'slack alert message sync failed'),
        );
      }
      await followSending().catch((error: unknown) =>
        logger.warn({ err: (error as Error).message }, 'slack app home refresh failed'),
      );
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'slack alert poll failed');
    } finally {
      polling = false;
    }
  }

  return {
    /** Start following an alert requested in Slack: the requester's preview follows. */
    async follow(alertId: string, requester: { slackUser: string; email: string; version: number }) {
      await deps.messages.track({ alertId, role: 'requester', ...requester });
      await sync(alertId).catch((error: unknown) =>
        logger.warn({ alertId, err: (error as Error).message }, 'slack alert message sync failed'),
      );
    },
    /** Bring an alert's messages up to date now (after a decision in Slack), past the rate limit. */
    sync,
    /** The poller: one process of the deployment runs it (a singleton job, main/). */
    start() {
      if (timer) return;
      timer = setInterval(() => void poll(), pollMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...running.values()]);
    },
  };
}

export type AlertFace = ReturnType<typeof createAlertFace>;
