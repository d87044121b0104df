import { withSuppressedAtSend, type AudienceSummary } from '../domain/audience/summary.js';
import type { CountedAtSend } from '../domain/audience/frequency-cap.js';
import type { Delivery, DuplicateSuppression, PolicySuppression } from '../domain/audience/types.js';
import { emptyCounts, type DeliveryCounts } from '../domain/broadcast/final-summary.js';
import { SENDING_STATUSES, type Channel } from '../domain/vocabulary/index.js';
import { coalesce } from '../lib/coalesce.js';
import { coalesceWithRiders } from '../lib/coalesce-riders.js';
import { iso, json, type Db } from './db.js';

export interface SendOutcome {
  contactId: string;
  status: 'sent' | 'failed' | 'bounced';
  channel: Channel;
  messageId?: string;
  error?: string;
  /** The email hard-bounced but the fallback channel reached the contact (status 'sent'). */
  emailBounced?: boolean;
}

interface FinishAndClaim {
  alertId: string;
  done: SendOutcome | null;
  nextContactId: string | null;
}

/** 'digest': waiting for the contact's digest (store/customer-digests.ts), not sent on its own. */
export type DeliveryStatus =
  'pending' | 'sending' | 'sent' | 'failed' | 'bounced' | 'unconfirmed' | 'cancelled' | 'digest';

export interface DeliveryRow {
  alertId: string;
  contactId: string;
  seq: number;
  email: string | null;
  channel: Channel;
  address: string;
  fallbackChannel: Channel | null;
  fallbackAddress: string | null;
  deliverAfter: string | null;
  /** The contact's IANA zone, for quiet hours judged again at send time. */
  timeZone: string | null;
  ownerId: string | null;
  token: string;
  status: DeliveryStatus;
  sentChannel: Channel | null;
  attempts: number;
  messageId: string | null;
  lastError: string | null;
  sentAt: string | null;
  crmEngagementId: string | null;
  respondedAt: string | null;
  /** The email hard-bounced though the fallback channel reached the contact (status 'sent'). */
  emailBounced: boolean;
  /** What the CRM refused for good when the row was logged; the row is not logged again. */
  crmLogError: string | null;
  /** The contact's first name at resolution, for the greeting; null: unknown. */
  firstName: string | null;
}

const COLUMNS = `alert_id as "alertId", contact_id as "contactId", seq, email, channel, address,
  fallback_channel as "fallbackChannel", fallback_address as "fallbackAddress", deliver_after as "deliverAfter",
  time_zone as "timeZone", owner_id as "ownerId", token, status, sent_channel as "sentChannel", attempts, message_id as "messageId",
  last_error as "lastError", sent_at as "sentAt", crm_engagement_id as "crmEngagementId", responded_at as "respondedAt",
  email_bounced as "emailBounced", crm_log_error as "crmLogError", first_name as "firstName"`;

const normalise = (r: DeliveryRow): DeliveryRow => ({
  ...r,
  deliverAfter: iso(r.deliverAfter),
  sentAt: iso(r.sentAt),
  respondedAt: iso(r.respondedAt),
});

/** How last_error begins for an email that bounced after the server accepted it (a DSN). */
export const LATE_BOUNCE = 'bounced after delivery';

/** The longest a send's outcome waits to share the statement of the next send gate claim. */
const SEND_OUTCOME_WAIT_MS = 5;

/** Multi-row inserts: tens of thousands of ledger rows in a few statements, not one round trip each. */
const CHUNK = 2_000;

export interface RecentSendRow {
  contactId: string;
  alertId: string;
  topic: string;
  sentAt: string | null;
  inFlight: boolean;
}

/**
 * The delivery ledger: one row per (alert, contact), the idempotency key of every send.
 * A row moves pending -> sending (before the SMTP call) -> sent | failed | bounced; a row a
 * crashed worker left in 'sending' becomes 'unconfirmed' and is never resent blindly.
 */
export function createDeliveryStore(db: Db) {
  const range = (batch: number, size: number) => [batch * size, (batch + 1) * size] as const;

  /**
   * Outcomes and claims of many lanes at once (a WITH's updates run whether or not read). Within
   * one statement an outcome and a claim never touch the same row (one is 'sending', the other
   * 'pending'), and two claims of one row (two attempts racing) update it once: only one of them
   * is told it holds. One statement in flight; the lanes that finish meanwhile share the next.
   */
  const finishAndClaimStatement = async (items: FinishAndClaim[]): Promise<boolean[]> => {
    const { rows } = await db.query<{ i: number }>(
      `with input as (
         select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::int[], $9::boolean[]) as t(alert_id, done_id, status, channel, message_id, error, next_id, i, email_bounced)
       ), done as (
         update deliveries d set status = input.status, sent_channel = input.channel,
           message_id = coalesce(input.message_id, d.message_id), last_error = input.error,
           sent_at = case when input.status = 'sent' then now() else d.sent_at end,
           email_bounced = d.email_bounced or coalesce(input.email_bounced, false), updated_at = now()
         from input
         where d.alert_id = input.alert_id and d.contact_id = input.done_id and d.status in ('sending', 'unconfirmed')
       ), claimed as (
         update deliveries d set status = 'sending', attempts = d.attempts + 1, updated_at = now()
         from input
         where d.alert_id = input.alert_id and d.contact_id = input.next_id and d.status = 'pending'
         returning input.i
       )
       select i from claimed`,
      [
        items.map((x) => x.alertId),
        items.map((x) => x.done?.contactId ?? null),
        items.map((x) => x.done?.status ?? null),
        items.map((x) => x.done?.channel ?? null),
        items.map((x) => x.done?.messageId ?? null),
        items.map((x) => x.done?.error?.slice(0, 1000) ?? null),
        items.map((x) => x.nextContactId),
        items.map((_, i) => i),
        items.map((x) => x.done?.emailBounced ?? false),
      ],
    );
    const held = new Set(rows.map((r) => Number(r.i)));
    return items.map((_, i) => held.has(i));
  };
  const finishAndClaimGrouped = coalesce<FinishAndClaim, boolean>({
    maxSize: 100,
    maxWaitMs: 0,
    maxInFlight: 1,
    run: finishAndClaimStatement,
  });
  /**
   * The send gate's writes (dispatch.ts): a claim holds a message at its end on an SMTP connection
   * until it is written, so claims go in the next statement; an outcome rides in the
   * next claim's statement (the connection that answered it usually claims its next message right
   * after), or on its own after SEND_OUTCOME_WAIT_MS. Each connection's previous outcome and its
   * next claim then commit together, so a connection has one 'sending' row at any moment.
   */
  const sendGate = coalesceWithRiders<FinishAndClaim, boolean>({
    maxSize: 100,
    maxInFlight: 1,
    riderWaitMs: SEND_OUTCOME_WAIT_MS,
    run: finishAndClaimStatement,
  });

  return {
    /** The audience of an alert before approval; replaced as a whole, so a re-run of resolution is idempotent. */
    async replaceAudience(
      alertId: string,
      deliveries: (Delivery & { token: string })[],
      suppressed: (PolicySuppression | DuplicateSuppression)[],
    ): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(`delete from deliveries where alert_id = $1`, [alertId]);
        await tx.query(`delete from alert_suppressions where alert_id = $1`, [alertId]);
        for (let i = 0; i < deliveries.length; i += CHUNK) {
          const chunk = deliveries.slice(i, i + CHUNK);
          await tx.query(
            `insert into deliveries (alert_id, contact_id, seq, email, channel, address, fallback_channel, fallback_address,
               deliver_after, time_zone, owner_id, list_ids, token, first_name, digest_mode)
             select $1, * from unnest($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
               $9::timestamptz[], $10::text[], $11::text[], $12::jsonb[], $13::text[], $14::text[], $15::text[])`,
            [
              alertId,
              chunk.map((d) => d.contactId),
              chunk.map((_, j) => i + j),
              chunk.map((d) => d.email),
              chunk.map((d) => d.channel),
              chunk.map((d) => d.address),
              chunk.map((d) => d.fallbackChannel),
              chunk.map((d) => d.fallbackAddress),
              chunk.map((d) => d.deliverAfter),
              chunk.map((d) => d.timeZone),
              chunk.map((d) => d.ownerId),
              chunk.map((d) => JSON.stringify(d.listIds)),
              chunk.map((d) => d.token),
              chunk.map((d) => d.firstName?.slice(0, 200) ?? null),
              chunk.map((d) => d.digest ?? null),
            ],
          );
        }
        for (let i = 0; i < suppressed.length; i += CHUNK) {
          const chunk = suppressed.slice(i, i + CHUNK);
          await tx.query(
            `insert into alert_suppressions (alert_id, contact_id, list_id, reason, detail, email, duplicate_of)
             select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
            [
              alertId,
              chunk.map((s) => s.contactId),
              chunk.map((s) => ('listId' in s ? s.listId : null)),
              chunk.map((s) => s.reason),
              chunk.map((s) => ('detail' in s ? s.detail : null)),
              chunk.map((s) => s.email),
              chunk.map((s) => ('duplicateOf' in s ? s.duplicateOf : null)),
            ],
          );
        }
      });
    },

    async size(alertId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from deliveries where alert_id = $1`, [
        alertId,
      ]);
      return rows[0]?.n ?? 0;
    },

    /** Rows a dead attempt left in 'sending': we cannot know whether SMTP took them, so they are not resent. */
    async markUnconfirmed(alertId: string, batch: number, size: number): Promise<number> {
      const [from, to] = range(batch, size);
      const { rows } = await db.query(
        `update deliveries set status = 'unconfirmed', last_error = 'worker stopped during the send; not resent',
           updated_at = now()
         where alert_id = $1 and seq >= $2 and seq < $3 and status = 'sending' returning contact_id`,
        [alertId, from, to],
      );
      return rows.length;
    },

    async pendingInBatch(alertId: string, batch: number, size: number): Promise<DeliveryRow[]> {
      const [from, to] = range(batch, size);
      const { rows } = await db.query<DeliveryRow>(
        `select ${COLUMNS} from deliveries where alert_id = $1 and seq >= $2 and seq < $3 and status = 'pending' order by seq`,
        [alertId, from, to],
      );
      return rows.map(normalise);
    },

    /** pending -> sending, recorded before the SMTP call; false when someone else (or cancel) got there first. */
    async claim(alertId: string, contactId: string): Promise<boolean> {
      const { rows } = await db.query(
        `update deliveries set status = 'sending', attempts = attempts + 1, updated_at = now()
         where alert_id = $1 and contact_id = $2 and status = 'pending' returning contact_id`,
        [alertId, contactId],
      );
      return rows.length > 0;
    },

    /**
     * For a sending lane: records the outcome of the row it just sent (from 'sending', or from
     * 'unconfirmed': a slow attempt that did finish knows better than the sweep that gave up on it)
     * and claims its next row (as claim() does), in one statement. Returns whether the claim held.
     * The lanes of every batch in this process share statements (group commit).
     */
    finishAndClaim(alertId: string, done: SendOutcome | null, nextContactId: string | null): Promise<boolean> {
      return finishAndClaimGrouped({ alertId, done, nextContactId });
    },

    /**
     * The send gate's claim (pending -> sending, as claim()), for a message waiting at its end on a
     * connection: written in the next statement, never behind one carrying only outcomes.
     */
    claimToSend(alertId: string, contactId: string): Promise<boolean> {
      return sendGate.urgent({ alertId, done: null, nextContactId: contactId });
    },

    /**
     * The send gate's outcome of a claimed row (as finishAndClaim's `done`): written with the next
     * claim, or within SEND_OUTCOME_WAIT_MS. Resolves once written.
     */
    async recordOutcome(alertId: string, done: SendOutcome): Promise<void> {
      await sendGate.rider({ alertId, done, nextContactId: null });
    },

    /**
     * A send that certainly delivered nothing goes back to pending for the retry, unless the
     * alert's pending rows were cancelled meanwhile (a cancel, a send window that closed): then
     * it is cancelled too, or the activity's next attempt would send it after the cancel.
     */
    async release(alertId: string, contactId: string, error: string): Promise<void> {
      await db.query(
        `update deliveries d set last_error = $3, updated_at = now(),
           status = case when exists (select 1 from deliveries c where c.alert_id = $1 and c.status = 'cancelled')
             then 'cancelled' else 'pending' end
         where d.alert_id = $1 and d.contact_id = $2 and d.status = 'sending'`,
        [alertId, contactId, error.slice(0, 1000)],
      );
    },

    /**
     * An asynchronous bounce (a DSN after the server accepted the message): an email that went out
     * (or may have) becomes 'bounced'. Only once: a row whose email bounce is already known (its
     * fallback try was made, or is being made) or that reached the contact on another channel
     * stays as it is. Returns whether the row changed.
     */
    async markBounced(alertId: string, contactId: string, error: string): Promise<boolean> {
      const { rows } = await db.query(
        `update deliveries set status = 'bounced', last_error = $3, updated_at = now()
         where alert_id = $1 and contact_id = $2 and status in ('sent', 'unconfirmed')
           and coalesce(sent_channel, 'email') = 'email' and not email_bounced
         returning contact_id`,
        [alertId, contactId, `${LATE_BOUNCE}: ${error}`.slice(0, 1000)],
      );
      return rows.length > 0;
    },

    /**
     * The one fallback try after a late bounce, claimed: 'bounced' -> 'sending', with email_bounced
     * set, so neither a second DSN nor a retry claims it again. Only a row whose first channel was
     * the email and that has a fallback; null when there is nothing (more) to claim.
     */
    async claimLateFallback(alertId: string, contactId: string): Promise<DeliveryRow | null> {
      const { rows } = await db.query<DeliveryRow>(
        `update deliveries set status = 'sending', email_bounced = true, attempts = attempts + 1, updated_at = now()
         where alert_id = $1 and contact_id = $2 and status = 'bounced' and channel = 'email'
           and fallback_channel is not null and fallback_address is not null and not email_bounced
         returning ${COLUMNS}`,
        [alertId, contactId],
      );
      return rows[0] ? normalise(rows[0]) : null;
    },

    /** A late-bounce fallback try that certainly delivered nothing: back to 'bounced', claimable again. */
    async releaseLateFallback(alertId: string, contactId: string, error: string): Promise<void> {
      await db.query(
        `update deliveries set status = 'bounced', email_bounced = false, last_error = $3, updated_at = now()
         where alert_id = $1 and contact_id = $2 and status = 'sending' and email_bounced`,
        [alertId, contactId, error.slice(0, 1000)],
      );
    },

    /** A late-bounce fallback try whose worker died on the wire: it may have arrived, so it is not resent. */
    async lateFallbackUnconfirmed(alertId: string, contactId: string): Promise<boolean> {
      const { rows } = await db.query(
        `update deliveries set status = 'unconfirmed', last_error = 'worker stopped during the fallback send after a bounce; not resent',
           updated_at = now()
         where alert_id = $1 and contact_id = $2 and status = 'sending' and email_bounced returning contact_id`,
        [alertId, contactId],
      );
      return rows.length > 0;
    },

    /** Rows in this batch that went out but are not yet on the CRM timeline. */
    async unloggedInBatch(alertId: string, batch: number, size: number): Promise<DeliveryRow[]> {
      const [from, to] = range(batch, size);
      const { rows } = await db.query<DeliveryRow>(
        `select ${COLUMNS} from deliveries where alert_id = $1 and seq >= $2 and seq < $3
           and status in ('sent', 'bounced') and crm_logged_at is null order by seq`,
        [alertId, from, to],
      );
      return rows.map(normalise);
    },

    /** These contacts' rows of the alert that went out but are not yet on the CRM timeline (a digest's). */
    async unloggedOf(alertId: string, contactIds: string[]): Promise<DeliveryRow[]> {
      const { rows } = await db.query<DeliveryRow>(
        `select ${COLUMNS} from deliveries where alert_id = $1 and contact_id = any($2::text[])
           and status in ('sent', 'bounced') and crm_logged_at is null order by seq`,
        [alertId, contactIds],
      );
      return rows.map(normalise);
    },

    /**
     * Done with these rows' CRM logging. `error`: what the CRM refused for good (engagementId null
     * when that was the timeline entry itself); the row counts as logged all the same, never retried.
     */
    async markLogged(
      alertId: string,
      logged: { contactId: string; engagementId: string | null; error?: string | null }[],
    ): Promise<void> {
      if (logged.length === 0) return;
      await db.query(
        `update deliveries d set crm_engagement_id = l.engagement_id, crm_log_error = l.error, crm_logged_at = now()
         from unnest($2::text[], $3::text[], $4::text[]) as l(contact_id, engagement_id, error)
         where d.alert_id = $1 and d.contact_id = l.contact_id`,
        [
          alertId,
          logged.map((l) => l.contactId),
          logged.map((l) => l.engagementId),
          logged.map((l) => l.error?.slice(0, 1000) ?? null),
        ],
      );
    },

    /**
     * Batch numbers that still hold pending rows (at most audience/size numbers: 200 for 100k at 500).
     * `dueBy`: only rows due by then (not held for a later slot or the end of quiet hours).
     */
    async batchesWithPending(alertId: string, size: number, dueBy?: Date): Promise<number[]> {
      const due = dueBy ? ` and (deliver_after is null or deliver_after <= $3)` : '';
      const { rows } = await db.query<{ batch: number }>(
        `select distinct (seq / $2)::int as batch from deliveries where alert_id = $1 and status = 'pending'${due} order by 1`,
        dueBy ? [alertId, size, dueBy.toISOString()] : [alertId, size],
      );
      return rows.map((r) => r.batch);
    },

    /** Pending rows per time zone: what the approval previews' timing is computed from. */
    async pendingZoneCounts(alertId: string, withoutDigests = false): Promise<Record<string, number>> {
      const { rows } = await db.query<{ zone: string; n: number | string }>(
        `select coalesce(time_zone, 'UTC') as zone, count(*) as n from deliveries where alert_id = $1 and status = 'pending'
           ${withoutDigests ? 'and digest_mode is null' : ''} group by 1`,
        [alertId],
      );
      return Object.fromEntries(rows.map((r) => [r.zone, Number(r.n)]));
    },

    /** Pending rows whose contact chose a daily or weekly digest for the topic: what the previews say of digests. */
    async pendingDigestCounts(alertId: string): Promise<{ daily: number; weekly: number }> {
      const { rows } = await db.query<{ mode: 'daily' | 'weekly'; n: number | string }>(
        `select digest_mode as mode, count(*) as n from deliveries
         where alert_id = $1 and status = 'pending' and digest_mode is not null group by 1`,
        [alertId],
      );
      const out = { daily: 0, weekly: 0 };
      for (const r of rows) out[r.mode] = Number(r.n);
      return out;
    },

    /** The time zones of an alert's pending rows (a few hundred at most): what the announced slots are computed for. */
    async pendingTimeZones(alertId: string): Promise<string[]> {
      const { rows } = await db.query<{ zone: string }>(
        `select distinct coalesce(time_zone, 'UTC') as zone from deliveries where alert_id = $1 and status = 'pending'`,
        [alertId],
      );
      return rows.map((r) => r.zone);
    },

    /**
     * Holds the pending rows of these time zones until `at` (a slot): one statement per slot
     * instant. A row already held later (quiet hours) keeps its later time: the later of the two wins.
     */
    async holdZonesUntil(alertId: string, zones: string[], at: string): Promise<number> {
      if (zones.length === 0) return 0;
      const { rows } = await db.query(
        `update deliveries set deliver_after = greatest(coalesce(deliver_after, $3::timestamptz), $3::timestamptz), updated_at = now()
         where alert_id = $1 and status = 'pending' and coalesce(time_zone, 'UTC') = any($2::text[])
         returning contact_id`,
        [alertId, zones, at],
      );
      return rows.length;
    },

    /** Pending rows held back until a later time (quiet hours that began after resolution). */
    async deferUntil(alertId: string, rows: { contactId: string; deliverAfter: string }[]): Promise<void> {
      if (rows.length === 0) return;
      await db.query(
        `update deliveries d set deliver_after = input.at, updated_at = now()
         from unnest($2::text[], $3::timestamptz[]) as input(contact_id, at)
         where d.alert_id = $1 and d.contact_id = input.contact_id and d.status = 'pending'`,
        [alertId, rows.map((r) => r.contactId), rows.map((r) => r.deliverAfter)],
      );
    },

    /** Earliest deliver_after among rows still waiting for quiet hours to end. */
    async nextDeferred(alertId: string): Promise<string | null> {
      const { rows } = await db.query<{ at: unknown }>(
        `select min(deliver_after) as at from deliveries where alert_id = $1 and status = 'pending'`,
        [alertId],
      );
      return iso(rows[0]?.at);
    },

    /** Pending rows, and rows waiting for a digest that none has claimed yet, are cancelled. */
    async cancelPending(alertId: string): Promise<number> {
      const { rows } = await db.query(
        `update deliveries set status = 'cancelled', updated_at = now()
         where alert_id = $1 and (status = 'pending' or (status = 'digest' and digest_id is null))
         returning contact_id`,
        [alertId],
      );
      return rows.length;
    },

    async counts(alertId: string): Promise<DeliveryCounts> {
      const { rows } = await db.query<{ status: DeliveryStatus; n: number; responded: number; rescued: number }>(
        `select status, count(*)::int as n, count(responded_at)::int as responded,
           count(*) filter (where status = 'sent' and email_bounced)::int as rescued
         from deliveries where alert_id = $1 group by status`,
        [alertId],
      );
      const counts = emptyCounts();
      for (const r of rows) {
        counts[r.status] = (counts[r.status] ?? 0) + r.n;
        counts.total += r.n;
        counts.responded += r.responded;
        counts.sentAfterBounce = (counts.sentAfterBounce ?? 0) + r.rescued;
      }
      return counts;
    },

    /** The latest alert texted to this number (E.164), as the first or the fallback channel. */
    async latestTextedTo(phone: string): Promise<DeliveryRow | null> {
      const { rows } = await db.query<DeliveryRow>(
        `select ${COLUMNS} from deliveries
         where sent_channel = 'sms' and status = 'sent'
           and ((channel = 'sms' and address = $1) or (fallback_channel = 'sms' and fallback_address = $1))
         order by sent_at desc limit 1`,
        [phone],
      );
      return rows[0] ? normalise(rows[0]) : null;
    },

    async byToken(token: string): Promise<DeliveryRow | null> {
      const { rows } = await db.query<DeliveryRow>(`select ${COLUMNS} from deliveries where token = $1`, [token]);
      return rows[0] ? normalise(rows[0]) : null;
    },

    async get(alertId: string, contactId: string): Promise<DeliveryRow | null> {
      const { rows } = await db.query<DeliveryRow>(
        `select ${COLUMNS} from deliveries where alert_id = $1 and contact_id = $2`,
        [alertId, contactId],
      );
      return rows[0] ? normalise(rows[0]) : null;
    },

    async markResponded(alertId: string, contactId: string): Promise<void> {
      await db.query(
        `update deliveries set responded_at = coalesce(responded_at, now()) where alert_id = $1 and contact_id = $2`,
        [alertId, contactId],
      );
    },

    /**
     * Frequency cap input at resolution: other alerts' sends to these contacts within the window
     * (a row being sent or unconfirmed counts: it may well have arrived), and their pending rows
     * of alerts already approved (in flight: they will land inside any window).
     */
    async recentSends(contactIds: string[], windowHours: number, excludeAlertId: string): Promise<RecentSendRow[]> {
      if (contactIds.length === 0) return [];
      const { rows } = await db.query<RecentSendRow>(
        `select d.contact_id as "contactId", d.alert_id as "alertId", a.topic,
           coalesce(d.sent_at, d.updated_at) as "sentAt", (d.status = 'pending') as "inFlight"
         from deliveries d join alerts a on a.id = d.alert_id
         where d.contact_id = any($1::text[]) and d.alert_id <> $3
           and ((d.status in ('sent', 'sending', 'unconfirmed')
                 and coalesce(d.sent_at, d.updated_at) > now() - make_interval(secs => $2))
             or (d.status = 'pending' and a.status = any($4::text[])))`,
        [contactIds, windowHours * 3600, excludeAlertId, SENDING_STATUSES],
      );
      return rows.map((r) => ({ ...r, sentAt: iso(r.sentAt) }));
    },

    /**
     * Pending rows whose contact unsubscribed (in the CRM) since the audience was resolved leave the
     * ledger as UNSUBSCRIBED suppressions, as the cap's refusals do; returns how many left.
     */
    async suppressUnsubscribedAtSend(alertId: string, rows: { contactId: string; detail: string }[]): Promise<number> {
      if (rows.length === 0) return 0;
      return db.transaction((tx) => suppressAtSend(tx, alertId, rows, 'UNSUBSCRIBED'));
    },

    /**
     * The frequency cap at send time, for this alert's pending rows of these contacts that the
     * cap has not admitted yet. In one transaction: each contact's row in contact_cap_claims is
     * locked (upserted in contact order, so two transactions never wait on each other in a
     * cycle), then what counts is read: other alerts' rows sent, being sent or unconfirmed within
     * `windowHours`, and their pending rows the cap already admitted. `overCap` (the pure rule,
     * domain/audience/frequency-cap.ts) names the contacts over the cap; the others' rows are
     * marked admitted and the refused rows leave the ledger as FREQUENCY_CAP suppressions
     * (suppressAtSend below). A second alert's transaction for the same contact waits for the
     * first to commit and then counts its admitted rows: whichever processes send the two
     * alerts, they never both pass the cap. Rows admitted by an earlier attempt are not judged again.
     */
    async claimCapAtSend(
      alertId: string,
      contactIds: string[],
      windowHours: number,
      overCap: (
        contactIds: string[],
        counted: CountedAtSend[],
      ) => { contactId: string; detail: string }[] | Promise<{ contactId: string; detail: string }[]>,
    ): Promise<{ admitted: string[]; refused: string[] }> {
      if (contactIds.length === 0) return { admitted: [], refused: [] };
      return db.transaction(async (tx) => {
        const { rows: locked } = await tx.query<{ contactId: string }>(
          `insert into contact_cap_claims (contact_id)
           select contact_id from deliveries
           where alert_id = $1 and contact_id = any($2::text[]) and status = 'pending' and cap_claimed_at is null
           order by contact_id
           on conflict (contact_id) do update set claimed_at = now()
           returning contact_id as "contactId"`,
          [alertId, contactIds],
        );
        if (locked.length === 0) return { admitted: [], refused: [] };
        const ids = locked.map((r) => r.contactId);
        const { rows: counted } = await tx.query<CountedAtSend>(
          `select d.contact_id as "contactId", d.alert_id as "alertId", a.topic,
             case when d.status = 'pending' then null else coalesce(d.sent_at, d.updated_at) end as "sentAt"
           from deliveries d join alerts a on a.id = d.alert_id
           where d.contact_id = any($1::text[]) and d.alert_id <> $3
             and ((d.status in ('sent', 'sending', 'unconfirmed')
                   and coalesce(d.sent_at, d.updated_at) > now() - make_interval(secs => $2))
               or (d.status = 'pending' and d.cap_claimed_at is not null))`,
          [ids, windowHours * 3600, alertId],
        );
        const over = await overCap(
          ids,
          counted.map((c) => ({ ...c, sentAt: iso(c.sentAt) })),
        );
        const refused = new Set(over.map((o) => o.contactId));
        const admitted = ids.filter((id) => !refused.has(id));
        if (admitted.length > 0) {
          await tx.query(
            `update deliveries set cap_claimed_at = now()
             where alert_id = $1 and contact_id = any($2::text[]) and status = 'pending' and cap_claimed_at is null`,
            [alertId, admitted],
          );
        }
        await suppressAtSend(tx, alertId, over);
        return { admitted, refused: [...refused] };
      });
    },

    /** Sent rows without a response, grouped by account owner (owner null: no owner on the contact). */
    async nonRespondersByOwner(
      alertId: string,
    ): Promise<{ ownerId: string | null; contacts: { contactId: string; address: string }[] }[]> {
      const { rows } = await db.query<{ ownerId: string | null; contacts: unknown }>(
        `select owner_id as "ownerId",
           json_agg(json_build_object('contactId', contact_id, 'address', address) order by seq) as contacts
         from deliveries where alert_id = $1 and status = 'sent' and responded_at is null
         group by owner_id order by owner_id nulls last`,
        [alertId],
      );
      return rows.map((r) => ({
        ownerId: r.ownerId,
        contacts: (typeof r.contacts === 'string' ? JSON.parse(r.contacts) : r.contacts) as {
          contactId: string;
          address: string;
        }[],
      }));
    },

    async suppressions(alertId: string, limit: number) {
      const { rows } = await db.query<{
        contactId: string;
        listId: string | null;
        reason: string;
        detail: string | null;
        email: string | null;
        duplicateOf: string | null;
      }>(
        `select contact_id as "contactId", list_id as "listId", reason, detail, email, duplicate_of as "duplicateOf"
         from alert_suppressions where alert_id = $1 order by reason, contact_id limit $2`,
        [alertId, limit],
      );
      return rows;
    },
  };
}

export type DeliveryStore = ReturnType<typeof createDeliveryStore>;

/**
 * Pending rows the frequency cap holds back at send time (another alert reached the contact, or
 * was admitted to, since this one's audience was resolved): taken out of the ledger and listed with
 * the alert's suppressions, and the audience summary counts them, so approvers' figures still add up.
 * A row the cap already admitted (an earlier attempt of the batch running late) is never taken back.
 */
async function suppressAtSend(
  tx: Pick<Db, 'query'>,
  alertId: string,
  rows: { contactId: string; detail: string }[],
  reason: 'FREQUENCY_CAP' | 'UNSUBSCRIBED' = 'FREQUENCY_CAP',
): Promise<number> {
  if (rows.length === 0) return 0;
  // Locked first: the alert's other batches in flight amend the same summary. Taken before the
  // suppressions' insert, whose foreign key share-locks the alert row: two batches each holding
  // that share lock and then asking for this one would deadlock.
  const { rows: alert } = await tx.query<{ summary: unknown }>(`select summary from alerts where id = $1 for update`, [
    alertId,
  ]);
  const { rows: gone } = await tx.query<{
    contactId: string;
    channel: Channel;
    email: string | null;
    detail: string;
  }>(
    `with input as (select * from unnest($2::text[], $3::text[]) as t(contact_id, detail))
     delete from deliveries d using input
     where d.alert_id = $1 and d.contact_id = input.contact_id and d.status = 'pending'
       -- A row the cap admitted stays admitted; an unsubscribe removes it all the same.
       and (d.cap_claimed_at is null or $4 <> 'FREQUENCY_CAP')
     returning d.contact_id as "contactId", d.channel, d.email, input.detail`,
    [alertId, rows.map((r) => r.contactId), rows.map((r) => r.detail), reason],
  );
  if (gone.length === 0) return 0;
  await tx.query(
    `insert into alert_suppressions (alert_id, contact_id, reason, detail, email)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[])`,
    [
      alertId,
      gone.map((g) => g.contactId),
      gone.map(() => reason),
      gone.map((g) => g.detail),
      gone.map((g) => g.email),
    ],
  );
  const summary = json<AudienceSummary | null>(alert[0]?.summary ?? null);
  if (summary) {
    await tx.query(`update alerts set summary = $2::jsonb, updated_at = now() where id = $1`, [
      alertId,
      JSON.stringify(
        withSuppressedAtSend(
          summary,
          reason,
          gone.map((g) => g.channel),
        ),
      ),
    ]);
  }
  return gone.length;
}
