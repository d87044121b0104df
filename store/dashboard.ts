import { tenureSql, type LedgerGroup, type RollupRow } from '../domain/dashboard.js';
import { FINAL_STATUSES, type ResponseKind } from '../domain/vocabulary/index.js';
import { iso, type Db } from './db.js';

/**
 * The dashboard's reads: grouped counts of the delivery ledger, the responses, the touches and
 * the contact read model. Headline figures (an alert's counts) are not here: they are the API's
 * (`DeliveryStore.counts`), so the page and GET /api/alerts/:id read one query.
 */

/**
 * A finished alert's rollup is recomputed at once after a response that came in since, and when
 * older than this (a late bounce), a few alerts per request.
 */
export const ROLLUP_MAX_AGE_SECONDS = 600;
const ROLLUP_REFRESH_PER_REQUEST = 5;

const TIER = `coalesce(c.value_tier, 'unknown')`;
const TENURE = tenureSql('c.customer_since');

export interface LedgerRowView {
  contactId: string;
  seq: number;
  channel: string;
  sentChannel: string | null;
  address: string;
  status: string;
  attempts: number;
  ownerId: string | null;
  valueTier: string;
  tenure: string;
  sentAt: string | null;
  respondedAt: string | null;
  lastError: string | null;
  name: string | null;
}

export interface RowFilter {
  status?: string;
  /** Any of these statuses (one read for several lists). */
  statuses?: string[];
  channel?: string;
  ownerId?: string;
  valueTier?: string;
  tenure?: string;
  responded?: boolean;
  /**
   * Rows not sent yet, as the funnel's "held or scheduled" step splits them: held (pending until a
   * later time: quiet hours), scheduled (pending or sending, not held), or all of them.
   */
  waiting?: 'all' | 'held' | 'scheduled';
}

/** A pending row held back until later (quiet hours), as ledgerGroups counts `held`. */
const HELD = `(d.status = 'pending' and coalesce(d.deliver_after > now(), false))`;

export interface AnsweredContact {
  id: string;
  name: string;
  email: string | null;
  ownerId: string | null;
  valueTier: string;
  /** The latest answer logged to the question asked about (none asked: null). */
  answer: string | null;
  answeredAt: string | null;
}

export interface TouchRow {
  id: string;
  occurredAt: string;
  rep: string;
  channel: string;
  contactId: string | null;
  name: string | null;
  summary: string;
  status: string;
}

export interface UntouchedGroup {
  valueTier: string;
  ownerId: string | null;
  contacts: number;
}

export interface UntouchedContact {
  id: string;
  name: string;
  email: string | null;
  ownerId: string | null;
  valueTier: string;
  lastTouchAt: string | null;
}

export interface PendingActionGroup {
  ruleId: string;
  ownerId: string | null;
  contacts: number;
  /** The longest any of these has waited: when its rule became the contact's action. */
  oldestSince: string;
}

export interface PendingActionContact {
  id: string;
  name: string;
  email: string | null;
  ownerId: string | null;
  valueTier: string;
  ruleId: string;
  action: string;
  since: string;
  computedAt: string;
  lastTouchAt: string | null;
}

/**
 * A next best action is pending while no touch has been logged for its contact since its rule
 * became the contact's action (a touch since: acted on, until the rules give another action).
 */
const PENDING = `n.rule_id is not null
  and not exists (select 1 from touches t where t.contact_crm_id = n.contact_id and t.occurred_at >= n.since)`;

export function createDashboardStore(db: Pick<Db, 'query' | 'transaction'>) {
  /** Rows of one alert filtered as a number on the page was counted (each filter an exact match). */
  function rowWhere(alertId: string, f: RowFilter): { sql: string; params: unknown[] } {
    const params: unknown[] = [alertId];
    const where = ['d.alert_id = $1'];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (f.status) add('d.status = ?', f.status);
    if (f.statuses) add('d.status = any(?::text[])', f.statuses);
    if (f.channel) add('coalesce(d.sent_channel, d.channel) = ?', f.channel);
    if (f.ownerId !== undefined) add(`coalesce(d.owner_id, '') = ?`, f.ownerId);
    if (f.valueTier) add(`${TIER} = ?`, f.valueTier);
    if (f.tenure) add(`${TENURE} = ?`, f.tenure);
    if (f.responded !== undefined) where.push(f.responded ? 'd.responded_at is not null' : 'd.responded_at is null');
    if (f.waiting === 'held') where.push(HELD);
    if (f.waiting === 'scheduled') where.push(`d.status in ('pending', 'sending') and not ${HELD}`);
    if (f.waiting === 'all') where.push(`d.status in ('pending', 'sending')`);
    return { sql: where.join(' and '), params };
  }

  return {
    /** What changes on an alert besides its ledger counts: its status and its number of responses. */
    async pulse(alertId: string): Promise<{ status: string | null; responses: number }> {
      const { rows } = await db.query<{ status: string | null; responses: number }>(
        `select (select status from alerts where id = $1) as status,
           (select count(*)::int from responses where alert_id = $1) as responses`,
        [alertId],
      );
      return rows[0] ?? { status: null, responses: 0 };
    },

    /** One alert's ledger grouped by channel, status, owner and segment (a few hundred groups at most). */
    async ledgerGroups(alertId: string): Promise<LedgerGroup[]> {
      const rows = await hashGrouped<LedgerGroup>(
        db,
        // Grouped by byte order (collate "C"): the database's linguistic collation made this sort the slowest part.
        `select coalesce(d.sent_channel, d.channel) collate "C" as channel, d.status collate "C" as status,
           d.owner_id collate "C" as "ownerId", ${TIER} collate "C" as "valueTier", ${TENURE} collate "C" as tenure,
           count(*) filter (where d.status = 'pending' and d.deliver_after > now())::int as held,
           count(*)::int as rows, count(d.responded_at)::int as responded
         from deliveries d left join crm_contacts c on c.id = d.contact_id
         where d.alert_id = $1
         group by 1, 2, 3, 4, 5`,
        [alertId],
      );
      return rows;
    },

    /** Contacts who responded, by kind (a contact answering twice the same way counts once). */
    async responsesByKind(alertId: string): Promise<Partial<Record<ResponseKind, number>>> {
      const { rows } = await db.query<{ kind: ResponseKind; n: number }>(
        `select kind, count(distinct contact_id)::int as n from responses where alert_id = $1 group by kind`,
        [alertId],
      );
      return Object.fromEntries(rows.map((r) => [r.kind, r.n]));
    },

    /** Sends per time bucket and channel, responses per bucket and kind (t: the bucket's start, epoch seconds). */
    async timeline(
      alertId: string,
      bucket: number,
    ): Promise<{
      sends: { t: number; series: string; n: number }[];
      responses: { t: number; series: string; n: number }[];
    }> {
      const [sends, responses] = await Promise.all([
        db.query<{ t: number; series: string; n: number }>(
          `select floor(extract(epoch from sent_at)::float8 / $2::float8) * $2::float8 as t,
             coalesce(sent_channel, channel) collate "C" as series,
             count(*)::int as n
           from deliveries where alert_id = $1 and sent_at is not null group by 1, 2`,
          [alertId, bucket],
        ),
        db.query<{ t: number; series: string; n: number }>(
          `select floor(extract(epoch from received_at)::float8 / $2::float8) * $2::float8 as t, kind collate "C" as series,
             count(*)::int as n
           from responses where alert_id = $1 group by 1, 2`,
          [alertId, bucket],
        ),
      ]);
      const num = (r: { t: number; series: string; n: number }) => ({ ...r, t: Number(r.t), n: Number(r.n) });
      return { sends: sends.rows.map(num), responses: responses.rows.map(num) };
    },

    /**
     * The ledger rows behind a number of the alert page, in send order; with `perStatus`, at most
     * that many of each status (the alert page lists the first unconfirmed and failed rows in one read).
     */
    async rows(
      alertId: string,
      filter: RowFilter,
      limit: number,
      offset = 0,
      perStatus?: number,
    ): Promise<LedgerRowView[]> {
      const { sql, params } = rowWhere(alertId, filter);
      params.push(limit, offset);
      const n = params.length;
      const { rows } = await db.query<LedgerRowView>(
        `select * from (
           select d.contact_id as "contactId", d.seq, d.channel, d.sent_channel as "sentChannel", d.address, d.status,
             d.attempts, d.owner_id as "ownerId", ${TIER} as "valueTier", ${TENURE} as tenure, d.sent_at as "sentAt",
             d.responded_at as "respondedAt", d.last_error as "lastError",
             nullif(trim(concat_ws(' ', coalesce(c.first_name, d.first_name), c.last_name)), '') as name
             ${perStatus ? ', row_number() over (partition by d.status order by d.seq) as nth' : ''}
           from deliveries d left join crm_contacts c on c.id = d.contact_id
           where ${sql}) r
         ${perStatus ? `where nth <= ${Math.floor(perStatus)}` : ''}
         order by seq limit $${n - 1} offset $${n}`,
        params,
      );
      return rows.map(({ nth: _nth, ...r }: LedgerRowView & { nth?: unknown }) => ({
        ...r,
        sentAt: iso(r.sentAt),
        respondedAt: iso(r.respondedAt),
      }));
    },

    /**
     * The across-alerts rollup for alerts created since `since`: finished alerts from
     * dashboard_alert_rollup (recomputed first when missing or older than ROLLUP_MAX_AGE_SECONDS),
     * alerts still under way straight from the ledger. Either way the same grouping of the same rows.
     */
    async rollup(since: Date): Promise<RollupRow[]> {
      await refreshRollups(db, since);
      // Alerts under way are few: named one by one, their rows are read through the ledger's key.
      const { rows: live } = await db.query<{ id: string }>(
        `select id from alerts where created_at >= $1 and not (status = any($2::text[]))`,
        [since, FINAL_STATUSES],
      );
      const select = (source: string) => `
        select r.alert_id as "alertId", a.topic, a.requester,
          to_char(date_trunc('week', a.created_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
          r.channel, r.value_tier as "valueTier", r.tenure, r.deliveries, r.sent, r.bounced, r.responded, r.unsubscribed
        from ${source} r join alerts a on a.id = r.alert_id`;
      const rows = await hashGrouped<RollupRow>(
        db,
        `${select('dashboard_alert_rollup')}
         where a.created_at >= $1 and a.status = any($2::text[])
         union all
         ${select(`(${ROLLUP_SQL('$3::text[]')})`)}`,
        [since, FINAL_STATUSES, live.map((r) => r.id)],
      );
      return rows;
    },

    /** Approval time of each decided alert: from its first approval request (or its creation) to the decision. */
    async approvalTimes(since: Date): Promise<
      {
        alertId: string;
        topic: string;
        requester: string;
        requestedAt: string;
        decidedAt: string;
        decision: string;
        seconds: number;
      }[]
    > {
      const { rows } = await db.query<{
        alertId: string;
        topic: string;
        requester: string;
        requestedAt: unknown;
        decidedAt: unknown;
        decision: string;
        seconds: number;
      }>(
        `select a.id as "alertId", a.topic, a.requester, req.at as "requestedAt", dec.at as "decidedAt", dec.action as decision,
           extract(epoch from dec.at - req.at)::float8 as seconds
         from alerts a
         cross join lateral (
           select coalesce((select min(e.at) from alert_events e where e.alert_id = a.id and e.kind = 'approval_requested'),
                           a.created_at) as at) req
         join lateral (
           select x.at, x.action from approval_audit x
           where x.alert_id = a.id and x.outcome = 'accepted' and x.action in ('approve', 'reject')
           order by x.at limit 1) dec on true
         where a.created_at >= $1
         order by a.created_at desc`,
        [since],
      );
      return rows.map((r) => ({
        ...r,
        requestedAt: iso(r.requestedAt)!,
        decidedAt: iso(r.decidedAt)!,
        seconds: Math.max(0, Number(r.seconds)),
      }));
    },

    /** Contacts of the read model without a touch logged in `days` days (never touched included), by tier and owner. */
    async untouched(days: number): Promise<UntouchedGroup[]> {
      const { rows } = await db.query<UntouchedGroup>(
        `select ${TIER} as "valueTier", c.owner_id as "ownerId", count(*)::int as contacts
         from crm_contacts c
         where not exists (select 1 from touches t where t.contact_crm_id = c.id
                             and t.occurred_at > now() - make_interval(days => $1))
         group by 1, 2 order by 1, 2 nulls last`,
        [days],
      );
      return rows;
    },

    async untouchedContacts(
      days: number,
      filter: { valueTier?: string; ownerId?: string },
      limit: number,
    ): Promise<UntouchedContact[]> {
      const params: unknown[] = [days];
      const where: string[] = [];
      if (filter.valueTier) {
        params.push(filter.valueTier);
        where.push(`${TIER} = $${params.length}`);
      }
      if (filter.ownerId !== undefined) {
        params.push(filter.ownerId);
        where.push(`coalesce(c.owner_id, '') = $${params.length}`);
      }
      params.push(limit);
      const { rows } = await db.query<UntouchedContact>(
        `select c.id, nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') as name, c.email, c.owner_id as "ownerId",
           ${TIER} as "valueTier", (select max(t.occurred_at) from touches t where t.contact_crm_id = c.id) as "lastTouchAt"
         from crm_contacts c
         where not exists (select 1 from touches t where t.contact_crm_id = c.id
                             and t.occurred_at > now() - make_interval(days => $1))
           ${where.map((w) => `and ${w}`).join(' ')}
         order by c.id limit $${params.length}`,
        params,
      );
      return rows.map((r) => ({ ...r, name: r.name ?? r.email ?? r.id, lastTouchAt: iso(r.lastTouchAt) }));
    },

    /** Next best actions pending (PENDING), by rule and owner. */
    async pendingActions(): Promise<PendingActionGroup[]> {
      const { rows } = await db.query<PendingActionGroup & { oldestSince: unknown }>(
        `select n.rule_id as "ruleId", c.owner_id as "ownerId", count(*)::int as contacts, min(n.since) as "oldestSince"
         from next_best_actions n join crm_contacts c on c.id = n.contact_id
         where ${PENDING}
         group by 1, 2 order by 1, 2 nulls last`,
      );
      return rows.map((r) => ({ ...r, oldestSince: iso(r.oldestSince)! }));
    },

    /** How much of the read model has an action worked out, and how old the oldest is. */
    async actionCoverage(): Promise<{ contacts: number; computed: number; oldestComputedAt: string | null }> {
      const { rows } = await db.query<{ contacts: number; computed: number; oldest: unknown }>(
        `select count(*)::int as contacts, count(n.contact_id)::int as computed, min(n.computed_at) as oldest
         from crm_contacts c left join next_best_actions n on n.contact_id = c.id`,
      );
      const r = rows[0]!;
      return { contacts: r.contacts, computed: r.computed, oldestComputedAt: iso(r.oldest) };
    },

    /** The contacts behind a pending count: their action, since when, and their last touch. */
    async pendingActionContacts(
      filter: { ruleId?: string; ownerId?: string },
      limit: number,
    ): Promise<PendingActionContact[]> {
      const params: unknown[] = [];
      const where = [PENDING];
      if (filter.ruleId) {
        params.push(filter.ruleId);
        where.push(`n.rule_id = $${params.length}`);
      }
      if (filter.ownerId !== undefined) {
        params.push(filter.ownerId);
        where.push(`coalesce(c.owner_id, '') = $${params.length}`);
      }
      params.push(limit);
      const { rows } = await db.query<
        PendingActionContact & { since: unknown; computedAt: unknown; lastTouchAt: unknown }
      >(
        `select c.id, nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') as name, c.email, c.owner_id as "ownerId",
           ${TIER} as "valueTier", n.rule_id as "ruleId", n.action, n.since, n.computed_at as "computedAt",
           (select max(t.occurred_at) from touches t where t.contact_crm_id = c.id) as "lastTouchAt"
         from next_best_actions n join crm_contacts c on c.id = n.contact_id
         where ${where.join(' and ')}
         order by n.since, c.id limit $${params.length}`,
        params,
      );
      return rows.map((r) => ({
        ...r,
        name: r.name ?? r.email ?? r.id,
        since: iso(r.since)!,
        computedAt: iso(r.computedAt)!,
        lastTouchAt: iso(r.lastTouchAt),
      }));
    },

    /**
     * The contacts behind a cell of "what the relationship has learned": the read model's contacts
     * (of a value tier), with or without an answer to `question` in the touches logged.
     */
    async answeredContacts(
      filter: { valueTier?: string; question?: string; answered?: boolean },
      limit: number,
    ): Promise<AnsweredContact[]> {
      const params: unknown[] = [filter.question ?? null];
      const where: string[] = [];
      if (filter.valueTier) {
        params.push(filter.valueTier);
        where.push(`${TIER} = $${params.length}`);
      }
      if (filter.question && filter.answered !== undefined)
        where.push(`a.answer is ${filter.answered ? 'not null' : 'null'}`);
      params.push(limit);
      const { rows } = await db.query<AnsweredContact & { answeredAt: unknown }>(
        `select c.id, nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') as name, c.email, c.owner_id as "ownerId",
           ${TIER} as "valueTier", a.answer, a.at as "answeredAt"
         from crm_contacts c
         left join lateral (
           select trim(t.answers ->> $1::text) as answer, t.occurred_at as at from touches t
           where $1::text is not null and t.contact_crm_id = c.id and coalesce(trim(t.answers ->> $1::text), '') <> ''
           order by t.occurred_at desc limit 1) a on true
         ${where.length ? `where ${where.join(' and ')}` : ''}
         order by c.id limit $${params.length}`,
        params,
      );
      return rows.map((r) => ({ ...r, name: r.name ?? r.email ?? r.id, answeredAt: iso(r.answeredAt) }));
    },

    /** The touches behind a cell of "touches per rep per week": by rep, week (the Monday, UTC) and channel. */
    async touchesOf(
      filter: { rep?: string; week?: string; channel?: string; weeks: number },
      limit: number,
    ): Promise<TouchRow[]> {
      const params: unknown[] = [filter.weeks];
      const where = ['t.occurred_at > now() - make_interval(days => $1 * 7)'];
      const add = (sql: string, v: unknown) => {
        params.push(v);
        where.push(sql.replaceAll('?', `$${params.length}`));
      };
      if (filter.rep) add('lower(t.logged_by) = ?', filter.rep.toLowerCase());
      if (filter.week)
        add(`to_char(date_trunc('week', t.occurred_at at time zone 'UTC'), 'YYYY-MM-DD') = ?`, filter.week);
      if (filter.channel) add('t.channel = ?', filter.channel);
      params.push(limit);
      const { rows } = await db.query<TouchRow & { occurredAt: unknown }>(
        `select t.id, t.occurred_at as "occurredAt", lower(t.logged_by) as rep, t.channel, t.contact_crm_id as "contactId",
           nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') as name, t.summary, t.status
         from touches t left join crm_contacts c on c.id = t.contact_crm_id
         where ${where.join(' and ')}
         order by t.occurred_at, t.id limit $${params.length}`,
        params,
      );
      return rows.map((r) => ({ ...r, occurredAt: iso(r.occurredAt)! }));
    },

    /** Touches logged per rep per week (the Monday, UTC) and channel, over the last `weeks` weeks. */
    async touchesPerRep(weeks: number): Promise<{ rep: string; week: string; channel: string; touches: number }[]> {
      const { rows } = await db.query<{ rep: string; week: string; channel: string; touches: number }>(
        `select lower(logged_by) as rep, to_char(date_trunc('week', occurred_at at time zone 'UTC'), 'YYYY-MM-DD') as week,
           channel, count(*)::int as touches
         from touches where occurred_at > now() - make_interval(days => $1 * 7)
         group by 1, 2, 3 order by 2, 1, 3`,
        [weeks],
      );
      return rows;
    },

    /**
     * How much the relationship has learned: per value tier, the contacts of the read model and
     * how many of them have an answer to each question, from the answers logged with touches.
     */
    async questionsAnswered(
      questionIds: string[],
    ): Promise<{ valueTier: string; contacts: number; answered: Record<string, number> }[]> {
      const [contacts, answered] = await Promise.all([
        db.query<{ valueTier: string; contacts: number }>(
          `select ${TIER} as "valueTier", count(*)::int as contacts from crm_contacts c group by 1 order by 1`,
        ),
        db.query<{ valueTier: string; question: string; n: number }>(
          `select ${TIER} as "valueTier", a.question, count(*)::int as n
           from (select distinct t.contact_crm_id as contact_id, k.key as question
                 from touches t cross join lateral jsonb_object_keys(t.answers) k(key)
                 where t.contact_crm_id is not null and k.key = any($1::text[])
                   and coalesce(trim(t.answers ->> k.key), '') <> '') a
           join crm_contacts c on c.id = a.contact_id
           group by 1, 2`,
          [questionIds],
        ),
      ]);
      return contacts.rows.map((r) => ({
        valueTier: r.valueTier,
        contacts: r.contacts,
        answered: Object.fromEntries(
          answered.rows.filter((a) => a.valueTier === r.valueTier).map((a) => [a.question, a.n]),
        ),
      }));
    },

    /**
     * Follow-ups overdue: a customer asked to be called or said they were interested (a response of
     * kind call-me or interested) more than `days` days ago, and no touch has been logged for them since.
     */
    async followUpsOverdue(
      days: number,
      limit: number,
    ): Promise<
      {
        alertId: string;
        contactId: string;
        kind: string;
        receivedAt: string;
        ownerId: string | null;
        name: string | null;
      }[]
    > {
      const { rows } = await db.query<{
        alertId: string;
        contactId: string;
        kind: string;
        receivedAt: unknown;
        ownerId: string | null;
        name: string | null;
      }>(
        `select r.alert_id as "alertId", r.contact_id as "contactId", r.kind, r.received_at as "receivedAt",
           d.owner_id as "ownerId", nullif(trim(concat_ws(' ', c.first_name, c.last_name)), '') as name
         from responses r
         left join deliveries d on d.alert_id = r.alert_id and d.contact_id = r.contact_id
         left join crm_contacts c on c.id = r.contact_id
         where r.kind in ('call-me', 'interested') and r.received_at < now() - make_interval(days => $1)
           and not exists (select 1 from touches t where t.contact_crm_id = r.contact_id and t.occurred_at >= r.received_at)
         order by r.received_at limit $2`,
        [days, limit],
      );
      return rows.map((r) => ({ ...r, receivedAt: iso(r.receivedAt)! }));
    },
  };
}

export type DashboardStore = ReturnType<typeof createDashboardStore>;

/**
 * A grouping over tens of thousands of ledger rows, grouped by hashing: the planner, expecting
 * as many groups as rows (it multiplies the columns' distinct counts), sorts them instead, two to
 * three times slower for the few hundred groups there really are.
 */
async function hashGrouped<R>(db: Pick<Db, 'transaction'>, sql: string, params: unknown[]): Promise<R[]> {
  return db.transaction(async (tx) => {
    await tx.query('set local enable_sort = off');
    return (await tx.query<R & Record<string, unknown>>(sql, params)).rows;
  });
}

/** The rollup's grouping of the ledger and responses for the alerts of a text[] expression (an index scan per alert). */
const ROLLUP_SQL = (alerts: string) => `
  select d.alert_id, coalesce(d.sent_channel, d.channel) collate "C" as channel, ${TIER} collate "C" as value_tier,
    ${TENURE} collate "C" as tenure,
    count(*)::int as deliveries,
    count(*) filter (where d.status = 'sent')::int as sent,
    count(*) filter (where d.status = 'failed')::int as failed,
    count(*) filter (where d.status = 'bounced')::int as bounced,
    count(*) filter (where d.status = 'unconfirmed')::int as unconfirmed,
    count(d.responded_at)::int as responded,
    count(u.contact_id)::int as unsubscribed
  from deliveries d
  left join crm_contacts c on c.id = d.contact_id
  left join (select distinct alert_id, contact_id from responses
             where kind = 'unsubscribe' and alert_id = any(${alerts})) u
    on u.alert_id = d.alert_id and u.contact_id = d.contact_id
  where d.alert_id = any(${alerts})
  group by 1, 2, 3, 4`;

/**
 * Rollups of finished alerts that have none, or an old one, are (re)computed in one statement
 * per batch of alerts. Two processes doing it at once write the same rows (upsert).
 */
async function refreshRollups(db: Pick<Db, 'query' | 'transaction'>, since: Date): Promise<void> {
  // Must: no rollup yet, or one computed before the alert finished or before a response came in.
  // May: older than ROLLUP_MAX_AGE_SECONDS (a late bounce changes no response): a few per request,
  // oldest first, so the refresh of many alerts never lands on one request.
  const { rows } = await db.query<{ id: string }>(
    `(select a.id from alerts a left join dashboard_rollup_state s on s.alert_id = a.id
      where a.created_at >= $1 and a.status = any($2::text[])
        and (s.alert_id is null or s.computed_at < a.completed_at
             or exists (select 1 from responses r where r.alert_id = a.id and r.received_at >= s.computed_at)))
     union
     (select a.id from alerts a join dashboard_rollup_state s on s.alert_id = a.id
      where a.created_at >= $1 and a.status = any($2::text[]) and s.computed_at < now() - make_interval(secs => $3)
      order by s.computed_at limit $4)`,
    [since, FINAL_STATUSES, ROLLUP_MAX_AGE_SECONDS, ROLLUP_REFRESH_PER_REQUEST],
  );
  for (let i = 0; i < rows.length; i += 50) {
    const ids = rows.slice(i, i + 50).map((r) => r.id);
    await db.transaction(async (tx) => {
      await tx.query(`delete from dashboard_alert_rollup where alert_id = any($1::text[])`, [ids]);
      await tx.query(
        `insert into dashboard_alert_rollup (alert_id, channel, value_tier, tenure, deliveries, sent, failed, bounced,
           unconfirmed, responded, unsubscribed)
         ${ROLLUP_SQL('$1::text[]')}
         on conflict (alert_id, channel, value_tier, tenure) do update set deliveries = excluded.deliveries,
           sent = excluded.sent, failed = excluded.failed, bounced = excluded.bounced,
           unconfirmed = excluded.unconfirmed, responded = excluded.responded, unsubscribed = excluded.unsubscribed`,
        [ids],
      );
      await tx.query(
        `insert into dashboard_rollup_state (alert_id, computed_at) select unnest($1::text[]), now()
         on conflict (alert_id) do update set computed_at = excluded.computed_at`,
        [ids],
      );
    });
  }
}
