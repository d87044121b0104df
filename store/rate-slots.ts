import { randomUUID } from 'node:crypto';
import type { Db } from './db.js';

export interface HeldRateSlot {
  slot: number;
  lease: string;
}

export interface RateSlotTake {
  /** Slots 0 .. to-1 may be taken. */
  to: number;
  want: number;
  /** Highest-numbered first (interactive traffic's reserve sits at the top). */
  highFirst: boolean;
  /** A slot never released comes free after this long. */
  holdMs: number;
}

export interface RateSlotTaken {
  taken: HeldRateSlot[];
  pausedMs: number;
  nextFreeMs: number | null;
}

/**
 * A request budget shared by every process on this database (the CRM's: crm/shared-slots.ts),
 * one row per slot of the window (migration 9, rate_slots).
 *
 * Why rows and not a counter: HubSpot counts requests in any rolling 10 s, and our budget keeps
 * a slot from the start of a call until a window after it ended. A row per slot holds exactly
 * that (free_at); a fixed-window counter would either overshoot at window edges or give half the
 * budget away. Taking slots is the job-queue pattern: `for update skip locked` lets concurrent
 * takers pass each other without waiting or double-taking, and a row updated by someone else
 * since the statement began is re-checked before it is taken. All times are the database's
 * clock, so the processes' clocks never need to agree.
 */
export function createRateSlotStore(db: Pick<Db, 'query'>) {
  return {
    async ensure(pool: string, count: number): Promise<void> {
      await db.query(
        `insert into rate_slots (pool, slot) select $1, g from generate_series(0, $2::int - 1) g
         on conflict do nothing`,
        [pool, count],
      );
    },

    /** One statement: honour a pause, take up to `want` free slots, and say when the next frees. */
    async take(pool: string, request: RateSlotTake): Promise<RateSlotTaken> {
      const lease = randomUUID();
      const { rows } = await db.query<{ slots: number[]; paused_ms: number | null; next_ms: number | null }>(
        `with paused as (
           select until from rate_pauses where pool = $1 and until > clock_timestamp()
         ), free as (
           select slot from rate_slots
           where pool = $1 and slot < $2 and free_at <= clock_timestamp() and not exists (select from paused)
           order by slot * $4::int
           limit $3
           for update skip locked
         ), taken as (
           update rate_slots s set free_at = clock_timestamp() + $5::int * interval '1 millisecond', lease = $6
           from free where s.pool = $1 and s.slot = free.slot
           returning s.slot
         )
         select coalesce((select array_agg(slot) from taken), '{}') as slots,
           (select ceil(extract(epoch from until - clock_timestamp()) * 1000)::int from paused) as paused_ms,
           (select ceil(extract(epoch from min(free_at) - clock_timestamp()) * 1000)::int from rate_slots
             where pool = $1 and slot < $2 and free_at > clock_timestamp()) as next_ms`,
        [pool, request.to, request.want, request.highFirst ? -1 : 1, Math.ceil(request.holdMs), lease],
      );
      const row = rows[0]!;
      return {
        taken: row.slots.map((slot) => ({ slot, lease })),
        pausedMs: Math.max(0, row.paused_ms ?? 0),
        nextFreeMs: row.next_ms === null ? null : Math.max(0, row.next_ms),
      };
    },

    /** The calls are over: their slots come free a full window from now. Another lease's slot is left alone. */
    async release(pool: string, held: HeldRateSlot[], windowMs: number): Promise<void> {
      if (held.length === 0) return;
      await db.query(
        `update rate_slots s set free_at = clock_timestamp() + $2::int * interval '1 millisecond', lease = null
         from unnest($3::int[], $4::text[]) as r(slot, lease)
         where s.pool = $1 and s.slot = r.slot and s.lease = r.lease`,
        [pool, Math.ceil(windowMs), held.map((h) => h.slot), held.map((h) => h.lease)],
      );
    },

    async pause(pool: string, ms: number): Promise<void> {
      await db.query(
        `insert into rate_pauses (pool, until) values ($1, clock_timestamp() + $2::int * interval '1 millisecond')
         on conflict (pool) do update set until = greatest(rate_pauses.until, excluded.until)`,
        [pool, Math.ceil(ms)],
      );
    },
  };
}

export type RateSlotStore = ReturnType<typeof createRateSlotStore>;
