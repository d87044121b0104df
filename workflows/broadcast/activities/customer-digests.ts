import { activityInfo, ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import type { ChannelAdapters, SendHooks, TokenSigner } from '../../../channels/adapter.js';
import { buildDigestEmail, type DigestEmailItem } from '../../../channels/email/digest-email.js';
import { EmailSendError } from '../../../channels/email/send-errors.js';
import type { EmailSender } from '../../../channels/email/sender.js';
import { isOutcomeUnknown, isWithdrawn } from '../../../channels/send-error.js';
import type { QuietHours } from '../../../domain/audience/quiet-hours.js';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { digestChannel, groupDigestSlots, quietHoldUntil, shortDigestText } from '../../../domain/digests.js';
import type { Channel } from '../../../domain/vocabulary/index.js';
import type { AlertStore } from '../../../store/alerts.js';
import type { CustomerDigestStore, DigestItemRow, DigestOutcome } from '../../../store/customer-digests.js';
import type { PreferenceStore } from '../../../store/preferences.js';
import type { TopicStore } from '../../../store/topics.js';
import type { SendPacer } from '../rate-limiter.js';
import type { SendSlots } from '../send-slots.js';
import { alertLoader } from './load-alert.js';

export interface CustomerDigestDeps {
  alerts: AlertStore;
  digests: CustomerDigestStore;
  mail: EmailSender;
  channels: ChannelAdapters;
  limiters: Partial<Record<Channel, SendPacer>>;
  sendSlots: SendSlots;
  secret: string;
  /** What the digest email is written with: MAIL_FROM, REPLY_DOMAIN, PUBLIC_URL. */
  sender: { from: string; replyDomain: string; publicUrl: string };
  quietHours: QuietHours | null;
  preferences?: Pick<PreferenceStore, 'forContacts'>;
  preferenceLink?: (contactId: string) => string | null;
  topics?: Pick<TopicStore, 'get'>;
  /** false (ANNOUNCED_SCHEDULES=off): no digests, every alert goes out when approved. */
  announcedSchedules?: boolean;
  slotClock?: { toSlotTime(realMs: number): number; toReal(slotMs: number): number };
}

export interface DigestPageInput {
  /** The run's key: its records are (run, contact). */
  runId: string;
  /** The slot instant (real): rows due by then go in. */
  slotAt: string;
  pageSize: number;
}

export interface DigestPageResult {
  /** Digests this page worked on (0: the slot is done). */
  digests: number;
  sent: number;
  failed: number;
  bounced: number;
  unconfirmed: number;
  /** Instants quiet hours hold some contacts' digests until: each gets a run of its own. */
  deferredTo: DigestRunSlot[];
}

/**
 * A slot's run to start: its instant, and its workflow id, derived from the slot and the task queue
 * (so test files on one Temporal server never share a run). Computed by the activity, so it is in
 * the history and a replay on another task queue issues the same command.
 */
export interface DigestRunSlot {
  slotAt: string;
  workflowId: string;
}

const HEARTBEAT_INTERVAL_MS = 3_000;

const runSlot = (slotAt: string): DigestRunSlot => ({
  slotAt,
  workflowId: `digest:${activityInfo().taskQueue}:${slotAt}`,
});

/**
 * The activities of customer digests (domain/digests.ts, store/customer-digests.ts): holding an
 * alert's digest-mode rows for their slots, and a digest run's pages: claim, send one message per
 * contact, record; each sent row then goes onto the CRM timeline as its alert's own email.
 */
export function createCustomerDigestActivities(deps: CustomerDigestDeps) {
  const { digests } = deps;
  const loadAlert = alertLoader(deps.alerts);
  const clock = () => deps.slotClock ?? { toSlotTime: (ms: number) => ms, toReal: (ms: number) => ms };

  /** One contact's digest out on its channel; the record goes 'sending' as the message leaves. */
  async function sendOne(
    slotAt: string,
    digestId: number,
    rows: DigestItemRow[],
    signal: AbortSignal,
  ): Promise<DigestOutcome> {
    const where = digestChannel(rows)!;
    const first = rows[0]!;
    const newest = rows[rows.length - 1]!;
    const sign = (token: string, purpose: Parameters<TokenSigner>[0]) => signToken(deps.secret, purpose, token);
    const prefs = deps.preferenceLink?.(first.contactId) ?? undefined;
    const hooks: SendHooks = { beforeSend: () => digests.markSending(digestId), signal };
    if (where.channel === 'email') {
      const items: DigestEmailItem[] = rows.map((r) => ({
        alertId: r.alertId,
        title: r.title,
        body: r.body,
        tokens: {
          response: sign(r.token, 'response'),
          unsubscribe: sign(r.token, 'unsubscribe'),
          reply: sign(r.token, 'reply'),
        },
      }));
      const message = buildDigestEmail({
        sender: deps.sender,
        // One digest per contact per slot: the catcher counts a second one as a duplicate.
        digestKey: `digest-${slotAt}`,
        digestId,
        recipient: {
          contactId: first.contactId,
          email: where.address,
          firstName: first.firstName,
          ...(prefs ? { preferencesUrl: prefs } : {}),
        },
        items,
        bounceToken: sign(newest.token, 'bounce'),
      });
      const result = await deps.mail.send(message, { onConnection: hooks.beforeSend, signal });
      if (result.accepted) return { status: 'sent', channel: 'email', messageId: message.messageId };
      return {
        status: result.permanent ? 'bounced' : 'failed',
        channel: 'email',
        messageId: message.messageId,
        error: result.response || 'rejected',
      };
    }
    // Slack DM or text: a short digest (count and titles); its buttons and reply answer the newest alert.
    const adapter = deps.channels[where.channel];
    if (!adapter)
      return { status: 'failed', channel: where.channel, error: `no ${where.channel} adapter is configured` };
    const short = shortDigestText(rows.map((r) => r.title));
    if (!adapter.callsBeforeSend && !(await hooks.beforeSend()))
      throw new Error('withdrawn: the digest is not claimed');
    const attempt = await adapter.send(
      { id: newest.alertId, title: short.title, body: short.body },
      {
        contactId: first.contactId,
        address: where.address,
        firstName: first.firstName,
        ...(prefs ? { preferencesUrl: prefs } : {}),
      },
      (purpose) => sign(newest.token, purpose),
      hooks,
    );
    // A Slack or SMS refusal is a failure: 'bounced' in the ledger means an email hard bounce.
    return attempt.status === 'bounced' ? { ...attempt, status: 'failed' } : attempt;
  }

  return {
    /**
     * The alert's rows whose contact chose a digest for its topic wait for it (status 'digest',
     * digest_at the contact's next digest instant from the approval): returns the distinct instants,
     * each a digest run for the workflow to start. Urgent, or announced schedules off: nothing is held.
     */
    async holdForDigests(alertId: string, urgent: boolean): Promise<DigestRunSlot[]> {
      if (urgent || deps.announcedSchedules === false) return [];
      const alert = await loadAlert(alertId);
      const pairs = await digests.pendingDigestPairs(alertId);
      if (pairs.length === 0) return [];
      const topic = await deps.topics?.get(alert.topic);
      const c = clock();
      // From the approval, as holdForSlots: a retry after a slot passed finds the same instants.
      const approvedAt = alert.approvedAt ? Date.parse(alert.approvedAt) : Date.now();
      const notBefore = alert.sendWindow?.notBefore ? Date.parse(alert.sendWindow.notBefore) : 0;
      const from = new Date(c.toSlotTime(Math.max(approvedAt, notBefore)));
      const instants = new Set<string>();
      for (const g of groupDigestSlots(pairs, topic?.schedule ?? null, from)) {
        const at = new Date(c.toReal(Date.parse(g.at))).toISOString();
        if ((await digests.holdForDigest(alertId, g.mode, g.zones, at)) > 0) instants.add(at);
      }
      return [...instants].sort().map(runSlot);
    },

    /** What the alert still waits for from digests (see store alertDigestState). */
    async digestState(alertId: string): Promise<{ last: string | null; overdue: DigestRunSlot[] }> {
      const state = await digests.alertDigestState(alertId, 30_000);
      return { last: state.last, overdue: state.overdue.map(runSlot) };
    },

    /**
     * One page of a digest run: reports the digests a dead attempt left 'sending' unconfirmed,
     * claims the next contacts due, holds those inside quiet hours (theirs or the organisation's,
     * the later end wins) for a later run, and sends the rest: one message per contact, at most
     * the worker's send slots at once. A send that may have arrived stays 'sending' (the retry
     * reports it); one that certainly did not goes back to claimed, and the attempt fails so the
     * retry sends it.
     */
    async sendDigestPage(input: DigestPageInput): Promise<DigestPageResult> {
      const result: DigestPageResult = { digests: 0, sent: 0, failed: 0, bounced: 0, unconfirmed: 0, deferredTo: [] };
      result.unconfirmed = await digests.reportUnconfirmed(input.runId);
      await digests.claimNext(input.runId, input.slotAt, input.pageSize);
      const items = await digests.claimedItems(input.runId, input.pageSize * 2);
      const byDigest = new Map<number, DigestItemRow[]>();
      for (const r of items) {
        let list = byDigest.get(r.digestId);
        if (!list) byDigest.set(r.digestId, (list = []));
        list.push(r);
      }
      result.digests = byDigest.size;
      if (byDigest.size === 0) return result;

      // Quiet hours judged again now: the organisation's and the contact's own, the stricter wins.
      const now = new Date();
      const own = deps.preferences
        ? await deps.preferences.forContacts([...new Set(items.map((r) => r.contactId))])
        : new Map();
      const held: { digestId: number; until: string }[] = [];
      for (const [digestId, rows] of byDigest) {
        const until = quietHoldUntil(
          now,
          rows[0]!.timeZone,
          deps.quietHours,
          own.get(rows[0]!.contactId)?.quietHours ?? null,
        );
        if (until) held.push({ digestId, until });
      }
      if (held.length > 0) {
        await digests.defer(held);
        for (const h of held) byDigest.delete(h.digestId);
        result.deferredTo = [...new Set(held.map((h) => h.until))].sort().map(runSlot);
      }

      const cancelled = cancellationSignal();
      const withdrawal = new AbortController();
      const withdraw = () => withdrawal.abort();
      cancelled.addEventListener('abort', withdraw, { once: true });
      const beat = setInterval(() => heartbeat({ runId: input.runId }), HEARTBEAT_INTERVAL_MS);
      let failure: unknown;
      try {
        await Promise.all(
          [...byDigest].map(async ([digestId, rows]) => {
            if (cancelled.aborted) return;
            const release = await deps.sendSlots.acquire();
            try {
              await deps.limiters[digestChannel(rows)!.channel]?.();
              if (cancelled.aborted) return;
              const outcome = await sendOne(input.slotAt, digestId, rows, withdrawal.signal);
              await digests.finish(digestId, outcome);
              result[outcome.status] += 1;
            } catch (error) {
              // Withdrawn before anything of it could arrive, or it may have arrived: left as it is
              // (claimed, or 'sending' for the retry to report). Certainly not delivered: claimed again.
              if (!isWithdrawn(error) && !isOutcomeUnknown(error))
                await digests.release(digestId, error instanceof Error ? error.message : String(error));
              failure ??= error;
            } finally {
              release();
            }
          }),
        );
      } finally {
        clearInterval(beat);
        cancelled.removeEventListener('abort', withdraw);
      }
      if (failure !== undefined) {
        if (failure instanceof EmailSendError && failure.code === 'SMTP_INVALID_MESSAGE')
          throw ApplicationFailure.nonRetryable(failure.message, failure.code);
        throw failure;
      }
      return result;
    },

    /** The run's digests by state: its result. */
    async digestRunCounts(runId: string): Promise<Record<string, number>> {
      return digests.runCounts(runId);
    },
  };
}

export type CustomerDigestActivities = ReturnType<typeof createCustomerDigestActivities>;
