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
