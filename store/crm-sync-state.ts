import { iso, type Db } from './db.js';
import { createLeaseStore } from './leases.js';

export interface CrmSyncState {
  /** Every change before this time is in the read model; null before the first full load. */
  watermark: string | null;
  /** The last finished full load; null: never (the read model is not filled yet). */
  fullSyncedAt: string | null;
  fullRun: number;
}

const STATE = `watermark, full_synced_at as "fullSyncedAt", full_run as "fullRun"`;

export const toSyncState = (row: { watermark: unknown; fullSyncedAt: unknown; fullRun: unknown }): CrmSyncState => ({
  watermark: iso(row.watermark),
  fullSyncedAt: iso(row.fullSyncedAt),
  fullRun: Number(row.fullRun),
});

/**
 * Where one read model's sync is (its row of crm_sync_state) and who may run it (a lease): what the
 * contact and company read models share. `table` is the read model's table, whose `full_run` column
 * marks the rows each full load saw.
 */
export function createCrmSyncState(
  db: Pick<Db, 'query' | 'transaction'>,
  sync: { name: string; lease: string; table: 'crm_contacts' | 'crm_companies' },
) {
  const leases = createLeaseStore(db);

  async function state(): Promise<CrmSyncState> {
    const { rows } = await db.query<CrmSyncState>(`select ${STATE} from crm_sync_state where name = $1`, [sync.name]);
    return rows[0] ? toSyncState(rows[0]) : { watermark: null, fullSyncedAt: null, fullRun: 0 };
  }

  return {
    state,

    /**
     * Takes (or keeps) the right to sync for `ms`; null while another process holds it. One
     * process syncs for all that share the database: the CRM's budget is shared too.
     */
    async lease(owner: string, ms: number): Promise<CrmSyncState | null> {
      if (!(await leases.acquire(sync.lease, owner, ms))) return null;
      return state();
    },

    async releaseLease(owner: string): Promise<void> {
      await leases.release(sync.lease, owner);
    },

    /** A new full load: its number marks the rows it sees. */
    async startFullRun(): Promise<number> {
      const { rows } = await db.query<{ run: number }>(
        'update crm_sync_state set full_run = full_run + 1 where name = $1 returning full_run as run',
        [sync.name],
      );
      return Number(rows[0]!.run);
    },

    /** The full load saw every record the CRM has: the rows it did not see are gone from the CRM. */
    async finishFullRun(run: number, watermark: Date): Promise<{ removed: number }> {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<{ id: string }>(`delete from ${sync.table} where full_run <> $1 returning id`, [
          run,
        ]);
        await tx.query('update crm_sync_state set full_synced_at = now(), watermark = $2 where name = $1', [
          sync.name,
          watermark.toISOString(),
        ]);
        return { removed: rows.length };
      });
    },

    async advanceWatermark(watermark: Date): Promise<void> {
      await db.query('update crm_sync_state set watermark = $2 where name = $1', [sync.name, watermark.toISOString()]);
    },
  };
}

export type CrmSyncStateStore = ReturnType<typeof createCrmSyncState>;
