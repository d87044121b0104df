import type { Db } from './db.js';

/**
 * Per-channel send rates shared by every worker on this database (migration 9, send_rates):
 * one row per channel holds the instant its next message may go out. A worker leases `count`
 * evenly spaced instants in one statement (the row lock orders concurrent leases), so three
 * workers at 50 a second send 50 a second together, for one statement per few sends.
 *
 * A rate is a pace, not a count in a window, so it needs no row per slot (store/rate-slots.ts
 * does that for the CRM's rolling window): this is the virtual-scheduling form of a leaky
 * bucket, the same rule the in-process pacer follows (workflows/broadcast/rate-limiter.ts).
 * Times are the database's clock.
 */
export function createSendRateStore(db: Pick<Db, 'query'>) {
  return {
    /**
     * Reserves `count` send instants `spacingMs` apart, the first no earlier than now and than the
     * channel's next free instant. Returns how many ms from now the first one is.
     */
    async lease(channel: string, count: number, spacingMs: number): Promise<number> {
      const { rows } = await db.query<{ first_ms: number }>(
        `insert into send_rates as r (channel, next_at)
           values ($1, clock_timestamp() + $2::float8 * interval '1 millisecond')
         on conflict (channel) do update
           set next_at = greatest(r.next_at, clock_timestamp()) + $2::float8 * interval '1 millisecond'
         returning extract(epoch from r.next_at - clock_timestamp()) * 1000 - $2::float8 as first_ms`,
        [channel, count * spacingMs],
      );
      return Math.max(0, Number(rows[0]!.first_ms));
    },
  };
}

export type SendRateStore = ReturnType<typeof createSendRateStore>;
