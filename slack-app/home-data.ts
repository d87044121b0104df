import type { TouchChannel } from '../domain/vocabulary/index.js';
import type { TouchStore } from '../store/touches.js';

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

/** The touches one person logged, newest first (App Home), from the touch ledger. */
export function recentTouchesFrom(touches: Pick<TouchStore, 'listByLogger'>): RecentTouches {
  return async (loggedBy, limit) => {
    const { rows, total } = await touches.listByLogger(loggedBy, limit);
    return {
      rows: rows.map(({ id, contactEmail, contactCrmId, channel, summary, occurredAt, status }) => ({
        id,
        contactEmail,
        contactCrmId,
        channel,
        summary,
        occurredAt,
        status,
      })),
      total,
    };
  };
}
