import type { DigestMode } from '../domain/digests.js';
import type { Channel } from '../domain/vocabulary/index.js';
import { coalesce } from '../lib/coalesce.js';
import { iso, type Db } from './db.js';

/**
 * Customer digests (migration 22). A contact in daily or weekly mode for an alert's topic has its
 * ledger row put in status 'digest' with the instant of its digest (digest_at). A digest run (one
 * Temporal workflow per slot instant) claims, per contact, a record of `customer_digests` and
 * attaches every waiting row due by its slot (digest_id), then sends one message and records the
 * outcome on the record and its rows together. The ledger row stays the idempotency key of each
 * alert x contact: a row is attached to one digest only, so no alert reaches a contact twice.
 *
 * States of a record: claimed -> sending (the message is on an SMTP connection, or its Slack or
 * SMS request is about to go) -> sent | failed | bounced. An attempt that dies leaves 'sending';
 * the run's next attempt reports that record and its rows unconfirmed and never resends them.
 * Records still 'claimed' were never on a connection and are sent by the next attempt.
 */

/** One row of a claimed digest, with what its message needs of the alert. */
export interface DigestItemRow {
  digestId: number;
  alertId: string;
  contactId: string;
  channel: Channel;
  address: string;
  timeZone: string | null;
  firstName: string | null;
  token: string;
  title: string;
  body: string;
  approvedAt: string | null;
}

export interface DigestOutcome {
  status: 'sent' | 'failed' | 'bounced';
  channel: Channel;
  messageId?: string;
  error?: string;
}

/** Rows per claim statement: a page of contacts. */
const DEFAULT_PAGE = 500;

export function createCustomerDigestStore(db: Db) {
  /** claimed -> sending for many digests in one statement (every connection's message at once). */
  const markSendingGrouped = coalesce<number, boolean>({
    maxSize: 200,
    maxWaitMs: 0,
    maxInFlight: 1,
    run: async (ids) => {
      const { rows } = await db.query<{ id: number | string }>(
        `update customer_digests set state = 'sending' where id = any($1::bigint[]) and state = 'claimed' returning id`,
        [ids],
      );
      const held = new Set(rows.map((r) => Number(r.id)));
      return ids.map((id) => held.has(id));
    },
  });
  /** Outcomes of many digests, record and rows in one statement. */
  const finishGrouped = coalesce<{ id: number; outcome: DigestOutcome }, void>({
    maxSize: 200,
    maxWaitMs: 0,
    maxInFlight: 1,
    run: async (items) => {
      await db.query(
        `with input as (
           select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
             as t(id, status, channel, message_id, error)
         ), recs as (
           update customer_digests c set state = input.status, message_id = input.message_id,
             last_error = input.error, sent_at = case when input.status = 'sent' then now() else null end
           from input where c.id = input.id and c.state in ('sending', 'unconfirmed')
           returning c.id
         )
         update deliveries d set status = input.status, sent_channel = input.channel, message_id = input.message_id,
           last_error = input.error, sent_at = case when input.status = 'sent' then now() else d.sent_at end,
           attempts = d.attempts + 1, updated_at = now()
         from input where d.digest_id = input.id and d.status in ('digest', 'unconfirmed')`,
        [
          items.map((i) => i.id),
          items.map((i) => i.outcome.status),
          items.map((i) => i.outcome.channel),
          items.map((i) => i.outcome.messageId ?? null),
          items.map((i) => i.outcome.error?.slice(0, 1000) ?? null),
        ],
      );
      return items.map(() => undefined);
    },
  });

  return {
    /** The (mode, zone) pairs of an alert's pending rows whose contact wants this topic as a digest. */
    async pendingDigestPairs(alertId: string): Promise<{ mode: DigestMode; zone: string }[]> {
      const { rows } = await db.query<{ mode: DigestMode; zone: string }>(
        `select distinct digest_mode as mode, coalesce(time_zone, 'UTC') as zone from deliveries
         where alert_id = $1 and status = 'pending' and digest_mode is not null`,
        [alertId],
      );
      return rows;
    },

    /** The pending digest-mode rows of these zones wait for the digest at `at` (status 'digest'). */
    async holdForDigest(alertId: string, mode: DigestMode, zones: string[], at: string): Promise<number> {
      const { rows } = await db.query(
        `update deliveries set status = 'digest', digest_at = $4, updated_at = now()
         where alert_id = $1 and status = 'pending' and digest_mode = $2 and coalesce(time_zone, 'UTC') = any($3::text[])
         returning contact_id`,
        [alertId, mode, zones, at],
      );
      return rows.length;
    },

    /**
     * What an alert still waits for from digests: the latest instant a row of it is due in a
     * digest (null: none waits), and the slots whose rows are overdue (due more than `graceMs` ago
     * and in no digest yet: their run ended before they were held, so it is started again).
     */
    async alertDigestState(alertId: string, graceMs: number): Promise<{ last: string | null; overdue: string[] }> {
      const { rows } = await db.query<{ last: unknown; overdue: unknown }>(
        `select max(digest_at) as last,
           (select coalesce(json_agg(distinct digest_at), '[]'::json) from deliveries
             where alert_id = $1 and status = 'digest' and digest_id is null
               and digest_at < now() - make_interval(secs => $2)) as overdue
         from deliveries where alert_id = $1 and status = 'digest'`,
        [alertId, graceMs / 1000],
      );
      const overdue = rows[0]?.overdue;
      const list = (typeof overdue === 'string' ? JSON.parse(overdue) : (overdue ?? [])) as string[];
      return { last: iso(rows[0]?.last), overdue: list.map((d) => iso(d)!).sort() };
    },

    /**
     * The run's digests a dead attempt left 'sending': they may have arrived, so they and their
     * rows become unconfirmed, never resent. Only one attempt of a run sends at a time (the run
     * pages one activity after the other), so any 'sending' record of the run is a dead attempt's.
     */
    async reportUnconfirmed(runId: string): Promise<number> {
      const { rows } = await db.query<{ id: number | string }>(
        `with recs as (
           update customer_digests set state = 'unconfirmed', last_error = 'worker stopped during the send; not resent'
           where run_id = $1 and state = 'sending' returning id
         ), rws as (
           update deliveries d set status = 'unconfirmed', last_error = 'worker stopped during the digest send; not resent',
             updated_at = now()
           from recs where d.digest_id = recs.id and d.status = 'digest'
         )
         select id from recs`,
        [runId],
      );
      return rows.length;
    },

    /**
     * Claims the next contacts (up to `limit`) with rows waiting and due by `slotAt` in no digest:
     * a record per contact for this run, every such row of the contact attached to it. A contact
     * another run claimed meanwhile gets no rows here, and its empty record is dropped. Returns
     * how many digests were claimed.
     */
    async claimNext(runId: string, slotAt: string, limit = DEFAULT_PAGE): Promise<number> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: number | string }>(
          `with cand as (
             select distinct contact_id from deliveries
             where status = 'digest' and digest_id is null and digest_at <= $2
             order by contact_id limit $3
           ), recs as (
             insert into customer_digests (run_id, slot_at, contact_id)
             select $1, $2, contact_id from cand
             on conflict (run_id, contact_id) do nothing
             returning id, contact_id
           ), attached as (
             update deliveries d set digest_id = recs.id
             from recs where d.contact_id = recs.contact_id and d.status = 'digest' and d.digest_id is null
               and d.digest_at <= $2
             returning d.digest_id
           )
           select digest_id as id from attached`,
          [runId, slotAt, limit],
        );
        const counts = new Map<number, number>();
        for (const r of rows) counts.set(Number(r.id), (counts.get(Number(r.id)) ?? 0) + 1);
        await tx.query(
          `update customer_digests c set rows = input.n from unnest($1::bigint[], $2::int[]) as input(id, n) where c.id = input.id`,
          [[...counts.keys()], [...counts.values()]],
        );
        // Contacts whose rows another run took first: nothing to send here.
        await tx.query(`delete from customer_digests where run_id = $1 and state = 'claimed' and rows = 0`, [runId]);
        return counts.size;
      });
    },

    /** The run's claimed digests not yet sent (up to `limit` contacts), with every row's alert. */
    async claimedItems(runId: string, limit = DEFAULT_PAGE): Promise<DigestItemRow[]> {
      const { rows } = await db.query<DigestItemRow & { digestId: number | string; approvedAt: unknown }>(
        `with recs as (
           select id from customer_digests where run_id = $1 and state = 'claimed' order by contact_id limit $2
         )
         select d.digest_id as "digestId", d.alert_id as "alertId", d.contact_id as "contactId", d.channel, d.address,
           d.time_zone as "timeZone", d.first_name as "firstName", d.token, a.title, a.body, a.approved_at as "approvedAt"
         from recs join deliveries d on d.digest_id = recs.id join alerts a on a.id = d.alert_id
         order by d.contact_id, a.approved_at, d.alert_id`,
        [runId, limit],
      );
      return rows.map((r) => ({ ...r, digestId: Number(r.digestId), approvedAt: iso(r.approvedAt) }));
    },

    /** Quiet hours hold these digests: their rows wait again, until `until`, in no digest; the records go. */
    async defer(digests: { digestId: number; until: string }[]): Promise<void> {
      if (digests.length === 0) return;
      await db.query(
        `with input as (select * from unnest($1::bigint[], $2::timestamptz[]) as t(id, until)),
         rws as (
           update deliveries d set digest_id = null, digest_at = greatest(d.digest_at, input.until), updated_at = now()
           from input where d.digest_id = input.id and d.status = 'digest'
         )
         delete from customer_digests c using input where c.id = input.id and c.state = 'claimed'`,
        [digests.map((d) => d.digestId), digests.map((d) => d.until)],
      );
    },

    /** claimed -> sending, as the message leaves; false when it was not claimed (any more). */
    markSending(digestId: number): Promise<boolean> {
      return markSendingGrouped(digestId);
    },

    /** Nothing left the building (refused before data, no connection): the run's next attempt sends it. */
    async release(digestId: number, error: string): Promise<void> {
      await db.query(
        `update customer_digests set state = 'claimed', last_error = $2 where id = $1 and state = 'sending'`,
        [digestId, error.slice(0, 1000)],
      );
    },

    /** The outcome of a digest, on its record and every row it carries. */
    finish(digestId: number, outcome: DigestOutcome): Promise<void> {
      return finishGrouped({ id: digestId, outcome });
    },

    /**
     * The run's digests that went out (or bounced) and are not marked logged, with their rows not
     * on the CRM timeline yet, by alert (at most `limit` digests: one page's logging).
     */
    async unloggedRows(
      runId: string,
      limit = 1_000,
    ): Promise<{ digestIds: number[]; byAlert: { alertId: string; contactIds: string[] }[] }> {
      const { rows: recs } = await db.query<{ id: number | string }>(
        `select id from customer_digests where run_id = $1 and crm_logged_at is null and state in ('sent', 'bounced')
         order by id limit $2`,
        [runId, limit],
      );
      const digestIds = recs.map((r) => Number(r.id));
      if (digestIds.length === 0) return { digestIds, byAlert: [] };
      const { rows } = await db.query<{ alertId: string; contactIds: string[] }>(
        `select d.alert_id as "alertId", array_agg(d.contact_id order by d.contact_id) as "contactIds"
         from deliveries d
         where d.digest_id = any($1::bigint[]) and d.status in ('sent', 'bounced') and d.crm_logged_at is null
         group by d.alert_id order by d.alert_id`,
        [digestIds],
      );
      return { digestIds, byAlert: rows };
    },

    /** These digests' rows are on the CRM timeline (or refused for good, kept on each row). */
    async markLogged(digestIds: number[]): Promise<void> {
      if (digestIds.length === 0) return;
      await db.query(`update customer_digests set crm_logged_at = now() where id = any($1::bigint[])`, [digestIds]);
    },

    /** Digests of a run by state (the workflow's result, benches and tests). */
    async runCounts(runId: string): Promise<Record<string, number>> {
      const { rows } = await db.query<{ state: string; n: number }>(
        `select state, count(*)::int as n from customer_digests where run_id = $1 group by state`,
        [runId],
      );
      return Object.fromEntries(rows.map((r) => [r.state, r.n]));
    },

    /** A contact's digests, newest first (tests, the trail). */
    async forContact(
      contactId: string,
    ): Promise<{ id: number; runId: string; slotAt: string; state: string; rows: number }[]> {
      const { rows } = await db.query<{
        id: number | string;
        runId: string;
        slotAt: unknown;
        state: string;
        rows: number;
      }>(
        `select id, run_id as "runId", slot_at as "slotAt", state, rows from customer_digests
         where contact_id = $1 order by slot_at desc, id desc`,
        [contactId],
      );
      return rows.map((r) => ({ ...r, id: Number(r.id), slotAt: iso(r.slotAt)! }));
    },
  };
}

export type CustomerDigestStore = ReturnType<typeof createCustomerDigestStore>;
