import type { ResponseKind } from '../domain/vocabulary/index.js';
import { iso, type Db } from './db.js';

export interface ResponseRow {
  id: number;
  alertId: string;
  contactId: string;
  kind: ResponseKind;
  dedupeKey: string;
  body: string | null;
  receivedAt: string;
  handledAt: string | null;
}

const COLUMNS = `id::int as id, alert_id as "alertId", contact_id as "contactId", kind, dedupe_key as "dedupeKey", body,
  received_at as "receivedAt", handled_at as "handledAt"`;
const normalise = (r: ResponseRow): ResponseRow => ({
  ...r,
  receivedAt: iso(r.receivedAt)!,
  handledAt: iso(r.handledAt),
});

/** Customer responses; the dedupe key makes a second click or a re-delivered webhook a no-op. */
export function createResponseStore(db: Pick<Db, 'query'>) {
  return {
    async record(r: Pick<ResponseRow, 'alertId' | 'contactId' | 'kind' | 'dedupeKey' | 'body'>) {
      const inserted = await db.query<ResponseRow>(
        `insert into responses (alert_id, contact_id, kind, dedupe_key, body) values ($1,$2,$3,$4,$5)
         on conflict (dedupe_key) do nothing returning ${COLUMNS}`,
        [r.alertId, r.contactId, r.kind, r.dedupeKey, r.body?.slice(0, 20_000) ?? null],
      );
      if (inserted.rows[0]) return { row: normalise(inserted.rows[0]), created: true };
      const { rows } = await db.query<ResponseRow>(`select ${COLUMNS} from responses where dedupe_key = $1`, [
        r.dedupeKey,
      ]);
      return { row: normalise(rows[0]!), created: false };
    },

    async get(id: number): Promise<ResponseRow | null> {
      const { rows } = await db.query<ResponseRow>(`select ${COLUMNS} from responses where id = $1`, [id]);
      return rows[0] ? normalise(rows[0]) : null;
    },

    async forAlert(alertId: string): Promise<ResponseRow[]> {
      const { rows } = await db.query<ResponseRow>(`select ${COLUMNS} from responses where alert_id = $1 order by id`, [
        alertId,
      ]);
      return rows.map(normalise);
    },

    /** Responses whose workflow never started or never finished; the sweeper (re)starts them by id. */
    async listUnhandled(olderThanSeconds: number, limit: number): Promise<ResponseRow[]> {
      const { rows } = await db.query<ResponseRow>(
        `select ${COLUMNS} from responses where handled_at is null
           and received_at < now() - make_interval(secs => $1) order by id limit $2`,
        [olderThanSeconds, limit],
      );
      return rows.map(normalise);
    },

    async markHandled(id: number): Promise<void> {
      await db.query(`update responses set handled_at = coalesce(handled_at, now()) where id = $1`, [id]);
    },
  };
}

export type ResponseStore = ReturnType<typeof createResponseStore>;
