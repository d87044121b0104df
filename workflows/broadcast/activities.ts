import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { ChannelAdapters } from '../../channels/adapter.js';
import { createEmailChannel } from '../../channels/email/email-channel.js';
import type { EmailSender } from '../../channels/email/sender.js';
import type { CrmPort } from '../../crm/port.js';
import type { ContactPolicy } from '../../domain/audience/policy.js';
import { subscriptionForTopic } from '../../domain/audience/subscriptions.js';
import type { Decision } from '../../domain/broadcast/decision-rules.js';
import { finalSummary, type DeliveryCounts } from '../../domain/broadcast/final-summary.js';
import { signToken } from '../../domain/broadcast/signed-token.js';
import { trailLink as makeTrailLink } from '../../domain/broadcast/trail-link.js';
import type { AlertStatus, BroadcastPhase, Channel } from '../../domain/vocabulary/index.js';
import type { AlertStore } from '../../store/alerts.js';
import type { AlertEventStore } from '../../store/alert-events.js';
import type { ApprovalStore } from '../../store/approvals.js';
import { dbErrorForLog, isDataException } from '../../store/db.js';
import type { DeliveryStore } from '../../store/deliveries.js';
import type { ResponseStore } from '../../store/responses.js';
import type { TopicStore } from '../../store/topics.js';
import type { OwnerDigestStore } from '../../store/owner-digests.js';
import type { PeopleStore } from '../../store/people.js';
import type { CustomerDigestStore } from '../../store/customer-digests.js';
import { createCustomerDigestActivities, type DigestRunSlot } from './activities/customer-digests.js';
import { groupBySlot } from '../../domain/broadcast/send-timing.js';
import { resolveAudience } from './audience-resolution.js';
import { dispatchBatch } from './dispatch.js';
import { fallbackAfterLateBounce } from './late-bounce.js';
import type { CrmTeamQueue } from '../../domain/broadcast/directory-fix.js';
import { createSendSlots } from './send-slots.js';
import { DEFAULT_SMTP_POOL } from '../../channels/email/sender.js';
import { createCrmLoggingActivities } from './activities/crm-logging.js';
import { alertLoader } from './activities/load-alert.js';
import { createResponseActivities } from './activities/responses.js';
import { noticeDomain, sendStaffNotice } from './activities/staff-notice.js';
import { approvalRequest, finalSummaryNotice, requesterNotice, type Notice } from './notices.js';
import { createRateLimiter, createSharedRateLimiter, type SendPacer } from './rate-limiter.js';
import type { SendRateStore } from '../../store/send-rates.js';
import type { PreferenceStore } from '../../store/preferences.js';
import type { Metrics } from '../../lib/metrics.js';
import { DECISION_UNRECORDABLE, type Revision } from './shared.js';

export interface BroadcastActivityDeps {
  crm: CrmPort;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  approvals: ApprovalStore;
  responses: ResponseStore;
  /**
   * Whom each approver-group email is bound to (services/approver-groups.ts): the requester is asked
   * at no address bound to them, whatever address they requested under. Absent: judged by email alone.
   */
  people?: Pick<PeopleStore, 'boundTo'>;
  /** The trail's own records (approval requests, reminders, notices, tasks, the summary, resends); absent: not recorded. */
  events?: AlertEventStore;
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
  /** Rates of those channels (messages per second). */
  slackDmRatePerSecond?: number;
  smsRatePerSecond?: number;
  /**
   * Where the channels' rates are kept: in PostgreSQL, shared by every worker on the database, so
   * the rates are the deployment's; unset (PGlite, one process): in this worker.
   */
  sendRates?: Pick<SendRateStore, 'lease'>;
  /** Who gets the address-fix task of a contact without an account owner (CRM_TEAM_QUEUE_OWNER); unset: the requester. */
  crmTeamQueue?: CrmTeamQueue;
  /** Deliveries and approval decisions counted for operators (lib/metrics.ts); unset: not counted. */
  metrics?: Pick<Metrics, 'delivery' | 'approvalDecision'>;
  /** The contacts' own terms (preference centre cache); unset: nobody set any. */
  preferences?: Pick<PreferenceStore, 'forContacts'>;
  /** Each message's link to the contact's preference centre; unset: messages carry none. */
  preferenceLink?: (contactId: string) => string | null;
  /** Owner digests (activities/responses.ts); unset: every response goes to its owner on its own. */
  ownerDigests?: { store: OwnerDigestStore; first: number; intervalMs: number };
  /** false (ANNOUNCED_SCHEDULES=off): alerts go out when approved, whatever their topic's schedule. */
  announcedSchedules?: boolean;
  /** The topic catalogue: announced schedules and urgentAllowed; unset: every alert goes out as it happens. */
  topics?: Pick<TopicStore, 'get'>;
  /**
   * Test hook only (never wired in main/): the clock the announced slots are computed on, and how a
   * slot instant of that clock maps to a real one. Integration tests run a compressed day on the
   * Temporal dev server (which cannot skip time) so that two time zones' slots fall seconds apart.
   */
  slotClock?: { toSlotTime(realMs: number): number; toReal(slotMs: number): number };
  /** Customer digests (daily or weekly mode in the preference centre); unset: every alert goes out on its own. */
  customerDigests?: CustomerDigestStore;
  /** REPLY_DOMAIN: the digests' per-alert reply addresses (alert emails take it from the sender). */
  replyDomain?: string;
}

/** Approval link ids derive from (alert, version, approver): a retried notification reuses the same link. */
export function approvalLinkId(secret: string, alertId: string, version: number, approver: string): string {
  return createHmac('sha256', secret)
    .update(`approval-link:${alertId}:${version}:${approver}`)
    .digest('base64url')
    .slice(0, 22);
}

/**
 * Every activity of an alert and of its customers' responses: the alert's own steps here, in the
 * order the workflow takes them; its CRM logging and the responses in activities/.
 */
export function createBroadcastActivities(
  deps: BroadcastActivityDeps,
  worker: {
    /** Aborted when the worker begins to shut down: dispatch claims no more rows (see dispatch.ts). */
    draining?: AbortSignal;
  } = {},
) {
  const { crm, alerts, deliveries, approvals, mail } = deps;
  const domain = noticeDomain(deps.mailFrom);
  const channels: ChannelAdapters = { email: createEmailChannel(mail), ...deps.channels };
  // Messages this worker may have queued for its SMTP connections or on them, four per connection:
  // fewer starved the pool between ledger writes in bench:dispatch. Rows are claimed only once their
  // message is on a connection (dispatch.ts), so the queued ones cost nothing when a worker dies.
  const sendSlots = createSendSlots(4 * DEFAULT_SMTP_POOL.maxConnections);
  // One rate per channel, shared by every batch this worker runs, and by every worker when the store is shared.
  const pacer = (channel: Channel, perSecond: number): SendPacer =>
    deps.sendRates ? createSharedRateLimiter(deps.sendRates, channel, perSecond) : createRateLimiter(perSecond);
  const limiters: Partial<Record<Channel, SendPacer>> = {
    email: pacer('email', deps.emailRatePerSecond),
    ...(channels.slack ? { slack: pacer('slack', deps.slackDmRatePerSecond ?? 1) } : {}),
    ...(channels.sms ? { sms: pacer('sms', deps.smsRatePerSecond ?? 1) } : {}),
  };

  const loadAlert = alertLoader(alerts);

  const sendNotice = (n: Notice) => sendStaffNotice(mail, deps.mailFrom, n);

  /** The person's link to the alert's trail page (saved first, so it works when the message arrives); none without events. */
  async function trailLink(alertId: string, person: string): Promise<string | undefined> {
    if (!deps.events) return undefined;
    const link = makeTrailLink(deps.secret, alertId, person);
    await deps.events.saveTrailLink(link);
    return `${deps.publicUrl}${link.path}`;
  }

  async function approvalMails(alertId: string, version: number, reminder: boolean) {
    const alert = await loadAlert(alertId);
    for (const link of await approvals.linksFor(alertId, version)) {
      if (link.usedAt) continue;
      const url = `${deps.publicUrl}/approvals/${signToken(deps.secret, 'approval', link.id)}`;
      await sendNotice(approvalRequest(alert, link.approver, url, link.expiresAt, domain, reminder));
      const kind = reminder ? 'approval_reminded' : 'approval_requested';
      await deps.events?.record({
        alertId,
        kind,
        key: `${kind}:${version}:${link.approver}`,
        version,
        channel: 'email',
        outcome: 'sent',
        detail: `to ${link.approver}; link expires ${link.expiresAt}`,
      });
    }
  }

  const digestActivities = deps.customerDigests
    ? createCustomerDigestActivities({
        alerts,
        digests: deps.customerDigests,
        mail,
        channels,
        limiters,
        sendSlots,
        secret: deps.secret,
        sender: {
          from: deps.mailFrom,
          replyDomain: deps.replyDomain ?? noticeDomain(deps.mailFrom),
          publicUrl: deps.publicUrl,
        },
        quietHours: deps.policy.quietHours,
        ...(deps.preferences ? { preferences: deps.preferences } : {}),
        ...(deps.preferenceLink ? { preferenceLink: deps.preferenceLink } : {}),
        ...(deps.topics ? { topics: deps.topics } : {}),
        ...(deps.announcedSchedules !== undefined ? { announcedSchedules: deps.announcedSchedules } : {}),
        ...(deps.slotClock ? { slotClock: deps.slotClock } : {}),
      })
    : noCustomerDigests;

  const activities = {
    async resolveAudience(alertId: string): Promise<{ deliveries: number }> {
      const alert = await loadAlert(alertId);
      const workingChannels = (['email', 'slack', 'sms'] as const).filter((c) => channels[c] !== undefined);
      const summary = await resolveAudience(
        {
          crm,
          deliveries,
          policy: deps.policy,
          workingChannels,
          ...(deps.preferences ? { preferences: deps.preferences } : {}),
        },
        alert,
      );
      // The previews say when it goes out: the topic's schedule as of now and the audience's time zones.
      const topic = await deps.topics?.get(alert.topic);
      if (topic) {
        // Contacts who chose a digest for the topic wait for it (not with announced schedules off).
        const digests =
          deps.customerDigests && deps.announcedSchedules !== false
            ? await deliveries.pendingDigestCounts(alertId)
            : { daily: 0, weekly: 0 };
        const withDigests = digests.daily + digests.weekly > 0;
        summary.timing = {
          schedule: deps.announcedSchedules === false ? null : topic.schedule,
          urgentAllowed: topic.urgentAllowed,
          timeZones: await deliveries.pendingZoneCounts(alertId, withDigests),
          ...(withDigests ? { digests } : {}),
        };
      }
      await alerts.setSummary(alertId, summary);
      return { deliveries: summary.deliveries };
    },

    /** Links bound to each approver (never the requester) for this version, then the emails. */
    async requestApproval(alertId: string, version: number, expiresAt: string, approvers: string[]): Promise<void> {
      const alert = await loadAlert(alertId);
      await alerts.setStatus(alertId, 'awaiting_approval');
      // Never the requester: not their address now, nor a group address bound to them (renamed since).
      const boundToRequester = async (a: string) =>
        alert.requesterId !== null && deps.people !== undefined && (await deps.people.boundTo(a)) === alert.requesterId;
      const asked: string[] = [];
      for (const a of approvers) if (a !== alert.requester.toLowerCase() && !(await boundToRequester(a))) asked.push(a);
      await approvals.createLinks(
        asked.map((approver) => ({
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

    /**
     * The audit row and the alert's status for a decision the Update took. A decision the store
     * can never hold (text past the edge's checks) fails at once and for good: the workflow takes
     * the decision back and the alert stays decidable, instead of retrying this write for ever.
     */
    async recordDecision(alertId: string, version: number, d: Decision): Promise<void> {
      const status: AlertStatus =
        d.decision === 'approve' ? 'approved' : d.decision === 'reject' ? 'rejected' : 'changes_requested';
      try {
        // Audit row and status together (one transaction): a retried or abandoned record leaves no stray row.
        await approvals.recordDecision({
          alertId,
          version,
          approver: d.approver.toLowerCase(),
          action: d.decision,
          reason: d.reason ?? null,
          source: d.via,
          status,
          ...(d.urgent ? { detail: "urgent: sent at once, not at the topic's announced time" } : {}),
        });
      } catch (error) {
        if (!isDataException(error)) throw error;
        // The store's words, without the values it quotes: they say what is wrong, not what was sent.
        const { message } = dbErrorForLog(error as Error & Record<string, unknown>);
        throw ApplicationFailure.nonRetryable(
          `the store cannot hold this decision: ${String(message)}`,
          DECISION_UNRECORDABLE,
        );
      }
      if (deps.metrics) {
        // Request -> decision: from the version's approval links (the alert's creation when it had none).
        const requestedAt = (await approvals.requestedAt(alertId, version)) ?? (await loadAlert(alertId)).createdAt;
        deps.metrics.approvalDecision(d.decision, (Date.now() - Date.parse(requestedAt)) / 1000);
      }
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
        // The alert row keeps the latest version only: the trail names each version by its title.
        detail: `title: ${r.title}`,
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
      await deps.events?.record({
        alertId,
        kind: 'requester_notified',
        key: `requester_notified:${kind}:${alert.version}`,
        version: alert.version,
        channel: 'email',
        outcome: kind,
        detail: `to ${alert.requester}`,
      });
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
          draining: worker.draining,
          metrics: deps.metrics,
          subscriptions: {
            target: (topic) => subscriptionForTopic(deps.policy.subscriptionTypes ?? {}, topic),
            read: (emails) => crm.getEmailSubscriptionStatuses(emails),
          },
          ...(deps.preferenceLink ? { preferenceLink: deps.preferenceLink } : {}),
          ...(deps.preferences ? { preferences: deps.preferences } : {}),
        },
        alert,
        batch,
        size,
      );
    },

    async refreshCounts(alertId: string): Promise<DeliveryCounts> {
      const counts = await deliveries.counts(alertId);
      await alerts.setCounts(alertId, counts);
      return counts;
    },

    /** `dueOnly`: batches with rows due now, not those only held for a later slot or the end of quiet hours. */
    async batchesWithPending(alertId: string, batchSize: number, dueOnly?: boolean): Promise<number[]> {
      return deliveries.batchesWithPending(alertId, batchSize, dueOnly ? new Date() : undefined);
    },

    /**
     * Holds each contact's row until the topic's next announced slot in the contact's time zone
     * (not before the send window opens); quiet hours are judged again when the slot comes (the
     * later wins). Urgent, or a topic without schedule: nothing is held. Idempotent: a retry
     * computes the same slots from the same instant onwards, and a row keeps the later of its times.
     */
    async holdForSlots(alertId: string, urgent: boolean): Promise<{ at: string; zones: number; rows: number }[]> {
      const alert = await loadAlert(alertId);
      const topic = await deps.topics?.get(alert.topic);
      if (!topic?.schedule || urgent || deps.announcedSchedules === false) return [];
      const clock = deps.slotClock ?? { toSlotTime: (ms: number) => ms, toReal: (ms: number) => ms };
      // From the approval (not this attempt's clock): a retry after a slot passed finds the same slots.
      const approvedAt = alert.approvedAt ? Date.parse(alert.approvedAt) : Date.now();
      const notBefore = alert.sendWindow?.notBefore ? Date.parse(alert.sendWindow.notBefore) : 0;
      const from = new Date(clock.toSlotTime(Math.max(approvedAt, notBefore)));
      const groups = groupBySlot(await deliveries.pendingTimeZones(alertId), topic.schedule, from);
      const held: { at: string; zones: number; rows: number }[] = [];
      for (const g of groups) {
        const at = new Date(clock.toReal(Date.parse(g.at))).toISOString();
        held.push({ at, zones: g.zones.length, rows: await deliveries.holdZonesUntil(alertId, g.zones, at) });
      }
      return held;
    },

    /**
     * holdForSlots, then (customer digests) the rows whose contact chose a digest for the topic wait
     * for it: one activity, so an alert without digest rows costs no more than before.
     */
    async holdForSlotsAndDigests(
      alertId: string,
      urgent: boolean,
    ): Promise<{ held: { at: string; zones: number; rows: number }[]; digestRuns: DigestRunSlot[] }> {
      const held = await activities.holdForSlots(alertId, urgent);
      return { held, digestRuns: await digestActivities.holdForDigests(alertId, urgent) };
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

    async sendFinalSummary(alertId: string): Promise<void> {
      const alert = await loadAlert(alertId);
      const counts = await deliveries.counts(alertId);
      await alerts.setCounts(alertId, counts);
      const summary = finalSummary(counts);
      await sendNotice(finalSummaryNotice(alert, summary, domain, await trailLink(alertId, alert.requester)));
      await deps.events?.record({
        alertId,
        kind: 'summary_sent',
        key: 'summary_sent',
        channel: 'email',
        outcome: 'sent',
        detail: `to ${alert.requester}; sent ${counts.sent}, unconfirmed ${counts.unconfirmed}, failed ${counts.failed}, bounced ${counts.bounced}`,
      });
    },

    /** A resend's rows: the alert's unconfirmed rows, back to pending under this resend's id; audited once. */
    async takeUnconfirmedForResend(alertId: string, resendId: string, by: string): Promise<number> {
      if (!deps.events) throw ApplicationFailure.nonRetryable('this worker keeps no alert events', 'ALERT_MISSING');
      const rows = await deps.events.takeUnconfirmedForResend(alertId, resendId);
      await deps.events.record({
        alertId,
        kind: 'resend_requested',
        key: `resend_requested:${resendId}`,
        actor: by,
        outcome: 'confirmed',
        ref: resendId,
        detail: `${rows} unconfirmed row(s) sent again; confirmed that some may already have the message`,
      });
      return rows;
    },

    async finishResend(alertId: string, resendId: string): Promise<Record<string, number>> {
      const outcome = (await deps.events?.resendOutcome(alertId, resendId)) ?? {};
      await deps.events?.record({
        alertId,
        kind: 'resend_done',
        key: `resend_done:${resendId}`,
        outcome: Object.entries(outcome)
          .map(([status, n]) => `${status} ${n}`)
          .join(', '),
        ref: resendId,
      });
      return outcome;
    },

    ...digestActivities,
    ...createCrmLoggingActivities({ ...deps, ...(deps.customerDigests ? { digests: deps.customerDigests } : {}) }),
    ...createResponseActivities({
      ...deps,
      // A DSN's fallback try goes out on this worker's channels, paced like the dispatch.
      fallbackAfterBounce: (alert, contactId, bounce, retry) =>
        fallbackAfterLateBounce(
          {
            deliveries,
            mail,
            channels,
            secret: deps.secret,
            limiters,
            ...(deps.preferenceLink ? { preferenceLink: deps.preferenceLink } : {}),
          },
          alert,
          contactId,
          bounce,
          retry,
        ),
    }),
  };
  return activities;
}

export type BroadcastActivities = ReturnType<typeof createBroadcastActivities>;

/** A worker without the digest store holds nothing for digests: every row goes out on its own. */
const noCustomerDigests: ReturnType<typeof createCustomerDigestActivities> = {
  holdForDigests: () => Promise.resolve([]),
  digestState: () => Promise.resolve({ last: null, overdue: [] }),
  sendDigestPage: () => Promise.reject(ApplicationFailure.nonRetryable('this worker keeps no digests', 'NO_DIGESTS')),
  digestRunCounts: () => Promise.reject(ApplicationFailure.nonRetryable('this worker keeps no digests', 'NO_DIGESTS')),
};
