import { createCrmSyncState } from './crm-sync-state.js';
import { iso, type Db } from './db.js';

/** A company as the read model keeps it: what the customer context shows, as the CRM had it. */
export interface CompanyRow {
  id: string;
  name: string | null;
  domain: string | null;
  properties: Record<string, string | null>;
  /** The CRM's last modification, ISO. */
  updatedAt: string;
}

const SYNC = 'companies';
/** The sync's lease in the leases table, with the other singleton jobs'. */
export const COMPANY_SYNC_LEASE = 'company-sync';

const toRow = (r: Record<string, unknown>): CompanyRow => ({
  id: String(r.id),
  name: (r.name as string | null) ?? null,
  domain: (r.domain as string | null) ?? null,
  properties: (typeof r.properties === 'string' ? JSON.parse(r.properties) : (r.properties ?? {})) as Record<
    string,
    string | null
  >,
  updatedAt: iso(r.updatedAt)!,
});

/**
 * The company read model (migration 24): rows copied from the CRM by the company sync
 * (services/companies/company-read-model.ts), read by id. A row never goes back in time: a write
 * older than the row's updated_at (a slow read racing the sync) leaves it as it is.
 */
export function createCrmCompanyStore(db: Pick<Db, 'query' | 'transaction'>) {
  const sync = createCrmSyncState(db, { name: SYNC, lease: COMPANY_SYNC_LEASE, table: 'crm_companies' });

  /** Writes companies as the CRM has them; `fullRun` marks them seen by that full load (default: the current one). */
  async function upsert(companies: CompanyRow[], fullRun?: number): Promise<{ changed: number }> {
    if (companies.length === 0) return { changed: 0 };
    const unique = [...new Map(companies.map((c) => [c.id, c])).values()];
    return db.transaction(async (tx) => {
      if (fullRun !== undefined) {
        await tx.query('update crm_companies set full_run = $2 where id = any($1::text[])', [
          unique.map((c) => c.id),
          fullRun,
        ]);
      }
      // A row written outside a full load counts as seen by the current one: a company read
      // through while a full load runs is not taken for one the CRM no longer has.
      const { rows } = await tx.query<{ id: string }>(
        `insert into crm_companies (id, name, domain, properties, updated_at, full_run)
         select u.id, u.name, u.domain, u.properties::jsonb, u.updated_at,
           coalesce($6::integer, (select full_run from crm_sync_state where name = '${SYNC}'))
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[])
           as u(id, name, domain, properties, updated_at)
         on conflict (id) do update set name = excluded.name, domain = excluded.domain,
           properties = excluded.properties, updated_at = excluded.updated_at, synced_at = now()
         where excluded.updated_at >= crm_companies.updated_at
           and (crm_companies.name, crm_companies.domain, crm_companies.properties, crm_companies.updated_at)
             is distinct from (excluded.name, excluded.domain, excluded.properties, excluded.updated_at)
         returning id`,
        [
          unique.map((c) => c.id),
          unique.map((c) => c.name),
          unique.map((c) => c.domain),
          unique.map((c) => JSON.stringify(c.properties)),
          unique.map((c) => c.updatedAt),
          fullRun ?? null,
        ],
      );
      return { changed: rows.length };
    });
  }

  return {
    upsert,

    /**
     * The company with this id as the read model has it (null: not in it), and the model's
     * watermark: every change in the CRM before it is in the model (null: never filled).
     */
    async get(id: string): Promise<{ company: CompanyRow | null; watermark: string | null }> {
      const { rows } = await db.query<Record<string, unknown>>(
        `select s.watermark, c.id, c.name, c.domain, c.properties, c.updated_at as "updatedAt"
         from crm_sync_state s left join crm_companies c on c.id = $2 where s.name = $1`,
        [SYNC, id],
        // A rep waits on the pane that asks.
        { urgent: true },
      );
      const row = rows[0];
      return { company: row?.id ? toRow(row) : null, watermark: iso(row?.watermark) };
    },

    /** The CRM no longer has it (a read by id found none). */
    async remove(id: string): Promise<void> {
      await db.query('delete from crm_companies where id = $1', [id]);
    },

    async count(): Promise<number> {
      const { rows } = await db.query<{ n: number | string }>('select count(*) as n from crm_companies');
      return Number(rows[0]?.n ?? 0);
    },

    ...sync,
  };
}

export type CrmCompanyStore = ReturnType<typeof createCrmCompanyStore>;
