import type { Db } from '../store/db.js';
import type { TouchChannel } from '../domain/touch.js';

export interface RecentTouchRow {
  id: string;
  contactEmail: string | null;
  contactCrmId: string | null;
  channel: TouchChannel;
  summary: string;
  occurredAt: string;
  status: 'pending' | 'synced' | 'failed';
}

export type RecentTouches = (loggedBy: string, limit: number) => Promise<{ rows: RecentTouchRow[]; total: number }>;

/**
 * The touches one person logged, newest first, read from the touch ledger (App Home).
 * A read model over the same table as store/touches.ts; it belongs there once that file is free to change.
 */
export function recentTouchesFrom(db: Pick<Db, 'query'>): RecentTouches {
  return async (loggedBy, limit) => {
    const [rows, count] = await Promise.all([
      db.query<RecentTouchRow>(
        `select id, contact_email as "contactEmail", contact_crm_id as "contactCrmId", channel, summary,
                occurred_at as "occurredAt", status
           from touches where lower(logged_by) = lower($1)
          order by occurred_at desc, id desc limit $2`,
        [loggedBy, limit],
      ),
      db.query<{ n: number | string }>('select count(*) as n from touches where lower(logged_by) = lower($1)', [
        loggedBy,
      ]),
    ]);
    return {
      rows: rows.rows.map((r) => ({
        ...r,
        occurredAt:
          (r.occurredAt as unknown) instanceof Date
            ? (r.occurredAt as unknown as Date).toISOString()
            : String(r.occurredAt),
      })),
      total: Number(count.rows[0]?.n ?? 0),
    };
  };
}
