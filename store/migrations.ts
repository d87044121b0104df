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
];

export async function migrate(db: Db): Promise<number[]> {
  await db.query(`create table if not exists schema_migrations (
    id integer primary key, name text not null, applied_at timestamptz not null default now())`);
  const applied = new Set((await db.query<{ id: number }>('select id from schema_migrations')).rows.map((r) => r.id));
  const ran: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('insert into schema_migrations (id, name) values ($1, $2) on conflict do nothing', [m.id, m.name]);
    });
    ran.push(m.id);
  }
  return ran;
}
