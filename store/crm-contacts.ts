import { contactTerms, queryWords, searchText } from '../domain/contact-search-terms.js';
import { createCrmSyncState, type CrmSyncState } from './crm-sync-state.js';
import { iso, type Db } from './db.js';

/** What a person picking a customer needs to see; the CRM keeps everything else. */
export interface ContactSummary {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  ownerId: string | null;
  /** The CRM's last modification, ISO. */
  updatedAt: string;
  /** Segments for the dashboard (domain/segments.ts); absent: left as they are. */
  valueTier?: string | null;
  customerSince?: string | null;
  /** The properties the next-best-action rules read (domain/next-best-action.ts); absent: left as they are. */
  nbaProperties?: Record<string, string | null>;
}

export type ContactSyncState = CrmSyncState;

const SYNC = 'contacts';
/** The sync's lease in the leases table (migration 10), with the other singleton jobs'. */
export const CONTACT_SYNC_LEASE = 'contact-sync';
const COLUMNS = `c.id, c.email, c.first_name as "firstName", c.last_name as "lastName",
  c.company_name as "companyName", c.owner_id as "ownerId", c.updated_at as "updatedAt"`;

/**
 * The contact read model (migration 4): rows copied from the CRM by server/contact-sync.ts and a
 * word-prefix search over them. `changes()` counts writes that changed what a search can return,
 * so callers may keep answers until it moves.
 */
export function createCrmContactStore(db: Pick<Db, 'query' | 'transaction'>) {
  const sync = createCrmSyncState(db, { name: SYNC, lease: CONTACT_SYNC_LEASE, table: 'crm_contacts' });
  let changes = 0;

  return {
    changes: () => changes,

    /**
     * Writes contacts as the CRM has them now. Rows whose searchable fields did not change are
     * left alone (their search terms too); `fullRun` marks them seen by that full load.
     */
    async upsert(contacts: ContactSummary[], fullRun?: number): Promise<{ changed: number }> {
      if (contacts.length === 0) return { changed: 0 };
      const unique = [...new Map(contacts.map((c) => [c.id, c])).values()];
      const changed = await db.transaction(async (tx) => {
        if (fullRun !== undefined) {
          await tx.query('update crm_contacts set full_run = $2 where id = any($1::text[])', [
            unique.map((c) => c.id),
            fullRun,
          ]);
        }
        const col = <K extends keyof ContactSummary>(k: K) => unique.map((c) => c[k]);
        const { rows } = await tx.query<{ id: string }>(
          `insert into crm_contacts (id, email, first_name, last_name, company_name, owner_id, updated_at, search_text, full_run)
           select u.*, $9::integer from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::timestamptz[], $8::text[]) as u
           on conflict (id) do update set email = excluded.email, first_name = excluded.first_name,
             last_name = excluded.last_name, company_name = excluded.company_name, owner_id = excluded.owner_id,
             updated_at = excluded.updated_at, search_text = excluded.search_text, synced_at = now()
           where (crm_contacts.email, crm_contacts.first_name, crm_contacts.last_name, crm_contacts.company_name,
                  crm_contacts.owner_id, crm_contacts.updated_at)
             is distinct from (excluded.email, excluded.first_name, excluded.last_name, excluded.company_name,
                  excluded.owner_id, excluded.updated_at)
           returning id`,
          [
            col('id'),
            col('email'),
            col('firstName'),
            col('lastName'),
            col('companyName'),
            col('ownerId'),
            col('updatedAt'),
            unique.map(searchText),
            fullRun ?? 0,
          ],
        );
        // Segments change nothing a search returns, so they are written apart from the search fields.
        const segmented = unique.filter((c) => c.valueTier !== undefined || c.customerSince !== undefined);
        if (segmented.length > 0) {
          await tx.query(
            `update crm_contacts c set value_tier = u.tier, customer_since = u.since
             from unnest($1::text[], $2::text[], $3::timestamptz[]) as u(id, tier, since)
             where c.id = u.id and (c.value_tier, c.customer_since) is distinct from (u.tier, u.since)`,
            [
              segmented.map((c) => c.id),
              segmented.map((c) => c.valueTier ?? null),
              segmented.map((c) => c.customerSince ?? null),
            ],
          );
        }
        // The rules' inputs: a change stamps nba_properties_at, so the book's action is worked out again.
        const withFacts = unique.filter((c) => c.nbaProperties !== undefined);
        if (withFacts.length > 0) {
          await tx.query(
            `update crm_contacts c set nba_properties = u.p::jsonb, nba_properties_at = now()
             from unnest($1::text[], $2::text[]) as u(id, p)
             where c.id = u.id and c.nba_properties is distinct from u.p::jsonb`,
            [withFacts.map((c) => c.id), withFacts.map((c) => JSON.stringify(c.nbaProperties))],
          );
        }
        if (rows.length === 0) return 0;
        const ids = new Set(rows.map((r) => r.id));
        const terms: string[] = [];
        const owners: string[] = [];
        for (const c of unique) {
          if (!ids.has(c.id)) continue;
          for (const term of contactTerms(c)) {
            terms.push(term);
            owners.push(c.id);
          }
        }
        await tx.query('delete from crm_contact_terms where contact_id = any($1::text[])', [[...ids]]);
        await tx.query(
          `insert into crm_contact_terms (term, contact_id) select * from unnest($1::text[], $2::text[])
           on conflict do nothing`,
          [terms, owners],
        );
        return rows.length;
      });
      if (changed > 0) changes++;
      return { changed };
    },

    /** Contacts every word of `query` finds (each word starts a word of the name, email or company). */
    async search(query: string, limit = 20): Promise<ContactSummary[]> {
      const words = queryWords(query);
      if (words.length === 0) return [];
      // Letters and digits only (queryWords), so no word carries a LIKE wildcard.
      const matches = words
        .map((_, i) => `c.id in (select contact_id from crm_contact_terms where term like $${i + 1})`)
        .join(' and ');
      const { rows } = await db.query<ContactSummary>(
        `select ${COLUMNS} from crm_contacts c where ${matches}
         order by c.last_name, c.first_name, c.id limit $${words.length + 1}`,
        [...words.map((w) => `${w}%`), Math.max(1, Math.min(limit, 100))],
        // The picker's options are the answer to Slack's request: before background queries.
        { urgent: true },
      );
      return rows.map((r) => ({ ...r, updatedAt: iso(r.updatedAt)! }));
    },

    async count(): Promise<number> {
      const { rows } = await db.query<{ n: number | string }>('select count(*) as n from crm_contacts');
      return Number(rows[0]?.n ?? 0);
    },

    state: sync.state,
    lease: sync.lease,
    releaseLease: sync.releaseLease,
    startFullRun: sync.startFullRun,

    /** The full load saw every contact the CRM has: the rows it did not see are gone from the CRM. */
    async finishFullRun(run: number, watermark: Date): Promise<{ removed: number }> {
      const { removed } = await sync.finishFullRun(run, watermark);
      if (removed > 0) changes++;
      return { removed };
    },

    advanceWatermark: sync.advanceWatermark,
  };
}

export type CrmContactStore = ReturnType<typeof createCrmContactStore>;
