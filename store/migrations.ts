import type { Db } from './db.js';

/** Append-only: a shipped migration is never edited, only followed by a new one. */
const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'touches',
    sql: `
      create table touches (
        id text primary key,
        idempotency_key text,
        request_hash text not null,
        contact_email text,
        contact_crm_id text,
        channel text not null,
        summary text not null,
        outcome text,
        occurred_at timestamptz not null,
        logged_by text not null,
        source text not null default 'api',
        source_url text,
        answers jsonb not null default '{}'::jsonb,
        status text not null default 'pending' check (status in ('pending', 'synced', 'failed')),
        engagement_id text,
        engagement_kind text,
        company_id text,
        contact_verified boolean not null default false,
        attempts integer not null default 0,
        last_error text,
        failure_reason text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        synced_at timestamptz
      );
      create index touches_pending on touches (created_at) where status = 'pending';
      create index touches_contact on touches (contact_crm_id, occurred_at desc);
      create index touches_email on touches (lower(contact_email), occurred_at desc);
    `,
  },
  {
    id: 2,
    name: 'broadcast',
    sql: `
      create table alerts (
        id text primary key,
        requester text not null,
        title text not null,
        body text not null,
        topic text not null,
        list_ids jsonb not null,
        channels jsonb not null,
        reply_owner text not null check (reply_owner in ('analyst', 'owner')),
        send_window jsonb,
        approver_group text not null,
        status text not null default 'resolving',
        version integer not null default 1,
        summary jsonb,
        counts jsonb,
        decided_by text,
        decision_comment text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        approved_at timestamptz,
        completed_at timestamptz
      );
      create index alerts_status on alerts (status, created_at desc);
      create index alerts_requester on alerts (lower(requester), created_at desc);

      -- The delivery ledger: one row per (alert, contact), the idempotency key of every send.
      create table deliveries (
        alert_id text not null references alerts (id),
        contact_id text not null,
        seq integer not null,
        email text,
        channel text not null,
        address text not null,
        fallback_channel text,
        fallback_address text,
        deliver_after timestamptz,
        time_zone text,
        owner_id text,
        list_ids jsonb not null default '[]'::jsonb,
        token text not null unique,
        status text not null default 'pending'
          check (status in ('pending', 'sending', 'sent', 'failed', 'bounced', 'unconfirmed', 'cancelled')),
        sent_channel text,
        attempts integer not null default 0,
        message_id text,
        last_error text,
        sent_at timestamptz,
        crm_engagement_id text,
        crm_logged_at timestamptz,
        responded_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (alert_id, contact_id),
        unique (alert_id, seq)
      );
      create index deliveries_contact on deliveries (contact_id, sent_at desc);

      -- Suppressed memberships and contacts, so approvers can see who will not be reached and why.
      create table alert_suppressions (
        alert_id text not null references alerts (id),
        contact_id text not null,
        list_id text,
        reason text not null,
        detail text,
        email text,
        duplicate_of text
      );
      create index alert_suppressions_alert on alert_suppressions (alert_id, reason);

      -- Approval links: bound to one approver and one version of the alert, expiring, single use.
      create table approval_links (
        id text primary key,
        alert_id text not null references alerts (id),
        version integer not null,
        approver text not null,
        expires_at timestamptz not null,
        used_at timestamptz,
        used_decision text,
        created_at timestamptz not null default now()
      );
      create index approval_links_alert on approval_links (alert_id, version);

      create table approval_audit (
        id bigserial primary key,
        alert_id text,
        version integer,
        actor text,
        action text not null,
        outcome text not null check (outcome in ('accepted', 'refused')),
        reason text,
        source text not null,
        detail text,
        at timestamptz not null default now()
      );
      create index approval_audit_alert on approval_audit (alert_id, at);

      -- Customer responses, matched by the delivery token; one row per (alert, contact, kind, key).
      create table responses (
        id bigserial primary key,
        alert_id text not null references alerts (id),
        contact_id text not null,
        kind text not null,
        dedupe_key text not null unique,
        body text,
        received_at timestamptz not null default now(),
        handled_at timestamptz
      );
      create index responses_alert on responses (alert_id, contact_id);
    `,
  },
  {
    id: 3,
    name: 'slack_alert_messages',
    sql: `
      -- Slack messages that follow an alert (the requester's preview, each approver's DM):
      -- where they are (channel + ts) so they can be updated in place, and what they last showed.
      create table slack_alert_messages (
        alert_id text not null references alerts (id),
        role text not null check (role in ('requester', 'approver')),
        slack_user text not null,
        email text,
        channel text,
        ts text,
        version integer not null default 1,
        rendered text,
        responses_seen integer not null default 0,
        done boolean not null default false,
        updated_at timestamptz not null default now(),
        primary key (alert_id, role, slack_user)
      );
      create index slack_alert_messages_open on slack_alert_messages (done, alert_id);
    `,
  },
  {
    id: 4,
    name: 'crm_contacts',
    sql: `
      -- A read model of the CRM's contacts for searches a person waits on (the Slack customer
      -- picker, /customer <name>): HubSpot answers 5 searches a second per account, this answers
      -- in milliseconds. The CRM stays the system of record: rows are copied from it (all of them
      -- at start-up, then what changed), never edited here.
      create table crm_contacts (
        id text primary key,
        email text,
        first_name text,
        last_name text,
        company_name text,
        owner_id text,
        -- the CRM's last modification (HubSpot lastmodifieddate)
        updated_at timestamptz not null,
        -- names, company and email, lower case without accents
        search_text text not null,
        -- the full load that last saw the row: rows a finished full load did not see are gone from the CRM
        full_run integer not null default 0,
        synced_at timestamptz not null default now()
      );
      -- Prefix search without extensions (no pg_trgm), the same on PGlite and PostgreSQL: one row
      -- per word of a contact; collation "C" lets "term like 'jo%'" use the primary key's index.
      create table crm_contact_terms (
        term text collate "C" not null,
        contact_id text not null references crm_contacts (id) on delete cascade,
        primary key (term, contact_id)
      );
      create index crm_contact_terms_contact on crm_contact_terms (contact_id);
      -- Where the sync is, shared by every Rapport process on this database; the lease makes one
      -- of them sync at a time.
      create table crm_sync_state (
        name text primary key,
        -- every change before this time is in the read model
        watermark timestamptz,
        -- the last finished full load; null: never (searches go to the CRM meanwhile)
        full_synced_at timestamptz,
        full_run integer not null default 0,
        lease_owner text,
        lease_until timestamptz
      );
      insert into crm_sync_state (name) values ('contacts');
    `,
  },
  {
    id: 5,
    name: 'deliveries_sms_address',
    sql: `
      -- A text sent back to the alert number carries no token: it is matched to the latest alert
      -- texted to that number, on the channel it was sent on (first or fallback).
      create index deliveries_sms_address on deliveries (address, sent_at desc) where sent_channel = 'sms';
      create index deliveries_sms_fallback_address on deliveries (fallback_address, sent_at desc)
        where sent_channel = 'sms';
    `,
  },
  {
    id: 6,
    name: 'deliveries_email_bounced_crm_log_error',
    sql: `
      -- The email hard-bounced but the fallback channel reached the contact (status 'sent'): CRM
      -- logging still flags the address and asks the owner to fix it, as for a 'bounced' row.
      alter table deliveries add column email_bounced boolean not null default false;
      -- What the CRM refused for good when the row was logged (e.g. the contact was deleted or
      -- merged since resolution). crm_logged_at is set anyway, so the row is not tried again;
      -- crm_engagement_id stays null when the timeline entry itself was refused.
      alter table deliveries add column crm_log_error text;
    `,
  },
  {
    id: 7,
    name: 'contact_cap_claims',
    sql: `
      -- The frequency cap is decided at send time while holding each contact's row here
      -- (locked in contact order, to the end of the transaction that admits or refuses the
      -- contact), so two alerts going out at once, in any processes, are judged one after the
      -- other and the second sees the first. A row exists once a contact was ever judged.
      create table contact_cap_claims (
        contact_id text primary key,
        claimed_at timestamptz not null default now()
      );
      -- When the cap admitted this row at send time. A pending row with it counts against the
      -- contact's cap for other alerts (it is about to go out); a row that ends failed, bounced
      -- or cancelled no longer counts, so a send that reached nobody does not use up the cap.
      alter table deliveries add column cap_claimed_at timestamptz;
      `,
  },
  {
    id: 9,
    name: 'shared_rates',
    sql: `
      -- Request budgets shared by every Rapport process on this database (HubSpot's portal
      -- budget: pool 'hubspot', its search limit: 'hubspot:search'). One row per slot of the
      -- budget: a call takes a free slot, which stays taken until a full window after the call
      -- finished (free_at), like the budget in one process (store/rate-slots.ts says why rows).
      -- Only free_at and lease change, neither indexed, and fillfactor leaves room on the page:
      -- updates stay HOT.
      create table rate_slots (
        pool text not null,
        slot integer not null,
        free_at timestamptz not null default '-infinity',
        -- who holds the slot now (a process's take); a release matches it, so a late release
        -- never frees a slot someone else took since
        lease text,
        primary key (pool, slot)
      ) with (fillfactor = 50);
      -- A 429 pauses every process: nobody takes a slot of the pool before until.
      create table rate_pauses (
        pool text primary key,
        until timestamptz not null
      );
      -- Per-channel send rates shared by every worker (store/send-rates.ts): the instant the
      -- next send may go out; workers lease a few evenly spaced instants at a time.
      create table send_rates (
        channel text primary key,
        next_at timestamptz not null
      ) with (fillfactor = 50);
      `,
  },
  {
    id: 10,
    name: 'leases_and_slack_claims',
    sql: `
      -- Singleton jobs (the contact sync, the Slack message poller, Slack follow-up recovery): one
      -- holder per name until expires_at. The holder renews before then; once it has expired (the
      -- holder died or lost the database) another process takes the name over.
      create table leases (
        name text primary key,
        holder text not null,
        expires_at timestamptz not null,
        acquired_at timestamptz not null default now(),
        renewed_at timestamptz not null default now()
      );
      -- The contact sync's lease moved to leases ('contact-sync'); crm_sync_state.lease_owner and
      -- lease_until stay for processes of the previous version during a rolling upgrade.

      -- Slack events taken by one API process (event_id is Slack's, the same in every retry):
      -- the first to insert acts on it. answered_at: our HTTP answer went out as 2xx; a claim left
      -- unanswered by a process that died is taken over by Slack's retry. Swept after an hour.
      create table slack_event_claims (
        event_id text primary key,
        holder text not null,
        claimed_at timestamptz not null default now(),
        answered_at timestamptz
      );
      create index slack_event_claims_claimed on slack_event_claims (claimed_at);

      -- Work after ack() that changes something (a touch, an alert, a decision, a revision, a
      -- cancel, a customer's answer), written before the ack and done after it. A process that
      -- dies leaves the row claimed; when the claim runs out another process runs it. The key is
      -- derived from the Slack request, so the same request delivered twice is one row.
      create table slack_followups (
        key text primary key,
        kind text not null,
        -- cleared when done: the request's content is kept only while it is needed
        payload jsonb,
        claimed_by text,
        claimed_until timestamptz,
        attempts integer not null default 1,
        last_error text,
        created_at timestamptz not null default now(),
        done_at timestamptz
      );
      create index slack_followups_open on slack_followups (claimed_until) where done_at is null;
      create index slack_followups_done on slack_followups (done_at) where done_at is not null;
    `,
  },
  {
    id: 11,
    name: 'crm_idempotency',
    sql: `
      -- The CRM adapter's idempotency ledger (store/idempotency-ledger.ts): a key is claimed before its
      -- create is sent and completed with the CRM's id after; a claim without an id is an uncertain create.
      create table crm_idempotency (
        scope text not null,
        key text not null,
        crm_id text,
        attempt integer not null default 1,
        claimed_at timestamptz not null default now(),
        -- No create of this claim can commit after this: the attempt's longest call, or when it failed.
        settles_at timestamptz not null default now(),
        completed_at timestamptz,
        primary key (scope, key)
      );
    `,
  },
  {
    id: 13,
    name: 'people',
    sql: `
      -- People who act in Rapport (services/people.ts): keyed by Rapport's own id, joined to the
      -- identity provider's immutable object id and to a Slack user id; the email is what they are
      -- shown as and what approver groups name, bound to one person at a time.
      create table people (
        id text primary key,
        entra_oid text unique,
        slack_user_id text unique,
        email text not null unique,
        name text,
        created_at timestamptz not null default now(),
        seen_at timestamptz not null default now()
      );
    `,
  },
  {
    id: 14,
    name: 'topics',
    sql: `
      -- The topic catalogue (domain/topics.ts): an alert names one of these ids. Archived topics
      -- stay for the alerts that named them; new alerts cannot name them.
      create table topics (
        id text primary key,
        name text not null,
        description text not null default '',
        default_channels jsonb not null,
        schedule jsonb,
        urgent_allowed boolean not null default false,
        archived_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      `,
  },
  {
    id: 15,
    name: 'deliveries_first_name',
    sql: `
      -- The contact's first name at resolution: alerts greet the contact by it ("Hello Joe,").
      alter table deliveries add column first_name text;
    `,
  },
  {
    id: 16,
    name: 'alert_trail',
    sql: `
      -- Steps of an alert's trail that no other table records (approval requests and reminders
      -- sent, notices, responses routed, tasks created, the summary, resends): one row per step,
      -- its key making a retried activity's second write a no-op (store/alert-events.ts).
      create table alert_events (
        id bigserial primary key,
        alert_id text not null references alerts (id),
        kind text not null,
        actor text,
        version integer,
        contact_id text,
        channel text,
        outcome text,
        ref text,
        detail text,
        dedupe_key text not null unique,
        at timestamptz not null default now()
      );
      create index alert_events_alert on alert_events (alert_id, at);
      -- Which resend took a row that was unconfirmed back to pending (null: never resent).
      alter table deliveries add column resend_id text;
      -- Links to one alert's trail page, bound to the person they were made for; they expire.
      create table trail_links (
        id text primary key,
        alert_id text not null references alerts (id),
        person text not null,
        expires_at timestamptz not null,
        created_at timestamptz not null default now()
      );
    `,
  },
  {
    id: 17,
    name: 'contact_preferences',
    sql: `
      -- The preference centre's cache of each contact's own terms (domain/preferences.ts); HubSpot
      -- keeps them (subscription types, rapport_preferences). Read by the audience and digests.
      -- links_revoked_before: every preference link issued earlier stops working.
      create table contact_preferences (
        contact_id text primary key,
        preferences jsonb not null,
        updated_at timestamptz not null default now(),
        links_revoked_before timestamptz
      );
    `,
  },
  {
    id: 18,
    name: 'owner_digests',
    sql: `
      -- Responses routed to a reply owner (store/owner-digests.ts): the first few go one by one
      -- (immediate), the rest wait for the owner's digest of the alert due at due_at.
      create table owner_digest_items (
        response_id bigint primary key,
        alert_id text not null,
        recipient text not null,
        seq bigserial not null,
        immediate boolean not null,
        due_at timestamptz,
        created_at timestamptz not null default now()
      );
      create index owner_digest_items_window on owner_digest_items (alert_id, recipient, due_at);
      -- One digest per (alert, owner, due time): claimed by one response's activity, then
      -- sending (the SMTP call under way), then sent; a retry that finds it sending reports it
      -- unconfirmed rather than send it twice.
      create table owner_digests (
        id bigserial primary key,
        alert_id text not null,
        recipient text not null,
        due_at timestamptz not null,
        claimed_by bigint not null,
        state text not null default 'claimed',
        items integer not null default 0,
        sent_at timestamptz,
        created_at timestamptz not null default now(),
        unique (alert_id, recipient, due_at)
      );
    `,
  },
  {
    id: 20,
    name: 'dashboard',
    sql: `
      -- Segments on the contact read model, copied from the CRM by the contact sync (value tier
      -- from lifetime revenue, domain/segments.ts; customer since): the dashboard groups by them.
      alter table crm_contacts add column value_tier text;
      alter table crm_contacts add column customer_since timestamptz;
      -- The alert page's responses over time, and the crow's nest's touches per rep per week. (The
      -- ledger gets no new index: every send updates its rows, and the alert page reads them whole.)
      create index responses_alert_received on responses (alert_id, received_at);
      create index touches_logged_by on touches (logged_by, occurred_at);
      -- The across-alerts page's rollup: one row per finished alert x channel x segment, computed
      -- from the ledger and the responses (store/dashboard.ts), so that page reads thousands of
      -- rows, not a million; alerts still under way are read live.
      create table dashboard_alert_rollup (
        alert_id text not null references alerts (id) on delete cascade,
        channel text not null,
        value_tier text not null,
        tenure text not null,
        deliveries integer not null,
        sent integer not null,
        failed integer not null,
        bounced integer not null,
        unconfirmed integer not null,
        responded integer not null,
        unsubscribed integer not null,
        primary key (alert_id, channel, value_tier, tenure)
      );
      create table dashboard_rollup_state (
        alert_id text primary key references alerts (id) on delete cascade,
        computed_at timestamptz not null
      );
    `,
  },
  {
    id: 21,
    name: 'crm_idempotency_completed',
    sql: `
      -- The maintenance sweep forgets completed idempotency keys after CRM_IDEMPOTENCY_RETENTION_DAYS:
      -- it finds the oldest by this index instead of reading the whole ledger every minute.
      create index crm_idempotency_completed on crm_idempotency (completed_at) where completed_at is not null;
    `,
  },
  {
    id: 22,
    name: 'customer_digests',
    sql: `
      -- Customer digests (store/customer-digests.ts): a contact in daily or weekly mode for the
      -- alert's topic (the preference centre) gets no message per alert: the row waits in status
      -- 'digest' until digest_at (the topic's slot in the contact's zone), then goes out with the
      -- contact's other waiting rows in one message. digest_id names the digest that carries it.
      alter table deliveries drop constraint deliveries_status_check;
      alter table deliveries add constraint deliveries_status_check
        check (status in ('pending', 'sending', 'sent', 'failed', 'bounced', 'unconfirmed', 'cancelled', 'digest'));
      alter table deliveries add column digest_mode text check (digest_mode in ('daily', 'weekly'));
      alter table deliveries add column digest_at timestamptz;
      alter table deliveries add column digest_id bigint;
      -- A digest run pages through the contacts whose rows are due and not yet in a digest.
      create index deliveries_digest_due on deliveries (contact_id, digest_at) where status = 'digest' and digest_id is null;
      create index deliveries_digest_id on deliveries (digest_id) where digest_id is not null;
      -- One digest per (run, contact): claimed by the run's paging activity, then sending (the
      -- message is on an SMTP connection), then sent; a retry that finds it sending reports it and
      -- its rows unconfirmed, never sends it twice. A second run of the same slot (leftover rows)
      -- makes its own records.
      create table customer_digests (
        id bigserial primary key,
        run_id text not null,
        slot_at timestamptz not null,
        contact_id text not null,
        channel text,
        address text,
        state text not null default 'claimed'
          check (state in ('claimed', 'sending', 'sent', 'failed', 'bounced', 'unconfirmed')),
        rows integer not null default 0,
        message_id text,
        last_error text,
        crm_logged_at timestamptz,
        sent_at timestamptz,
        created_at timestamptz not null default now(),
        unique (run_id, contact_id)
      );
      create index customer_digests_run_state on customer_digests (run_id, state);
      -- The run's digests that went out and whose rows are not on the CRM timeline yet: each
      -- page's logging finds them without reading the run's earlier digests again.
      create index customer_digests_unlogged on customer_digests (run_id) where crm_logged_at is null and state in ('sent', 'bounced');
      create index customer_digests_contact on customer_digests (contact_id, slot_at desc);
    `,
  },
  {
    id: 23,
    name: 'next_best_actions',
    sql: `
      -- The CRM properties the next-best-action rules read (domain/next-best-action.ts), copied by the
      -- contact sync with the segments, and when they last changed: the book's actions are worked out
      -- from the database, with no CRM call per contact.
      alter table crm_contacts add column nba_properties jsonb;
      alter table crm_contacts add column nba_properties_at timestamptz;
      -- Each contact's current next best action (services/next-best-action-book.ts), so the crow's
      -- nest can count them by rule and owner. since: when this rule became the contact's action;
      -- rule_id null: no rule matched.
      create table next_best_actions (
        contact_id text primary key references crm_contacts (id) on delete cascade,
        rule_id text,
        action text,
        since timestamptz not null,
        computed_at timestamptz not null
      );
      create index next_best_actions_computed on next_best_actions (computed_at);
      create index next_best_actions_rule on next_best_actions (rule_id);
      -- Touches logged since an action was worked out make it due: found by when they were logged.
      create index touches_created on touches (created_at);
    `,
  },
  {
    id: 24,
    name: 'crm_companies',
    sql: `
      -- A read model of the CRM's companies for the customer context: a pane open reads the
      -- contact's company here instead of asking HubSpot (one request fewer of a budget of 100 per
      -- 10 s). Copied from the CRM like crm_contacts (all at start-up, then what changed), never
      -- edited here; the context trusts it only while its watermark is recent.
      create table crm_companies (
        id text primary key,
        name text,
        domain text,
        -- the CRM's properties as read (strings), for whatever the context shows of a company
        properties jsonb not null default '{}',
        -- the CRM's last modification (HubSpot hs_lastmodifieddate)
        updated_at timestamptz not null,
        -- the full load that last saw the row: rows a finished full load did not see are gone from the CRM
        full_run integer not null default 0,
        synced_at timestamptz not null default now()
      );
      insert into crm_sync_state (name) values ('companies');
    `,
  },
  {
    id: 26,
    name: 'people_by_id',
    sql: `
      -- Four eyes and approver groups judge people by id (services/approver-groups.ts): an email
      -- named in APPROVER_GROUPS is bound to the first person who signs in with it, for good, so a
      -- renamed member stays a member and a newcomer who inherits the address does not become one.
      create table approver_bindings (
        email text primary key,
        person_id text not null references people (id),
        bound_at timestamptz not null default now()
      );
      -- An address the identity provider gave to another person moves to them; the former holder
      -- keeps their id (and their bindings) with no address until they sign in again.
      alter table people alter column email drop not null;
      -- The email Slack verified when the Slack user was joined: a person the identity provider
      -- renamed stays joined while Slack still shows the old address.
      alter table people add column slack_email text;
      -- Who requested the alert, by person id (null: a service principal, or an alert from before).
      alter table alerts add column requester_id text;
    `,
  },
];

/** The ids of every migration, in order. */
export const MIGRATION_IDS: readonly number[] = migrations.map((m) => m.id);

/**
 * Applies the migrations this database lacks, under one PostgreSQL advisory lock: several processes
 * starting at once on an empty database (an API and its workers, a rolling deploy) apply each
 * migration once; the others wait, then find nothing left to do. The lock is a transaction lock
 * taken first in the one transaction that applies everything, so it is released by the commit or
 * the rollback, or by PostgreSQL if the process dies. It is keyed by the schema, so databases
 * that keep one Rapport per schema (the tests) do not wait for each other. PGlite has one process.
 * Returns the ids applied by this call.
 */
export async function migrate(db: Db): Promise<number[]> {
  return db.transaction(async (tx) => {
    if (db.kind === 'postgres')
      await tx.query(
        `select pg_advisory_xact_lock(hashtext('rapport.migrate'), hashtext(coalesce(current_schema(), '')))`,
      );
    await tx.exec(`create table if not exists schema_migrations (
      id integer primary key, name text not null, applied_at timestamptz not null default now())`);
    const applied = new Set((await tx.query<{ id: number }>('select id from schema_migrations')).rows.map((r) => r.id));
    const ran: number[] = [];
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (id, name) values ($1, $2)', [m.id, m.name]);
      ran.push(m.id);
    }
    return ran;
  });
}
