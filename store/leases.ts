import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { iso, type Db } from './db.js';

/** Who holds a lease: host, process and a random part (a restarted process with the same pid is someone else). */
export function processHolder(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface LeaseRow {
  name: string;
  holder: string;
  expiresAt: string;
  acquiredAt: string;
  renewedAt: string;
}

const COLUMNS = `name, holder, expires_at as "expiresAt", acquired_at as "acquiredAt", renewed_at as "renewedAt"`;

/**
 * Leases on named singleton jobs, shared by every process on the database. The database's clock
 * decides expiry, so processes with skewed clocks still agree on who holds what.
 */
export function createLeaseStore(db: Pick<Db, 'query'>) {
  return {
    /**
     * Takes `name` for `ms` or, when `holder` has it already, renews it. True while `holder` holds
     * it; false while someone else's lease has not expired. One statement: two processes asking
     * at once cannot both win.
     */
    async acquire(name: string, holder: string, ms: number): Promise<boolean> {
      const { rows } = await db.query<{ holder: string }>(
        `insert into leases (name, holder, expires_at) values ($1, $2, now() + $3::integer * interval '1 millisecond')
         on conflict (name) do update set
           holder = excluded.holder,
           expires_at = excluded.expires_at,
           renewed_at = now(),
           acquired_at = case when leases.holder = excluded.holder then leases.acquired_at else now() end
         where leases.holder = excluded.holder or leases.expires_at < now()
         returning holder`,
        [name, holder, Math.max(1, Math.round(ms))],
      );
      return rows[0]?.holder === holder;
    },

    /** Gives `name` up at once (a clean stop), so another process need not wait for the expiry. */
    async release(name: string, holder: string): Promise<void> {
      await db.query('delete from leases where name = $1 and holder = $2', [name, holder]);
    },

    async get(name: string): Promise<LeaseRow | null> {
      const { rows } = await db.query<LeaseRow>(`select ${COLUMNS} from leases where name = $1`, [name]);
      return rows[0] ? normalise(rows[0]) : null;
    },

    /** Every lease, expired ones included (operators: who runs what). */
    async list(): Promise<LeaseRow[]> {
      const { rows } = await db.query<LeaseRow>(`select ${COLUMNS} from leases order by name`);
      return rows.map(normalise);
    },
  };
}

const normalise = (r: LeaseRow): LeaseRow => ({
  ...r,
  expiresAt: iso(r.expiresAt)!,
  acquiredAt: iso(r.acquiredAt)!,
  renewedAt: iso(r.renewedAt)!,
});

export type LeaseStore = ReturnType<typeof createLeaseStore>;
