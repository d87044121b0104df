import { ApplicationFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { EmailSendError } from '../../channels/email/send-errors.js';
import { isOutcomeUnknown, isWithdrawn, SendWithdrawnError } from '../../channels/send-error.js';
import type { EmailSender } from '../../channels/email/sender.js';
import type { ChannelAdapter, ChannelAdapters, SendHooks } from '../../channels/adapter.js';
import { emailChannelOf } from '../../channels/email/email-channel.js';
import { capLookbackHours, overCapAtSend, type FrequencyCap } from '../../domain/audience/frequency-cap.js';
import { isValidEmail } from '../../domain/audience/addresses.js';
import type { QuietHours } from '../../domain/audience/quiet-hours.js';
import { sendTimeDeferrals } from '../../domain/preferences.js';
import type { PreferenceStore } from '../../store/preferences.js';
import {
  subscriptionRefusal,
  type EmailSubscriptionStatus,
  type SubscriptionTarget,
} from '../../domain/audience/subscriptions.js';
import { signToken } from '../../domain/broadcast/signed-token.js';
import type { Channel } from '../../domain/vocabulary/index.js';
import type { Metrics } from '../../lib/metrics.js';
import type { AlertRow } from '../../store/alerts.js';
import type { DeliveryRow, DeliveryStore } from '../../store/deliveries.js';
import type { SendSlots } from './send-slots.js';
import type { BatchOutcome } from './shared.js';

export interface DispatchDeps {
  deliveries: DeliveryStore;
  /** Email's sender; its adapter is made from it when `channels` has none. */
  mail: EmailSender;
  /** The adapter of each channel this worker can send on; a channel without one is served by the contact's fallback. */
  channels?: ChannelAdapters;
  secret: string;
  /** Per-channel send rate (the deployment's on PostgreSQL, this worker's on PGlite); a channel without a limiter is not throttled here. */
  limiters: Partial<Record<Channel, () => Promise<void>>>;
  /** Sends in flight at once within one batch (default 8); keep it at or above the SMTP pool's connections. */
  lanes?: number;
  /** Sends in flight at once across every batch of this worker (see send-slots.ts); unset: lanes x batches. */
  sendSlots?: SendSlots;
  /** Contact-local quiet hours, judged again as the batch goes out; null or unset: none. */
  quietHours?: QuietHours | null;
  /** The frequency cap, judged again at send time under each contact's claim; null or unset: none. */
  frequencyCap?: FrequencyCap | null;
  /**
   * Aborted when this worker begins to shut down: lanes claim no further row, the sends in flight
   * finish and are recorded, and the attempt fails so that another worker sends the rest.
   */
  draining?: AbortSignal;
  /** Each recorded outcome counted by channel (lib/metrics.ts). */
  metrics?: Pick<Metrics, 'delivery'>;
  /**
   * The CRM's email subscriptions, read again for a batch's email rows when the alert's topic is
   * sent under a subscription type (HUBSPOT_SUBSCRIPTION_TYPES); unset: not read again.
   */
  subscriptions?: {
    target(topic: string): SubscriptionTarget | null;
    read(emails: string[]): Promise<Map<string, EmailSubscriptionStatus>>;
  };
  /** The contact's preference centre link, put in every message (domain/broadcast/preference-link.ts); unset: none. */
  preferenceLink?: (contactId: string) => string | null;
  /** The contacts' own terms, for their quiet hours judged again at send time; unset: only the organisation's. */
  preferences?: Pick<PreferenceStore, 'forContacts'>;
}

/** The own quiet hours of the batch's contacts that set any (one read per batch). */
async function ownQuietHours(
  preferences: Pick<PreferenceStore, 'forContacts'>,
  rows: readonly DeliveryRow[],
): Promise<Map<string, QuietHours | null>> {
  const out = new Map<string, QuietHours | null>();
  if (rows.length === 0) return out;
  for (const [id, p] of await preferences.forContacts(rows.map((r) => r.contactId)))
    if (p.quietHours) out.set(id, p.quietHours);
  return out;
}

/** The failure type of an attempt cut short by its worker's shutdown; retried by another worker. */
export const WORKER_SHUTDOWN = 'WORKER_SHUTDOWN';

export type Attempt = {
  status: 'sent' | 'failed' | 'bounced';
  channel: Channel;
  messageId?: string;
  error?: string;
  /** Sent on the fallback after the email hard-bounced: CRM logging still flags the address. */
  emailBounced?: boolean;
};

/** Rows per lane at least: a small batch goes out strictly in order, one send at a time. */
const ROWS_PER_LANE = 25;
/** Rows between heartbeats (the SDK throttles them anyway; this saves the per-row call). */
const HEARTBEAT_EVERY = 10;
const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Sends one batch of the ledger. A row becomes 'sending' (claimed) only when its message really
 * leaves: for email, when the SMTP pool hands it to a connection (the message's end waits for the
 * claim to be written, so nothing can be delivered unclaimed); for Slack and SMS, just before the
 * request. Its outcome is written as soon as it is known, in the statement of the next claim. So a worker that dies leaves 'sending'
 * at most the messages on its connections, and the retry reports exactly those unconfirmed and
 * never resends them; rows still queued in the pool were never claimed and are sent by the retry.
 * A large batch goes out on a few lanes at once, so the SMTP pool stays busy; claims and outcomes
 * of every lane share ledger statements (group commit). After a send on a channel failed
 * temporarily, no lane starts another row on that channel; the other channels' rows still go
 * out, then the attempt fails and its retry sends what is left.
 */
export async function dispatchBatch(
  deps: DispatchDeps,
  alert: AlertRow,
  batch: number,
  size: number,
): Promise<BatchOutcome> {
  const { deliveries } = deps;
  const outcome: BatchOutcome = { sent: 0, failed: 0, bounced: 0, deferred: 0, unconfirmed: 0, skipped: 0 };
  outcome.unconfirmed = await deliveries.markUnconfirmed(alert.id, batch, size);
  const now = Date.now();
  let rows = await deliveries.pendingInBatch(alert.id, batch, size);
  // Resolved in the afternoon, approved at night: the night's quiet hours hold those rows back now.
  // The contacts' own quiet hours (preference centre) are judged again too: the stricter wins.
  const own = deps.preferences ? await ownQuietHours(deps.preferences, rows) : new Map<string, QuietHours | null>();
  const held = sendTimeDeferrals(rows, deps.quietHours ?? null, own, new Date(now));
  if (held.length > 0) {
    await deliveries.deferUntil(alert.id, held);
    const until = new Map(held.map((h) => [h.contactId, h.deliverAfter]));
    for (const row of rows) row.deliverAfter = until.get(row.contactId) ?? row.deliverAfter;
  }
  rows = await subscribedAtSend(deps, alert, rows, now);
  rows = await withinCapAtSend(deps, alert, rows, now);
  const lanes = Math.max(1, Math.min(deps.lanes ?? 8, Math.floor(rows.length / ROWS_PER_LANE)));

  let next = 0;
  /**
   * Channels that failed temporarily in this attempt, with the first error. Their rows are left
   * pending for the retry; the other channels' rows still go out now: Slack answering 503 must
   * not hold back the email of everyone else in the batch.
   */
  const stopped = new Map<Channel, unknown>();
  /**
   * Temporal cancelled the attempt (the shutdown grace ran out, the heartbeat timed out, the
   * workflow is gone): nothing more is claimed, and the attempt ends without waiting for sends in
   * flight. Those rows stay 'sending' and the next attempt reports them unconfirmed.
   */
  const cancelled = cancellationSignal();
  /** No new claims: the worker drains, or the attempt was cancelled. Rows not yet claimed stay pending. */
  const halted = () => deps.draining?.aborted === true || cancelled.aborted;
  /** The next row this lane may send: not deferred by quiet hours, and its channel not stopped. */
  const take = (): DeliveryRow | undefined => {
    while (next < rows.length && !halted()) {
      const i = next++;
      const row = rows[i]!;
      if (i % HEARTBEAT_EVERY === 0) heartbeat({ batch, row: i });
      // Quiet hours delay, never drop: the row stays pending for a later pass after the workflow's timer.
      if (row.deliverAfter && Date.parse(row.deliverAfter) > now) {
        outcome.deferred += 1;
        continue;
      }
      if (stopped.has(row.channel)) continue;
      return row;
    }
    return undefined;
  };
  /**
   * Aborted when the worker drains or the attempt is cancelled: messages still queued for a
   * connection are withdrawn at once (their rows were never claimed and stay pending).
   */
  const withdrawal = new AbortController();
  const withdraw = () => withdrawal.abort();
  deps.draining?.addEventListener('abort', withdraw, { once: true });
  cancelled.addEventListener('abort', withdraw, { once: true });

  /** One row: claimed when its message leaves (see the header), sent, its outcome recorded. */
  const sendRow = async (row: DeliveryRow, releaseSlot: () => void) => {
    let claim: Promise<boolean> | undefined;
    let refusedByLedger = false;
    const claimNow = () =>
      (claim ??= deliveries.claimToSend(alert.id, row.contactId).then((held) => {
        // Cancelled, or taken by a concurrent attempt, since we listed it.
        refusedByLedger = !held;
        return held;
      }));
    // Once per row, when the channel calls it (email: at the SMTP connection) or deliver() does
    // (before a Slack or SMS request). A draining worker claims nothing new: the message is withdrawn.
    const claimRow = () => claim ?? (halted() ? Promise.resolve(false) : claimNow());
    let attempt: Attempt;
    try {
      attempt = await deliver(deps, alert, row, { beforeSend: claimRow, signal: withdrawal.signal }).finally(
        releaseSlot,
      );
    } catch (error) {
      const { channel, reason } = error instanceof ChannelFailure ? error : { channel: row.channel, reason: error };
      // Withdrawn before anything of it could arrive: the row was not claimed.
      if (isWithdrawn(reason)) {
        if (refusedByLedger) outcome.skipped += 1;
        return;
      }
      if (!stopped.has(channel)) stopped.set(channel, reason);
      // Never claimed (it failed before reaching a connection): still pending, for the retry.
      if (!(claim && (await claim.catch(() => true)))) return;
      // It may have been delivered: the row stays 'sending' and the retry reports it unconfirmed.
      if (isOutcomeUnknown(reason)) return;
      // Nothing was delivered (connection refused, 4xx): back to pending, the activity retries.
      const message = reason instanceof Error ? reason.message : String(reason);
      await deliveries.release(alert.id, row.contactId, message);
      return;
    }
    // An outcome reached without a claim (a refusal before anything left; no adapter) is claimed now to be
    // recorded; so is one from a channel that sent without calling beforeSend, whatever the worker is doing.
    if (!(await claimNow())) {
      if (refusedByLedger) outcome.skipped += 1;
      return;
    }
    // Recorded with the next claim's statement (or within a few ms): the connection that answered
    // this message claims its next one right after, so the two rows change in one commit.
    await deliveries.recordOutcome(alert.id, { contactId: row.contactId, ...attempt });
    outcome[attempt.status] += 1;
    deps.metrics?.delivery(attempt.channel, attempt.status);
  };
  const lane = async () => {
    for (;;) {
      const row = take();
      if (!row) return;
      // Paced and given a send slot while still pending: the slots bound the messages this worker has
      // queued for its SMTP connections, and a worker killed now leaves the row to be sent.
      const releaseSlot = deps.sendSlots ? await deps.sendSlots.acquire() : () => undefined;
      try {
        await deps.limiters[row.channel]?.();
      } catch (error) {
        releaseSlot();
        throw error;
      }
      // The worker began to drain while this lane waited: the row stays pending for another worker.
      if (halted()) {
        releaseSlot();
        return;
      }
      await sendRow(row, releaseSlot);
    }
  };
  // A steady heartbeat while lanes wait on SMTP: the workflow's short heartbeat timeout then means
  // "the worker is gone", and a killed worker's batch is retried within seconds, not minutes.
  const beat = setInterval(() => heartbeat({ batch, row: next }), HEARTBEAT_INTERVAL_MS);
  const abandoned = new Promise<never>((_, reject) => {
    const fail = () => reject(cancelled.reason as Error);
    if (cancelled.aborted) fail();
    else cancelled.addEventListener('abort', fail, { once: true });
  });
  abandoned.catch(() => undefined);
  const settled = await Promise.race([Promise.allSettled(Array.from({ length: lanes }, lane)), abandoned]).finally(
    () => {
      clearInterval(beat);
      deps.draining?.removeEventListener('abort', withdraw);
      cancelled.removeEventListener('abort', withdraw);
    },
  );
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  if (deps.draining?.aborted) {
    const left = (await deliveries.pendingInBatch(alert.id, batch, size)).filter(
      (r) => !r.deliverAfter || Date.parse(r.deliverAfter) <= now,
    ).length;
    if (left > 0)
      throw ApplicationFailure.retryable(
        `the worker is shutting down: ${left} rows of batch ${batch} are left for the next attempt`,
        WORKER_SHUTDOWN,
      );
  }
  const [failure] = stopped.values();
  if (failure !== undefined) {
    if (failure instanceof EmailSendError && failure.code === 'SMTP_INVALID_MESSAGE') {
      throw ApplicationFailure.nonRetryable(failure.message, failure.code);
    }
    throw failure;
  }
  return outcome;
}

/** Addresses per read of the CRM's subscription statuses (HubSpot's batch size). */
const SUBSCRIPTION_CHUNK = 100;

/**
 * The email rows whose contact has not unsubscribed since the audience was resolved, when the
 * alert's topic is sent under a CRM subscription type: approval can take hours, and an unsubscribe
 * in the CRM (or through an earlier alert's link) meanwhile must hold. One batched read per 100
 * addresses of the rows due now, only for mapped topics ("opted out of all email" is read with the
 * contact at resolution). Refused rows leave the ledger as UNSUBSCRIBED suppressions. A CRM that
 * cannot answer fails the attempt: Temporal retries it rather than mail someone who may have left.
 */
async function subscribedAtSend(
  deps: DispatchDeps,
  alert: AlertRow,
  rows: DeliveryRow[],
  now: number,
): Promise<DeliveryRow[]> {
  const target = deps.subscriptions?.target(alert.topic) ?? null;
  if (!deps.subscriptions || target?.kind !== 'type') return rows;
  const due = rows.filter(
    (r) => r.channel === 'email' && (!r.deliverAfter || Date.parse(r.deliverAfter) <= now) && isValidEmail(r.address),
  );
  const addresses = [...new Set(due.map((r) => r.address.toLowerCase()))];
  const statuses = new Map<string, EmailSubscriptionStatus>();
  for (let i = 0; i < addresses.length; i += SUBSCRIPTION_CHUNK) {
    heartbeat({ stage: 'subscriptions', count: i });
    for (const [email, status] of await deps.subscriptions.read(addresses.slice(i, i + SUBSCRIPTION_CHUNK)))
      statuses.set(email.toLowerCase(), status);
  }
  const refused = due.flatMap((r) => {
    const why = subscriptionRefusal(statuses.get(r.address.toLowerCase()), target);
    return why ? [{ contactId: r.contactId, detail: `${why} (read again at send time)` }] : [];
  });
  if (refused.length === 0) return rows;
  await deps.deliveries.suppressUnsubscribedAtSend(alert.id, refused);
  const gone = new Set(refused.map((r) => r.contactId));
  return rows.filter((r) => !gone.has(r.contactId));
}

/**
 * The rows the frequency cap still allows now. Approval can take hours, and two alerts can wait
 * for it side by side, or go out at the same moment from different workers: the rows due now are
 * admitted or refused under each contact's claim (store: claimCapAtSend), so an alert that went
 * out to the contact, or was admitted to, since this one's audience was resolved counts here, and
 * rows it puts over the cap leave the ledger as suppressed. Rows held by quiet hours are judged
 * when they come due, not before: until then they hold no place under anyone's cap.
 */
async function withinCapAtSend(
  deps: DispatchDeps,
  alert: AlertRow,
  rows: DeliveryRow[],
  now: number,
): Promise<DeliveryRow[]> {
  const cap = deps.frequencyCap;
  if (!cap || rows.length === 0) return rows;
  const due = rows.filter((r) => !r.deliverAfter || Date.parse(r.deliverAfter) <= now);
  const { refused } = await deps.deliveries.claimCapAtSend(
    alert.id,
    due.map((r) => r.contactId),
    capLookbackHours(cap),
    (contactIds, counted) => overCapAtSend(contactIds, counted, alert, cap, new Date(now)),
  );
  if (refused.length === 0) return rows;
  const capped = new Set(refused);
  return rows.filter((r) => !capped.has(r.contactId));
}

async function deliver(deps: DispatchDeps, alert: AlertRow, row: DeliveryRow, hooks: SendHooks): Promise<Attempt> {
  const primary = await tryChannel(deps, alert, row, row.channel, row.address, hooks, true);
  // A permanent refusal (hard bounce, unknown Slack user, unreachable number) gets one try on the
  // fallback channel; so does a channel this worker has no adapter for. Temporary failures throw.
  const unserved = primary.status === 'failed' && !adapterFor(deps, row.channel);
  if ((primary.status !== 'bounced' && !unserved) || !row.fallbackChannel || !row.fallbackAddress)
    return emailBouncesOnly(primary);
  const fallback = await tryChannel(deps, alert, row, row.fallbackChannel, row.fallbackAddress, hooks);
  if (fallback.status === 'sent')
    return unserved
      ? fallback
      : {
          ...fallback,
          error: `bounced on ${row.channel}: ${primary.error ?? ''}`,
          // Reached all the same, but the address is bad: the ledger keeps that for the CRM.
          emailBounced: primary.channel === 'email',
        };
  const error = `${primary.error ?? ''}; fallback ${row.fallbackChannel}: ${fallback.error ?? ''}`;
  // The bounce the ledger reports is the email's, if either was one: that address gets flagged in the CRM.
  if (primary.channel !== 'email' && fallback.channel === 'email' && fallback.status === 'bounced')
    return { ...fallback, error };
  return emailBouncesOnly({ ...primary, error });
}

/**
 * 'bounced' in the ledger means an email hard bounce: CRM logging flags the contact's email as
 * invalid and asks the owner to fix it. A Slack or SMS refusal is recorded as failed instead.
 */
function emailBouncesOnly(attempt: Attempt): Attempt {
  return attempt.status === 'bounced' && attempt.channel !== 'email' ? { ...attempt, status: 'failed' } : attempt;
}

function adapterFor(deps: DispatchDeps, channel: Channel): ChannelAdapter | undefined {
  return deps.channels?.[channel] ?? (channel === 'email' ? emailChannelOf(deps.mail) : undefined);
}

/** One send of a row on one channel; a send that failed, or may have, throws a ChannelFailure. */
export async function tryChannel(
  deps: DispatchDeps,
  alert: AlertRow,
  row: DeliveryRow,
  channel: Channel,
  address: string,
  hooks: SendHooks,
  /** The lane already waited for this channel's rate slot. */
  paced = false,
): Promise<Attempt> {
  const adapter = adapterFor(deps, channel);
  if (!adapter) return { status: 'failed', channel, error: `no ${channel} adapter is configured` };
  // Slack and SMS sends wait seconds for their rate and for Retry-After: tell Temporal the attempt is
  // alive. Email, many times faster, heartbeats every few rows in the loop instead.
  if (channel !== 'email') heartbeat();
  try {
    if (!paced) await deps.limiters[channel]?.();
    // A channel that does not call beforeSend itself sends in one request: the row is claimed just before it.
    if (!adapter.callsBeforeSend && !(await hooks.beforeSend()))
      throw new SendWithdrawnError(`${channel} send withdrawn before it started`);
    return await adapter.send(
      alert,
      {
        contactId: row.contactId,
        address,
        firstName: row.firstName,
        ...withPreferencesUrl(deps.preferenceLink?.(row.contactId)),
      },
      (purpose) => signToken(deps.secret, purpose, row.token),
      hooks,
    );
  } catch (error) {
    throw new ChannelFailure(channel, error);
  }
}

const withPreferencesUrl = (url: string | null | undefined) => (url ? { preferencesUrl: url } : {});

/** A send that certainly or possibly delivered nothing, and the channel it failed on. */
export class ChannelFailure extends Error {
  constructor(
    readonly channel: Channel,
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}
