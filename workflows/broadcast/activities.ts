import { createHmac } from 'node:crypto';
import { activityInfo, ApplicationFailure, heartbeat, log } from '@temporalio/activity';
import type { ChannelAdapters } from '../../channels/adapter.js';
import { createEmailChannel } from '../../channels/email/email-channel.js';
import type { EmailSender } from '../../channels/email/sender.js';
import { CrmError, type CrmPort, type NewEngagement } from '../../crm/port.js';
import { AUDIENCE_PROPERTIES } from '../../domain/audience/types.js';
import type { ContactPolicy } from '../../domain/audience/policy.js';
import type { Decision } from '../../domain/broadcast/decision-rules.js';
import { finalSummary, type DeliveryCounts } from '../../domain/broadcast/final-summary.js';
import { signToken } from '../../domain/broadcast/signed-token.js';
import type { AlertStatus, BroadcastPhase, Channel } from '../../domain/vocabulary/index.js';
import type { AlertRow, AlertStore } from '../../store/alerts.js';
import type { ApprovalStore } from '../../store/approvals.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import { resolveAudience } from './audience-resolution.js';
import { dispatchBatch } from './dispatch.js';
import { createSendSlots } from './send-slots.js';
import { DEFAULT_SMTP_POOL } from '../../channels/email/sender.js';
import { approvalRequest, finalSummaryNotice, requesterNotice, responseNotice, type Notice } from './notices.js';
import { createRateLimiter } from './rate-limiter.js';
import type { Revision } from './shared.js';

export interface BroadcastActivityDeps {
  crm: CrmPort;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  approvals: ApprovalStore;
  responses: ResponseStore;
  mail: EmailSender;
  /** From address of staff notices (approval requests, summaries). */
  mailFrom: string;
  /** HMAC key of links and reply tokens. */
  secret: string;
  /** Base of links in emails, e.g. https://rapport.example.com */
  publicUrl: string;
  policy: ContactPolicy;
  emailRatePerSecond: number;
  /** Slack and SMS adapters of this worker, when configured; a channel without one falls back (email is always on). */
  channels?: Pick<ChannelAdapters, 'slack' | 'sms'>;
  /** Per-worker rates of those channels (messages per second). */
  slackDmRatePerSecond?: number;
  smsRatePerSecond?: number;
}

const CRM_BATCH = 100;

/** Approval link ids derive from (alert, version, approver): a retried notification reuses the same link. */
export function approvalLinkId(secret: string, alertId: string, version: number, approver: string): string {
  return createHmac('sha256', secret)
    .update(`approval-link:${alertId}:${version}:${approver}`)
    .digest('base64url')
    .slice(0, 22);
}

/** How the timeline says where an alert went. */
const CHANNEL_WORDS: Record<Channel, string> = { email: 'by email', slack: 'by Slack DM', sms: 'by SMS' };

/**
 * The CRM refused a write for good: a 4xx other than 429 (e.g. a contact deleted or merged since
 * the audience was resolved), which no retry can change. A rate limit, a 5xx or the network are
 * worth retrying, and a refused token is the integration's fault, not the row's: those still throw.
 */
function refusedForGood(error: unknown): error is CrmError {
  return error instanceof CrmError && !error.retryable && error.code !== 'CRM_AUTH';
}

const describeCrmError = (e: CrmError) => `${e.code}${e.status ? ` (${e.status})` : ''}: ${e.message}`;

/**
 * `write` of all the items in one call; when the CRM refuses that call for good, each item in a
 * call of its own (`alone`), so only the items it refuses fail. Each item's result, or its refusal.
 */
async function aloneOnRefusal<T, R>(
  items: T[],
  write: (items: T[], alone: boolean) => Promise<R[]>,
  beat: () => void,
): Promise<(R | CrmError)[]> {
  try {
    return await write(items, false);
  } catch (error) {
    if (!refusedForGood(error)) throw error;
    if (items.length === 1) return [error];
  }
  const results: (R | CrmError)[] = [];
  for (const item of items) {
    beat();
    try {
      results.push((await write([item], true))[0]!);
    } catch (error) {
      if (!refusedForGood(error)) throw error;
      results.push(error);
    }
  }
  return results;
}

/**
 * A notice to a member of staff (approval request, answer to route, summary). Refused for good
 * (an approver's address mistyped in APPROVER_GROUPS, a rep who left): logged and skipped, so one
 * bad address neither stops the others' mail nor retries for ever. A temporary refusal throws.
 */
async function sendStaffNotice(mail: EmailSender, from: string, n: Notice): Promise<boolean> {
  const result = await mail.send({
    from,
    to: n.to,
    subject: n.subject,
    html: n.html,
    text: n.text,
    messageId: n.messageId,
    headers: n.headers,
  });
  if (result.accepted) return true;
  if (!result.permanent) throw new Error(`notice to ${n.to} refused for now: ${result.response}`);
  log.warn('notice refused for good; skipped', { to: n.to, subject: n.subject, response: result.response });
  return false;
}

export function createBroadcastActivities(deps: BroadcastActivityDeps) {
  const { crm, alerts, deliveries, approvals, mail } = deps;
  const domain = deps.mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'rapport.local';
  const channels: ChannelAdapters = { email: createEmailChannel(mail), ...deps.channels };
  // Four per SMTP connection: fewer starved the pool between ledger writes in bench:dispatch (0.66 of
  // bare nodemailer with two, 0.84 with six at 20k); each is a row a killed worker reports unconfirmed.
  const sendSlots = createSendSlots(4 * DEFAULT_SMTP_POOL.maxConnections);
  // One rate per channel and process, shared by every batch this worker runs.
  const limiters: Partial<Record<Channel, () => Promise<void>>> = {
    email: createRateLimiter(deps.emailRatePerSecond),
    ...(channels.slack ? { slack: createRateLimiter(deps.slackDmRatePerSecond ?? 1) } : {}),
    ...(channels.sms ? { sms: createRateLimiter(deps.smsRatePerSecond ?? 1) } : {}),
  };

  async function loadAlert(alertId: string): Promise<AlertRow> {
    const alert = await alerts.get(alertId);
    if (!alert) throw ApplicationFailure.nonRetryable(`alert ${alertId} is not in the store`, 'ALERT_MISSING');
    return alert;
  }

  const sendNotice = (n: Notice) => sendStaffNotice(mail, deps.mailFrom, n);

  async function approvalMails(alertId: string, version: number, reminder: boolean) {
    const alert = await loadAlert(alertId);
    for (const link of await approvals.linksFor(alertId, version)) {
      if (link.usedAt) continue;
      const url = `${deps.publicUrl}/approvals/${signToken(deps.secret, 'approval', link.id)}`;
      await sendNotice(approvalRequest(alert, link.approver, url, link.expiresAt, domain, reminder));
    }
  }

  return {
    async resolveAudience(alertId: string): Promise<{ deliveries: number }> {
      const alert = await loadAlert(alertId);
      const summary = await resolveAudience({ crm, deliveries, policy: deps.policy }, alert);
      await alerts.setSummary(alertId, summary);
      return { deliveries: summary.deliveries };
    },

    /** Links bound to each approver (never the requester) for this version, then the emails. */
    async requestApproval(alertId: string, version: number, expiresAt: string, approvers: string[]): Promise<void> {
      const alert = await loadAlert(alertId);
      await alerts.setStatus(alertId, 'awaiting_approval');
      await approvals.createLinks(
        approvers
          .filter((a) => a !== alert.requester.toLowerCase())
          .map((approver) => ({
            id: approvalLinkId(deps.secret, alertId, version, approver),
            alertId,
            version,
            approver,
            expiresAt,
          })),
      );
      await approvalMails(alertId, version, false);
    },

    async remindApprovers(alertId: string, version: number): Promise<void> {
      await approvalMails(alertId, version, true);
    },

    async recordDecision(alertId: string, version: number, d: Decision): Promise<void> {
      await approvals.audit({
        alertId,
        version,
        actor: d.approver.toLowerCase(),
        action: d.decision,
        outcome: 'accepted',
        reason: d.reason ?? null,
        source: d.via,
      });
      const status: AlertStatus =
        d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'changes_requested';
      await alerts.setStatus(alertId, status, { decidedBy: d.approver.toLowerCase(), comment: d.reason });
    },

    async applyRevision(alertId: string, version: number, r: Revision): Promise<void> {
      await alerts.revise(alertId, version, r.title, r.body);
      await approvals.audit({
        alertId,
        version,
        actor: r.requester.toLowerCase(),
        action: 'revise',
        outcome: 'accepted',
        reason: r.comment ?? null,
        source: 'api',
      });
    },

    async notifyRequester(
      alertId: string,
      kind: 'rejected' | 'changes_requested' | 'expired',
      comment: string | null,
    ): Promise<void> {
      const alert = await loadAlert(alertId);
      await sendNotice(
        requesterNotice(alert, kind, comment, `${deps.publicUrl}/api/alerts/${alert.id}/revision`, domain),
      );
    },

    async startDispatch(alertId: string, batchSize: number): Promise<number> {
      await alerts.setStatus(alertId, 'dispatching');
      return Math.ceil((await deliveries.size(alertId)) / batchSize);
    },

    async dispatchBatch(alertId: string, batch: number, size: number) {
      const alert = await loadAlert(alertId);
      return dispatchBatch(
        {
          deliveries,
          mail,
          channels,
          secret: deps.secret,
          limiters,
          sendSlots,
          quietHours: deps.policy.quietHours,
          frequencyCap: deps.policy.frequencyCap,
        },
        alert,
        batch,
        size,
      );
    },

    /**
     * Every delivery (and bounce) of the batch onto the contact's CRM timeline, 100 per request.
     * A write the CRM refuses for good (a contact deleted or merged since resolution) is made again
     * row by row; the rows it still refuses are marked logged with the error, never retried, so
     * they cannot hold the alert in 'dispatching'. Temporary failures throw: Temporal retries.
     */
    async logBatchToCrm(alertId: string, batch: number, size: number): Promise<number> {
      const alert = await loadAlert(alertId);
      const rows = await deliveries.unloggedInBatch(alertId, batch, size);
      // Rows still unlogged on a first attempt were never written to the CRM (a failed attempt is retried,
      // never abandoned): the create needs no look-up of the keys first, which would cost a search per chunk.
      const firstAttempt = activityInfo().attempt === 1;
      for (let i = 0; i < rows.length; i += CRM_BATCH) {
        heartbeat({ batch, row: i });
        const chunk = rows.slice(i, i + CRM_BATCH);
        const engagements: NewEngagement[] = chunk.map((r) => ({
          // A Slack DM or a text is not an email on the timeline: it is logged as a note saying how it went.
          kind: (r.sentChannel ?? r.channel) === 'email' ? 'email' : 'note',
          idempotencyKey: `${alertId}:${r.contactId}`,
          firstAttempt,
          contactId: r.contactId,
          ownerId: r.ownerId,
          timestamp: r.sentAt ?? new Date().toISOString(),
          title: alert.title,
          body: [
            `Rapport alert ${alert.id} (topic ${alert.topic}) ${r.status === 'sent' ? 'sent' : 'BOUNCED'} ${CHANNEL_WORDS[r.sentChannel ?? r.channel]} to ${r.sentChannel === r.fallbackChannel && r.fallbackAddress ? r.fallbackAddress : r.address}.`,
            `Requested by ${alert.requester}; approved by ${alert.decidedBy ?? 'n/a'}.`,
            '',
            alert.body,
          ].join('\n'),
        }));
        const beat = () => heartbeat({ batch, row: i });
        /** Contact id -> what the CRM refused for good, kept on the row. */
        const refused = new Map<string, string[]>();
        const refuse = (contactId: string, what: string, error: CrmError) =>
          refused.set(contactId, [...(refused.get(contactId) ?? []), `${what}: ${describeCrmError(error)}`]);
        // One request per kind: a refused batch may have written the other kind already, so a
        // row's own retry looks its key up first (the adapter remembers what it just wrote).
        const created = await aloneOnRefusal(
          engagements,
          (es, alone) => crm.createEngagements(alone ? es.map((e) => ({ ...e, firstAttempt: false })) : es),
          beat,
        );
        created.forEach((c, j) => {
          if (c instanceof CrmError) refuse(chunk[j]!.contactId, 'timeline', c);
        });
        // A hard bounce, also one the fallback channel made up for: the address is still bad.
        const bounced = chunk.filter((r) => r.status === 'bounced' || r.emailBounced);
        if (bounced.length > 0) {
          // The directory is amended without anyone doing it by hand: the address is flagged and the owner gets a task.
          const flagged = await aloneOnRefusal(
            bounced,
            async (rs) => {
              await crm.updateContactsProperties(
                rs.map((r) => ({ id: r.contactId, properties: { [AUDIENCE_PROPERTIES.emailInvalid]: 'true' } })),
              );
              return rs.map(() => true);
            },
            beat,
          );
          flagged.forEach((f, j) => {
            if (f instanceof CrmError) refuse(bounced[j]!.contactId, 'email flag', f);
          });
          const withOwner = bounced.filter((r) => r.ownerId);
          if (withOwner.length > 0) {
            const tasks = await aloneOnRefusal(
              withOwner,
              (rs) =>
                crm.createTasks(
                  rs.map((r) => ({
                    idempotencyKey: `${alertId}:bounce:${r.contactId}`,
                    ownerId: r.ownerId!,
                    subject: `Email bounced: ${r.email ?? r.address}`,
                    body: `The alert "${alert.title}" (${alert.id}) bounced: ${r.lastError ?? ''}.${r.status === 'sent' ? ` It reached the contact ${CHANNEL_WORDS[r.sentChannel ?? r.channel]} instead.` : ''} Please check the contact's address.`,
                    dueAt: new Date(Date.now() + 86_400_000).toISOString(),
                    contactIds: [r.contactId],
                    priority: 'HIGH',
                  })),
                ),
              beat,
            );
            tasks.forEach((task, j) => {
              if (task instanceof CrmError) refuse(withOwner[j]!.contactId, 'bounce task', task);
            });
          }
        }
        if (refused.size > 0) {
          log.warn('CRM refused some of the batch for good; those rows are logged with the error', {
            alertId,
            batch,
            refused: Object.fromEntries(refused),
          });
        }
        await deliveries.markLogged(
          alertId,
          chunk.map((r, j) => {
            const c = created[j]!;
            return {
              contactId: r.contactId,
              engagementId: c instanceof CrmError ? null : c.id,
              error: refused.get(r.contactId)?.join('; ') ?? null,
            };
          }),
        );
      }
      return rows.length;
    },

    async refreshCounts(alertId: string): Promise<DeliveryCounts> {
      const counts = await deliveries.counts(alertId);
      await alerts.setCounts(alertId, counts);
      return counts;
    },

    async batchesWithPending(alertId: string, batchSize: number): Promise<number[]> {
      return deliveries.batchesWithPending(alertId, batchSize);
    },

    async nextDeferred(alertId: string): Promise<string | null> {
      return deliveries.nextDeferred(alertId);
    },

    async closeSendWindow(alertId: string): Promise<number> {
      return deliveries.cancelPending(alertId);
    },

    async setPhase(alertId: string, phase: BroadcastPhase): Promise<void> {
      if (phase !== 'resolving') await alerts.setStatus(alertId, phase);
    },

    async finishAlert(alertId: string, phase: BroadcastPhase, comment: string | null): Promise<DeliveryCounts> {
      if (phase === 'cancelled') {
        await deliveries.cancelPending(alertId);
        await approvals.audit({
          alertId,
          actor: null,
          action: 'cancel',
          outcome: 'accepted',
          reason: comment,
          source: 'workflow',
        });
      }
      await alerts.setStatus(alertId, phase, comment ? { comment } : {});
      const counts = await deliveries.counts(alertId);
      await alerts.setCounts(alertId, counts);
      return counts;
    },

    /** One task per owner listing the contacts who did not respond; keyed so a retry creates none twice. */
    async createNonResponderTasks(alertId: string): Promise<number> {
      const alert = await loadAlert(alertId);
      const groups = (await deliveries.nonRespondersByOwner(alertId)).filter((g) => g.ownerId);
      const tasks = groups.map((g) => ({
        idempotencyKey: `${alertId}:nonresponders:${g.ownerId}`,
        ownerId: g.ownerId!,
        subject: `Follow up: ${g.contacts.length} contact(s) did not respond to "${alert.title}"`,
        body: [
          `Alert ${alert.id} (${alert.topic}). No response from:`,
          ...g.contacts.map((c) => `- ${c.address} (CRM ${c.contactId})`),
        ].join('\n'),
        dueAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        contactIds: g.contacts.slice(0, 100).map((c) => c.contactId),
      }));
      for (let i = 0; i < tasks.length; i += CRM_BATCH) {
        heartbeat({ task: i });
        const chunk = tasks.slice(i, i + CRM_BATCH);
        const results = await aloneOnRefusal(
          chunk,
          (items) => crm.createTasks(items),
          () => heartbeat({ task: i }),
        );
        for (const [j, result] of results.entries()) {
          if (!(result instanceof CrmError)) continue;
          // A contact deleted or merged since the send refuses the association, not the task: the owner
          // still gets the list, without the links to the contacts.
          const task = chunk[j]!;
          const [bare] = await aloneOnRefusal(
            [{ ...task, contactIds: [] }],
            (items) => crm.createTasks(items),
            () => heartbeat({ task: i }),
          );
          if (bare instanceof CrmError)
            log.warn('CRM refused a non-responder task for good', {
              owner: task.ownerId,
              error: describeCrmError(bare),
            });
        }
      }
      return tasks.length;
    },

    async sendFinalSummary(alertId: string): Promise<void> {
      const alert = await loadAlert(alertId);
      const counts = await deliveries.counts(alertId);
      await alerts.setCounts(alertId, counts);
      await sendNotice(finalSummaryNotice(alert, finalSummary(counts), domain));
    },
  };
}

export type BroadcastActivities = ReturnType<typeof createBroadcastActivities>;

export function createResponseActivities(deps: BroadcastActivityDeps) {
  const { crm, alerts, deliveries, responses, mail } = deps;
  const domain = deps.mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'rapport.local';

  async function load(responseId: number) {
    const response = await responses.get(responseId);
    if (!response)
      throw ApplicationFailure.nonRetryable(`response ${responseId} is not in the store`, 'RESPONSE_MISSING');
    const alert = await alerts.get(response.alertId);
    const delivery = await deliveries.get(response.alertId, response.contactId);
    if (!alert || !delivery)
      throw ApplicationFailure.nonRetryable(`alert of response ${responseId} is gone`, 'RESPONSE_MISSING');
    return { response, alert, delivery };
  }

  return {
    async logResponseToCrm(responseId: number): Promise<string> {
      const { response, alert, delivery } = await load(responseId);
      const label = {
        interested: 'Interested',
        'call-me': 'Call me',
        'not-now': 'Not now',
        unsubscribe: 'Unsubscribe',
        reply: 'Replied',
        bounce: 'Bounced',
      }[response.kind];
      const engagement = await crm.createEngagement({
        kind: 'note',
        idempotencyKey: `rsp:${response.dedupeKey}`,
        contactId: response.contactId,
        ownerId: delivery.ownerId,
        timestamp: response.receivedAt,
        title: `Response to alert "${alert.title}": ${label}`,
        body: [`Alert ${alert.id} (topic ${alert.topic}).`, ...(response.body ? ['', response.body] : [])].join('\n'),
      });
      if (response.kind === 'unsubscribe') {
        await crm.updateContactProperties(response.contactId, { [AUDIENCE_PROPERTIES.unsubscribedAll]: 'true' });
      }
      if (response.kind === 'bounce') {
        await crm.updateContactProperties(response.contactId, { [AUDIENCE_PROPERTIES.emailInvalid]: 'true' });
        if (delivery.ownerId) {
          await crm.createTask({
            idempotencyKey: `rsp:${response.dedupeKey}:task`,
            ownerId: delivery.ownerId,
            subject: `Email bounced: ${delivery.email ?? delivery.address}`,
            body: `The alert "${alert.title}" (${alert.id}) bounced. Please check the contact's address.`,
            dueAt: new Date(Date.now() + 86_400_000).toISOString(),
            contactIds: [delivery.contactId],
            priority: 'HIGH',
          });
        }
      }
      return engagement.id;
    },

    /** Replies and answers go to whoever the requester chose: the analyst, or the contact's account owner. */
    async routeResponse(responseId: number): Promise<string | null> {
      const { response, alert, delivery } = await load(responseId);
      if (response.kind === 'unsubscribe' || response.kind === 'bounce') return null;
      const owner = delivery.ownerId ? await crm.getOwner(delivery.ownerId) : null;
      const to = alert.replyOwner === 'owner' && owner?.email ? owner.email : alert.requester;
      if (response.kind === 'call-me' && delivery.ownerId) {
        await crm.createTask({
          idempotencyKey: `rsp:${response.dedupeKey}:task`,
          ownerId: delivery.ownerId,
          subject: `Call back ${delivery.email ?? delivery.address}: asked to be called about "${alert.title}"`,
          body: `Alert ${alert.id}. The customer clicked "Call me".`,
          dueAt: new Date(Date.now() + 86_400_000).toISOString(),
          contactIds: [delivery.contactId],
          priority: 'HIGH',
        });
      }
      const notice = responseNotice(
        alert,
        to,
        { id: delivery.contactId, email: delivery.email },
        response.kind,
        response.body,
        domain,
        response.id,
      );
      await sendStaffNotice(mail, deps.mailFrom, notice);
      return to;
    },

    async markResponseHandled(responseId: number): Promise<void> {
      await responses.markHandled(responseId);
    },
  };
}

export type ResponseActivities = ReturnType<typeof createResponseActivities>;
