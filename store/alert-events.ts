import {
  STEP_RANK,
  SYSTEM_ACTOR,
  CUSTOMER_ACTOR,
  type AlertEventKind,
  type TrailCursor,
  type TrailEntry,
  type TrailStep,
} from '../domain/broadcast/trail.js';
import { iso, type Db } from './db.js';

/** A step of an alert that no other record holds; `key` makes it once only (activities retry). */
export interface AlertEvent {
  alertId: string;
  kind: AlertEventKind;
  /** Unique per step across the alert's life, e.g. `approval_requested:2:ana@bank.example`. */
  key: string;
  actor?: string | null;
  version?: number | null;
  contactId?: string | null;
  channel?: string | null;
  outcome?: string | null;
  /** The CRM's id of what the step created (a task), or another id the step names. */
  ref?: string | null;
  detail?: string | null;
}

export interface TrailPage {
  entries: TrailEntry[];
  /** Sort key of the last entry when more may follow; null on the last page. */
  next: TrailCursor | null;
}

interface TrailRow {
  us: string;
  rank: number;
  key: string;
  at: unknown;
  step: TrailStep;
  actor: string | null;
  version: number | null;
  contactId: string | null;
  channel: string | null;
  outcome: string | null;
  attempts: number | null;
  fallback: string | null;
  crmId: string | null;
  detail: string | null;
}

const rank = (step: TrailStep) => STEP_RANK[step];
const DETAIL_MAX = 500;

/**
 * The trail of one alert, read from the same records as the API and the summary: the alert row
 * (the request), the approval audit (revisions, decisions, refusals, cancels), the delivery
 * ledger (one entry per row: its time is when it was sent, or last changed), the responses, and
 * alert_events. One union, sorted by (time in µs, step rank, key) and read by keyset, so a page
 * of an alert with 65,000 deliveries costs one bounded query and pages never skip or repeat.
 */
const TRAIL_SQL = `
with steps as (
  select a.created_at as at, ${rank('requested')} as rank, '' as key, 'requested' as step, a.requester as actor,
         1 as version, null::text as contact_id, null::text as channel, null::text as outcome, null::int as attempts,
         null::text as fallback, null::text as crm_id,
         -- The row holds the latest version; a revised alert's first title is not kept.
         case when a.version = 1 then a.title end as detail
    from alerts a where a.id = $1
  union all
  select x.at,
         case when x.action = 'revise' then ${rank('revised')} when x.action = 'cancel' then ${rank('cancel')}
              when x.outcome = 'refused' then ${rank('refusal')} else ${rank('decision')} end,
         lpad(x.id::text, 20, '0'),
         case when x.action = 'revise' then 'revised' when x.action = 'cancel' then 'cancel'
              when x.outcome = 'refused' then 'refusal' else 'decision' end,
         coalesce(x.actor, '${SYSTEM_ACTOR}'), x.version, null, null,
         case when x.outcome = 'refused' then x.action || ': refused' else x.action end, null, null, null,
         left(concat_ws(' | ', x.reason, x.detail, 'via ' || x.source), ${DETAIL_MAX})
    from approval_audit x where x.alert_id = $1
  union all
  select e.at, case e.kind ${Object.entries(STEP_RANK)
    .map(([step, r]) => `when '${step}' then ${r}`)
    .join(' ')} end,
         lpad(e.id::text, 20, '0'), e.kind, coalesce(e.actor, '${SYSTEM_ACTOR}'), e.version, e.contact_id, e.channel,
         e.outcome, null, null, e.ref, e.detail
    from alert_events e where e.alert_id = $1
  union all
  select coalesce(d.sent_at, d.updated_at), ${rank('delivery')}, lpad(d.seq::text, 20, '0'), 'delivery', '${SYSTEM_ACTOR}',
         null, d.contact_id, d.channel, d.status, d.attempts,
         case when d.sent_channel is not null and d.sent_channel <> d.channel then d.sent_channel end,
         d.crm_engagement_id,
         left(concat_ws(' | ', case when d.status = 'digest' then 'waiting for the contact''s ' || d.digest_mode || ' digest'
                                    when d.digest_id is not null then 'in the contact''s ' || d.digest_mode || ' digest' end,
                        case when d.resend_id is not null then 'resent (was unconfirmed)' end,
                        case when d.email_bounced then 'email bounced' end, d.last_error, d.crm_log_error), ${DETAIL_MAX})
    from deliveries d where d.alert_id = $1
  union all
  select r.received_at, ${rank('response')}, lpad(r.id::text, 20, '0'), 'response', '${CUSTOMER_ACTOR}', null,
         r.contact_id, null, r.kind, null, null, null, left(r.body, ${DETAIL_MAX})
    from responses r where r.alert_id = $1
)
select * from (
  select (extract(epoch from at) * 1000000)::bigint::text as us, rank, key, at, step, actor, version,
         contact_id as "contactId", channel, outcome, attempts, fallback, crm_id as "crmId", nullif(detail, '') as detail
    from steps
) t
where $2::bigint is null or (us::bigint, rank, key) > ($2::bigint, $3::int, $4::text)
order by us::bigint, rank, key
limit $5`;

export function createAlertEventStore(db: Pick<Db, 'query'>) {
  return {
    /** Writes the step once: a second write with the same key (a retried activity) does nothing. */
    async record(e: AlertEvent): Promise<void> {
      await db.query(
        `insert into alert_events (alert_id, kind, actor, version, contact_id, channel, outcome, ref, detail, dedupe_key)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) on conflict (dedupe_key) do nothing`,
        [
          e.alertId,
          e.kind,
          e.actor?.toLowerCase() ?? null,
          e.version ?? null,
          e.contactId ?? null,
          e.channel ?? null,
          e.outcome ?? null,
          e.ref ?? null,
          e.detail?.slice(0, DETAIL_MAX) ?? null,
          `${e.alertId}:${e.key}`.slice(0, 300),
        ],
      );
    },

    /** One page of the trail after `after` (the start when null), at most `limit` entries. */
    async trailPage(alertId: string, after: TrailCursor | null, limit: number): Promise<TrailPage> {
      const { rows } = await db.query<TrailRow>(TRAIL_SQL, [
        alertId,
        after?.us ?? null,
        after?.rank ?? 0,
        after?.key ?? '',
        limit + 1,
      ]);
      const more = rows.length > limit;
      const page = more ? rows.slice(0, limit) : rows;
      const last = page.at(-1);
      return {
        entries: page.map((r) => ({
          at: iso(r.at)!,
          step: r.step,
          actor: r.actor ?? SYSTEM_ACTOR,
          version: r.version,
          contactId: r.contactId,
          channel: r.channel,
          outcome: r.outcome,
          attempts: r.attempts,
          fallback: r.fallback,
          crmId: r.crmId,
          detail: r.detail,
        })),
        next: more && last ? { us: String(last.us), rank: Number(last.rank), key: last.key } : null,
      };
    },

    /** Rows a dead worker left unconfirmed: what a resend would send to. */
    async unconfirmedCount(alertId: string): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from deliveries where alert_id = $1 and status = 'unconfirmed'`,
        [alertId],
      );
      return rows[0]?.n ?? 0;
    },

    /**
     * Takes the unconfirmed rows back to pending for one resend, and says how many that resend
     * holds. Idempotent: a retry after a lost commit finds the rows already marked with its id.
     */
    async takeUnconfirmedForResend(alertId: string, resendId: string): Promise<number> {
      await db.query(
        `update deliveries set status = 'pending', resend_id = $2, deliver_after = null, updated_at = now()
         where alert_id = $1 and status = 'unconfirmed'`,
        [alertId, resendId],
      );
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from deliveries where alert_id = $1 and resend_id = $2`,
        [alertId, resendId],
      );
      return rows[0]?.n ?? 0;
    },

    /** How a resend's rows ended, by status. */
    async resendOutcome(alertId: string, resendId: string): Promise<Record<string, number>> {
      const { rows } = await db.query<{ status: string; n: number }>(
        `select status, count(*)::int as n from deliveries where alert_id = $1 and resend_id = $2 group by status`,
        [alertId, resendId],
      );
      return Object.fromEntries(rows.map((r) => [r.status, r.n]));
    },

    /** A link to the trail page for one person; making it again extends it. */
    async saveTrailLink(link: { id: string; alertId: string; person: string; expiresAt: string }): Promise<void> {
      await db.query(
        `insert into trail_links (id, alert_id, person, expires_at) values ($1,$2,$3,$4)
         on conflict (id) do update set expires_at = greatest(trail_links.expires_at, excluded.expires_at)`,
        [link.id, link.alertId, link.person.toLowerCase(), link.expiresAt],
      );
    },

    async getTrailLink(id: string): Promise<{ alertId: string; person: string; expiresAt: string } | null> {
      const { rows } = await db.query<{ alertId: string; person: string; expiresAt: unknown }>(
        `select alert_id as "alertId", person, expires_at as "expiresAt" from trail_links where id = $1`,
        [id],
      );
      const r = rows[0];
      return r ? { alertId: r.alertId, person: r.person, expiresAt: iso(r.expiresAt)! } : null;
    },
  };
}

export type AlertEventStore = ReturnType<typeof createAlertEventStore>;
