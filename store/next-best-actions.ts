import { iso, json, type Db } from './db.js';

/**
 * Each contact's current next best action (migration 23), written by the book's refresh
 * (services/next-best-action-book.ts) and counted by the crow's nest (store/dashboard.ts).
 */

/** What the rules need of one contact, as the database holds it. */
export interface NextBestActionInputs {
  contactId: string;
  firstName: string | null;
  companyName: string | null;
  /** The properties the contact sync copied (nba_properties); empty before it has. */
  properties: Record<string, string | null>;
  lastTouchAt: string | null;
  touchesLast90Days: number;
  /** Questions answered in touches logged in Rapport (their answers may not be in the CRM yet). */
  answeredInTouches: string[];
}

export interface ComputedAction {
  contactId: string;
  /** null: no rule matched. */
  ruleId: string | null;
  action: string | null;
}

export function createNextBestActionStore(db: Pick<Db, 'query'>) {
  return {
    /**
     * Up to `limit` contacts whose action is missing or out of date, the missing first, then the
     * oldest: the sync changed their properties, a touch was logged for them since, or it is older
     * than `maxAgeSeconds` (days pass: "days since the last touch" and "last purchase" move).
     * `at`: the database's time of the read, the computed_at to save with (a touch logged after it
     * makes the action due again).
     */
    async due(limit: number, maxAgeSeconds: number): Promise<{ at: Date; contacts: NextBestActionInputs[] }> {
      // The time first: a touch logged while this runs has a later created_at, so it is due again next time.
      const { rows: clock } = await db.query<{ at: unknown }>('select now() as at');
      const at = new Date(iso(clock[0]?.at) ?? Date.now());
      const { rows } = await db.query<{
        contactId: string;
        firstName: string | null;
        companyName: string | null;
        properties: unknown;
        lastTouchAt: unknown;
        touchesLast90Days: number | null;
        answeredInTouches: string[] | null;
      }>(
        // Three reads, not one test per contact: one pass over the read model for the missing and
        // the changed; by index, the old and those with a touch logged in the last maxAge (a touch
        // older than that was logged before any action still current was worked out).
        `with due as (
           (select c.id, n.computed_at from crm_contacts c left join next_best_actions n on n.contact_id = c.id
            where n.contact_id is null or n.computed_at < c.nba_properties_at
            order by n.computed_at nulls first, c.id limit $1)
           union
           (select n.contact_id, n.computed_at from next_best_actions n
            where n.computed_at < now() - make_interval(secs => $2) order by n.computed_at limit $1)
           union
           (select n.contact_id, n.computed_at from touches t join next_best_actions n on n.contact_id = t.contact_crm_id
            where t.created_at >= now() - make_interval(secs => $2) and t.created_at >= n.computed_at
            limit $1)
           order by computed_at nulls first, id
           limit $1)
         select c.id as "contactId", c.first_name as "firstName", c.company_name as "companyName",
           c.nba_properties as properties, t.last_at as "lastTouchAt", t.recent as "touchesLast90Days",
           a.answered as "answeredInTouches"
         from due join crm_contacts c on c.id = due.id
         left join lateral (
           select max(x.occurred_at) as last_at,
             count(*) filter (where x.occurred_at > now() - interval '90 days')::int as recent
           from touches x where x.contact_crm_id = c.id and x.occurred_at <= now()) t on true
         left join lateral (
           select array_agg(distinct k.key) as answered
           from touches x cross join lateral jsonb_object_keys(x.answers) k(key)
           where x.contact_crm_id = c.id and coalesce(trim(x.answers ->> k.key), '') <> '') a on true`,
        [limit, maxAgeSeconds],
      );
      return {
        at,
        contacts: rows.map((r) => ({
          contactId: r.contactId,
          firstName: r.firstName,
          companyName: r.companyName,
          properties: json<Record<string, string | null> | null>(r.properties) ?? {},
          lastTouchAt: iso(r.lastTouchAt),
          touchesLast90Days: r.touchesLast90Days ?? 0,
          answeredInTouches: r.answeredInTouches ?? [],
        })),
      };
    },

    /** Saves actions worked out at `at`; `since` moves only when a contact's rule changed. */
    async save(actions: ComputedAction[], at: Date): Promise<void> {
      if (actions.length === 0) return;
      await db.query(
        `insert into next_best_actions (contact_id, rule_id, action, since, computed_at)
         select u.id, u.rule, u.action, $4, $4 from unnest($1::text[], $2::text[], $3::text[]) as u(id, rule, action)
         where exists (select 1 from crm_contacts c where c.id = u.id)
         on conflict (contact_id) do update set
           since = case when next_best_actions.rule_id is not distinct from excluded.rule_id
                        then next_best_actions.since else excluded.since end,
           rule_id = excluded.rule_id, action = excluded.action, computed_at = excluded.computed_at`,
        [actions.map((a) => a.contactId), actions.map((a) => a.ruleId), actions.map((a) => a.action), at],
      );
    },
  };
}

export type NextBestActionStore = ReturnType<typeof createNextBestActionStore>;
