import { FINAL_STATUSES } from '../domain/vocabulary/index.js';
import type { Db } from './db.js';

/**
 * How much work waits in the store, for the queue-depth gauge at /metrics: deliveries not yet
 * sent (the ledger's pending rows, quiet-hours holds included) and touches not yet in the CRM.
 * Counts only: no row leaves the store. Deliveries are counted through the alerts not yet final
 * (the ledger's primary key starts with the alert), so a scrape never scans a finished alert's rows.
 */
export function createQueueDepths(db: Pick<Db, 'query'>) {
  return async (): Promise<Record<'deliveries' | 'touches', number>> => {
    const { rows } = await db.query<{ deliveries: number; touches: number }>(
      `select (select count(*)::int from deliveries d join alerts a on a.id = d.alert_id
               where a.status <> all($1::text[]) and d.status = 'pending') as deliveries,
              (select count(*)::int from touches where status = 'pending') as touches`,
      [[...FINAL_STATUSES]],
    );
    return { deliveries: rows[0]?.deliveries ?? 0, touches: rows[0]?.touches ?? 0 };
  };
}
