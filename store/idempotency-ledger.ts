import type { Db } from './db.js';

/** What the ledger knows of a key (the store's words; crm/idempotency-ledger.ts's port has the same shape). */
export type LedgerEntry =
  | { state: 'claimed'; attempt: number }
  | { state: 'pending'; attempt: number; settlesInMs: number }
  | { state: 'done'; crmId: string };

/**
 * The CRM adapter's idempotency ledger in PostgreSQL (migration 11, crm_idempotency): one row per
 * key and CRM object type, claimed ('pending', no id) before the create is sent and given the
 * CRM's id once HubSpot confirmed it. Every process of the deployment shares it, so a retry on
 * another worker knows what was written without asking HubSpot's lagging search index.
 * Ages are measured on the database's clock, so the processes' clocks never need to agree.
 */
export function createIdempotencyLedger(db: Pick<Db, 'query'>) {
  return {
    async claim(scope: string, keys: string[], inFlightMs: number): Promise<Map<string, LedgerEntry>> {
      const { rows } = await db.query<{
        key: string;
        claimed: boolean;
        attempt: number | null;
        crm_id: string | null;
        settles_in_ms: string | number | null;
      }>(
        `with input as (select distinct unnest($2::text[]) as key),
         ins as (
           insert into crm_idempotency (scope, key, settles_at)
           select $1, key, now() + $3 * interval '1 millisecond' from input
           on conflict do nothing returning key, attempt
         )
         select i.key, ins.key is not null as claimed, coalesce(ins.attempt, c.attempt) as attempt, c.crm_id,
                greatest(0, extract(epoch from (c.settles_at - now())) * 1000) as settles_in_ms
         from input i
         left join ins on ins.key = i.key
         left join crm_idempotency c on c.scope = $1 and c.key = i.key`,
        [scope, keys, inFlightMs],
      );
      const result = new Map<string, LedgerEntry>();
      for (const row of rows) {
        if (row.claimed) result.set(row.key, { state: 'claimed', attempt: row.attempt ?? 1 });
        else if (row.crm_id) result.set(row.key, { state: 'done', crmId: row.crm_id });
        // No settles_in_ms: claimed by a transaction that committed after this statement began, a moment ago.
        else
          result.set(row.key, {
            state: 'pending',
            attempt: row.attempt ?? 0,
            settlesInMs: row.settles_in_ms === null ? inFlightMs : Number(row.settles_in_ms),
          });
      }
      return result;
    },

    async reclaim(
      scope: string,
      keys: { key: string; attempt: number }[],
      inFlightMs: number,
    ): Promise<Map<string, number>> {
      if (keys.length === 0) return new Map();
      const { rows } = await db.query<{ key: string; attempt: number }>(
        `update crm_idempotency c
         set attempt = c.attempt + 1, claimed_at = now(), settles_at = now() + $4 * interval '1 millisecond'
         from unnest($2::text[], $3::int[]) as i(key, attempt)
         where c.scope = $1 and c.key = i.key and c.attempt = i.attempt and c.crm_id is null
         returning c.key, c.attempt`,
        [scope, keys.map((k) => k.key), keys.map((k) => k.attempt), inFlightMs],
      );
      return new Map(rows.map((r) => [r.key, r.attempt]));
    },

    async complete(scope: string, done: { key: string; crmId: string }[]): Promise<void> {
      if (done.length === 0) return;
      await db.query(
        `insert into crm_idempotency (scope, key, crm_id, completed_at)
         select $1, k, v, now() from unnest($2::text[], $3::text[]) as t(k, v)
         on conflict (scope, key) do update set crm_id = excluded.crm_id, completed_at = now()
         where crm_idempotency.crm_id is null`,
        [scope, done.map((d) => d.key), done.map((d) => d.crmId)],
      );
    },

    async settle(scope: string, keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      await db.query(
        `update crm_idempotency set settles_at = least(settles_at, now())
         where scope = $1 and key = any($2::text[]) and crm_id is null`,
        [scope, keys],
      );
    },

    async known(scope: string, keys: string[]): Promise<Map<string, string>> {
      if (keys.length === 0) return new Map();
      const { rows } = await db.query<{ key: string; crm_id: string }>(
        `select key, crm_id from crm_idempotency where scope = $1 and key = any($2::text[]) and crm_id is not null`,
        [scope, keys],
      );
      return new Map(rows.map((r) => [r.key, r.crm_id]));
    },

    async release(scope: string, keys: string[]): Promise<void> {
      if (keys.length === 0) return;
      await db.query(`delete from crm_idempotency where scope = $1 and key = any($2::text[]) and crm_id is null`, [
        scope,
        keys,
      ]);
    },

    /**
     * Forgets completed keys older than `olderThanMs` (at most `limit` per call, oldest first):
     * a key is only needed while a write with it can still be retried. Pending claims (uncertain
     * creates) are kept: they are few, and only a look-up settles them.
     */
    async prune(olderThanMs: number, limit: number): Promise<number> {
      const { rows } = await db.query<{ n: number }>(
        `with old as (
           select scope, key from crm_idempotency
           where completed_at < now() - $1::bigint * interval '1 millisecond'
           order by completed_at limit $2
         ), gone as (
           delete from crm_idempotency c using old where c.scope = old.scope and c.key = old.key returning 1
         )
         select count(*)::int as n from gone`,
        [Math.round(olderThanMs), limit],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
