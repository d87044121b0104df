import { activityInfo, ApplicationFailure, log } from '@temporalio/activity';
import type { EmailSender } from '../../../channels/email/sender.js';
import type { CrmPort } from '../../../crm/port.js';
import { subscriptionForTopic, type SubscriptionMap } from '../../../domain/audience/subscriptions.js';
import { AUDIENCE_PROPERTIES } from '../../../domain/audience/types.js';
import { RESPONSE_KIND_LABELS } from '../../../domain/vocabulary/index.js';
import type { AlertEventStore } from '../../../store/alert-events.js';
import type { AlertStore } from '../../../store/alerts.js';
import type { DeliveryStore } from '../../../store/deliveries.js';
import type { ResponseStore } from '../../../store/responses.js';
import type { CrmTeamQueue } from '../../../domain/broadcast/directory-fix.js';
import type { AlertRow } from '../../../store/alerts.js';
import { LATE_BOUNCE } from '../../../store/deliveries.js';
import type { LateFallbackOutcome } from '../late-bounce.js';
import { responseNotice } from '../notices.js';
import { ownerDigestNotice } from '../owner-digest-notice.js';
import type { OwnerDigestStore } from '../../../store/owner-digests.js';
import { trailLink as makeTrailLink } from '../../../domain/broadcast/trail-link.js';
import { isOutcomeUnknown } from '../../../channels/send-error.js';
import { assignmentNote, directoryFixKey, directoryFixOwners } from './directory-fix.js';
import { noticeDomain, sendStaffNotice } from './staff-notice.js';

export interface ResponseActivityDeps {
  crm: CrmPort;
  alerts: AlertStore;
  deliveries: DeliveryStore;
  responses: ResponseStore;
  /** The alert's trail: where each response was routed, the tasks it created; absent: not recorded. */
  events?: AlertEventStore;
  mail: EmailSender;
  mailFrom: string;
  /** Alert topic -> the CRM email subscription it is sent under (ContactPolicy.subscriptionTypes). */
  policy?: { subscriptionTypes?: SubscriptionMap };
  /** Who gets the address-fix task of a contact without an account owner (CRM_TEAM_QUEUE_OWNER); unset: the requester. */
  crmTeamQueue?: CrmTeamQueue;
  /**
   * The one fallback try after a bounce that came back once the email had been accepted (a DSN):
   * late-bounce.ts, given this worker's channels. Unset: no fallback (the bounce is recorded only).
   */
  /**
   * Owner digests: the first `first` responses to an alert go to their owner one by one, the rest in
   * one digest per `intervalMs` (store/owner-digests.ts). Unset: every response is sent on its own.
   */
  ownerDigests?: { store: OwnerDigestStore; first: number; intervalMs: number };
  /** HMAC key and base URL of the digest's links to the alert's responses (trail page, dashboard). */
  secret?: string;
  publicUrl?: string;
  fallbackAfterBounce?: (
    alert: AlertRow,
    contactId: string,
    bounce: string,
    retry: boolean,
  ) => Promise<LateFallbackOutcome>;
}

/**
 * One customer response (action link, reply, unsubscribe, bounce): onto the CRM timeline, and
 * to whoever owns replies for the alert.
 */
export function createResponseActivities(deps: ResponseActivityDeps) {
  const { crm, alerts, deliveries, responses, mail } = deps;
  const domain = noticeDomain(deps.mailFrom);
  const assigneeOf = directoryFixOwners(crm, deps.crmTeamQueue);

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

  /**
   * A bounce is routed to the contact's fallback channel: one try (late-bounce.ts), then the
   * alert's counts and, when it reached the contact, a note on the CRM timeline. The note is
   * written whenever the ledger shows the late fallback sent, so a retry after a crash still writes it.
   */
  async function fallbackAfterBounce(bounce: string, alert: AlertRow, contactId: string): Promise<void> {
    if (!deps.fallbackAfterBounce) return;
    const outcome = await deps.fallbackAfterBounce(alert, contactId, bounce, activityInfo().attempt > 1);
    if (outcome !== 'none') await alerts.setCounts(alert.id, await deliveries.counts(alert.id));
    const row = await deliveries.get(alert.id, contactId);
    if (!row || row.status !== 'sent' || !row.emailBounced || !row.lastError?.startsWith(LATE_BOUNCE)) return;
    const where = row.sentChannel === 'sms' ? 'by SMS' : row.sentChannel === 'slack' ? 'by Slack DM' : 'by email';
    await crm.createEngagement({
      kind: 'note',
      idempotencyKey: `${alert.id}:${contactId}:late-fallback`,
      contactId,
      ownerId: row.ownerId,
      timestamp: row.sentAt ?? new Date().toISOString(),
      title: alert.title,
      body: [
        `Rapport alert ${alert.id} (topic ${alert.topic}) bounced after delivery by email and was sent ${where} to ${row.fallbackAddress ?? row.address} instead.`,
        '',
        alert.body,
      ].join('\n'),
    });
  }
  /** A task a response created, on the alert's trail (once: the key is the task's own). */
  const taskRecorded = (
    response: { alertId: string; contactId: string; kind: string; dedupeKey: string },
    taskId: string,
    detail: string,
  ) =>
    deps.events?.record({
      alertId: response.alertId,
      kind: 'task_created',
      key: `task_created:rsp:${response.dedupeKey}`,
      contactId: response.contactId,
      outcome: response.kind,
      ref: taskId,
      detail,
    });

  return {
    async logResponseToCrm(responseId: number): Promise<string> {
      const { response, alert, delivery } = await load(responseId);
      const label = RESPONSE_KIND_LABELS[response.kind];
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
        // An emailed alert's topic with a CRM subscription: the CRM's own preferences say no from now
        // on, for its own sends too. Otherwise (or for "all"), Rapport's flag stops every alert.
        const target = subscriptionForTopic(deps.policy?.subscriptionTypes ?? {}, alert.topic);
        const byEmail = (delivery.sentChannel ?? delivery.channel) === 'email' && delivery.email;
        if (target && byEmail) await crm.unsubscribeEmail(delivery.email!, target);
        // A STOP to a text also takes back the consent to texts, so no later opt-in flag lingers.
        const byText = (delivery.sentChannel ?? delivery.channel) === 'sms';
        if (!target || !byEmail || target.kind === 'all') {
          await crm.updateContactProperties(response.contactId, {
            [AUDIENCE_PROPERTIES.unsubscribedAll]: 'true',
            ...(byText ? { [AUDIENCE_PROPERTIES.smsConsent]: 'false' } : {}),
          });
        }
      }
      if (response.kind === 'bounce') {
        await crm.updateContactProperties(response.contactId, { [AUDIENCE_PROPERTIES.emailInvalid]: 'true' });
        // One address-fix task per contact and alert, whatever the number of DSNs (the key is the
        // dispatch's own for a bounce during the SMTP conversation); an ownerless contact's too.
        const assignee = await assigneeOf(delivery.ownerId, alert.requester);
        if (assignee) {
          const task = await crm.createTask({
            idempotencyKey: directoryFixKey(alert.id, delivery.contactId),
            ownerId: assignee.ownerId,
            subject: `Email bounced: ${delivery.email ?? delivery.address}`,
            body: `${assignmentNote(assignee.via)}The alert "${alert.title}" (${alert.id}) bounced. Please check the contact's address.`,
            dueAt: new Date(Date.now() + 86_400_000).toISOString(),
            contactIds: [delivery.contactId],
            priority: 'HIGH',
          });
          await taskRecorded(response, task.id, `bounce: owner ${assignee.ownerId} to check the address`);
        } else {
          log.warn('a bounced contact has no owner and nobody else to fix its address: set CRM_TEAM_QUEUE_OWNER', {
            alertId: alert.id,
            contactId: delivery.contactId,
          });
        }
      }
      return engagement.id;
    },

    /** Replies and answers go to whoever the requester chose: the analyst, or the contact's account owner. */
    async routeResponse(responseId: number): Promise<string | null> {
      const { response, alert, delivery } = await load(responseId);
      if (response.kind === 'bounce') {
        await fallbackAfterBounce(response.body ?? 'bounce received', alert, delivery.contactId);
        return null;
      }
      if (response.kind === 'unsubscribe') return null;
      const owner = delivery.ownerId ? await crm.getOwner(delivery.ownerId) : null;
      const to = alert.replyOwner === 'owner' && owner?.email ? owner.email : alert.requester;
      if (response.kind === 'call-me' && delivery.ownerId) {
        const task = await crm.createTask({
          idempotencyKey: `rsp:${response.dedupeKey}:task`,
          ownerId: delivery.ownerId,
          subject: `Call back ${delivery.email ?? delivery.address}: asked to be called about "${alert.title}"`,
          body: `Alert ${alert.id}. The customer clicked "Call me".`,
          dueAt: new Date(Date.now() + 86_400_000).toISOString(),
          contactIds: [delivery.contactId],
          priority: 'HIGH',
        });
        await taskRecorded(response, task.id, `call back: owner ${delivery.ownerId}`);
      }
      const digest = deps.ownerDigests
        ? await deps.ownerDigests.store.enrol(
            { responseId: response.id, alertId: alert.id, recipient: to.toLowerCase() },
            deps.ownerDigests.first,
            deps.ownerDigests.intervalMs,
          )
        : null;
      // One trail step per response, whichever way it went to `to`.
      const routed = (detail: string) =>
        deps.events?.record({
          alertId: alert.id,
          kind: 'response_routed',
          key: `response_routed:${response.dedupeKey}`,
          contactId: response.contactId,
          channel: 'email',
          outcome: response.kind,
          ref: String(response.id),
          detail,
        });
      if (digest && !digest.immediate) {
        // Past the owner's first few: it waits for the owner's digest of this alert (ownerDigestDue).
        await routed(`to ${to} in the digest due ${digest.dueAt}`);
        return to;
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
      await routed(`to ${to}`);
      return to;
    },

    /** When the owner's digest holding this response is due; null when it went on its own or its digest went. */
    async ownerDigestDue(responseId: number): Promise<string | null> {
      return deps.ownerDigests ? deps.ownerDigests.store.pendingDue(responseId) : null;
    },

    /**
     * The owner's digest this response waits in: sent by the first of its responses whose timer
     * fires (the others find it taken). A retry of the one that sent finds its claim: sent again
     * only if the SMTP call never began; otherwise reported unconfirmed, never sent twice.
     */
    async sendOwnerDigest(responseId: number): Promise<'sent' | 'taken' | 'unconfirmed' | 'refused'> {
      const od = deps.ownerDigests;
      if (!od) return 'taken';
      const claim = await od.store.claim(responseId);
      if (claim.state === 'taken') return 'taken';
      const { response, alert } = await load(responseId);
      if (claim.state === 'unconfirmed') {
        log.warn('an owner digest may or may not have been sent (the worker died during the SMTP call); not resent', {
          alertId: alert.id,
          digestId: claim.digestId,
        });
        // On the alert's trail too, where the requester and approvers look: not only in a log line.
        await deps.events?.record({
          alertId: alert.id,
          kind: 'response_routed',
          key: `owner_digest:${claim.digestId}`,
          contactId: response.contactId,
          channel: 'email',
          outcome: 'digest_unconfirmed',
          ref: String(claim.digestId),
          detail: `digest to ${claim.recipient}: the worker stopped during the SMTP call, so it may or may not have arrived; not resent`,
        });
        return 'unconfirmed';
      }
      const to = claim.recipient;
      let trailUrl: string | undefined;
      if (deps.events && deps.secret && deps.publicUrl) {
        const link = makeTrailLink(deps.secret, alert.id, to);
        await deps.events.saveTrailLink(link);
        trailUrl = `${deps.publicUrl}${link.path}`;
      }
      const notice = ownerDigestNotice(
        alert,
        to,
        claim.items,
        { ...(trailUrl ? { trailUrl } : {}), dashboardUrl: `${deps.publicUrl ?? ''}/dashboard/alerts/${alert.id}` },
        domain,
        claim.digestId,
      );
      await od.store.markSending(claim.digestId);
      let accepted: boolean;
      try {
        accepted = await sendStaffNotice(mail, deps.mailFrom, notice);
      } catch (error) {
        // Certainly not delivered: the claim stands and this activity's retry sends it.
        if (!isOutcomeUnknown(error)) await od.store.release(claim.digestId);
        throw error;
      }
      await od.store.markSent(claim.digestId);
      await deps.events?.record({
        alertId: alert.id,
        kind: 'response_routed',
        key: `owner_digest:${claim.digestId}`,
        contactId: response.contactId,
        channel: 'email',
        outcome: 'digest',
        ref: String(claim.digestId),
        detail: `digest of ${claim.items.length} responses to ${to}${accepted ? '' : ' (refused by the mail server)'}`,
      });
      return accepted ? 'sent' : 'refused';
    },

    async markResponseHandled(responseId: number): Promise<void> {
      await responses.markHandled(responseId);
    },
  };
}

export type ResponseActivities = ReturnType<typeof createResponseActivities>;
