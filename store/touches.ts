import type { Db } from './db.js';
import type { TouchChannel } from '../domain/vocabulary/index.js';

import type { TouchStatus } from '../domain/vocabulary/index.js';

export type { TouchStatus };

export interface TouchRow {
  id: string;
  idempotencyKey: string | null;
  requestHash: string;
  contactEmail: string | null;
  contactCrmId: string | null;
  channel: TouchChannel;
  summary: string;
  outcome: string | null;
  occurredAt: string;
  loggedBy: string;
  source: string;
  sourceUrl: string | null;
  answers: Record<string, string>;
  status: TouchStatus;
  engagementId: string | null;
  engagementKind: string | null;
  companyId: string | null;
  contactVerified: boolean;
  attempts: number;
  lastError: string | null;
  failureReason: string | null;
  createdAt: string;
  syncedAt: string | null;
}

export type NewTouchRow = Pick<
  TouchRow,
  | 'id'
  | 'idempotencyKey'
  | 'requestHash'
  | 'contactEmail'
  | 'contactCrmId'
  | 'channel'
  | 'summary'
  | 'outcome'
  | 'occurredAt'
  | 'loggedBy'
  | 'source'
  | 'sourceUrl'
  | 'answers'
  | 'companyId'
  | 'contactVerified'
>;

const COLUMNS = `id, idempotency_key as "idempotencyKey", request_hash as "requestHash", contact_email as "contactEmail",
  contact_crm_id as "contactCrmId", channel, summary, outcome, occurred_at as "occurredAt", logged_by as "loggedBy",
  source, source_url as "sourceUrl", answers, status, engagement_id as "engagementId", engagement_kind as "engagementKind",
  company_id as "companyId", contact_verified as "contactVerified", attempts, last_error as "lastError", failure_reason as "failureReason",
  created_at as "createdAt", synced_at as "syncedAt"`;

function normalise(row: TouchRow): TouchRow {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v));
  return {
    ...row,
    occurredAt: iso(row.occurredAt) as string,
    createdAt: iso(row.createdAt) as string,
    syncedAt: iso(row.syncedAt),
    answers: typeof row.answers === 'string' ? JSON.parse(row.answers) : (row.answers ?? {}),
  };
}

export function createTouchStore(db: Pick<Db, 'query'>) {
  return {
    /** Inserts unless the id exists; returns the stored row and whether this call created it. */
    async insert(touch: NewTouchRow): Promise<{ row: TouchRow; created: boolean }> {
      const inserted = await db.query<TouchRow>(
        `insert into touches (id, idempotency_key, request_hash, contact_email, contact_crm_id, channel, summary, outcome,
           occurred_at, logged_by, source, source_url, answers, company_id, contact_verified)
         values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13::jsonb,$14,$15)
         on conflict (id) do nothing
         returning ${COLUMNS}`,
        [
          touch.id,
          touch.idempotencyKey,
          touch.requestHash,
          touch.contactEmail,
          touch.contactCrmId,
          touch.channel,
          touch.summary,
          touch.outcome,
          touch.occurredAt,
          touch.loggedBy,
          touch.source,
          touch.sourceUrl,
          JSON.stringify(touch.answers),
          touch.companyId,
          touch.contactVerified,
        ],
      );
      if (inserted.rows[0]) return { row: normalise(inserted.rows[0]), created: true };
      const existing = await this.get(touch.id);
      if (!existing) throw new Error(`touch ${touch.id} vanished during insert`);
      return { row: existing, created: false };
    },

    async get(id: string): Promise<TouchRow | null> {
      const { rows } = await db.query<TouchRow>(`select ${COLUMNS} from touches where id = $1`, [id]);
      return rows[0] ? normalise(rows[0]) : null;
    },

    async getMany(ids: string[]): Promise<TouchRow[]> {
      if (ids.length === 0) return [];
      const { rows } = await db.query<TouchRow>(`select ${COLUMNS} from touches where id = any($1::text[])`, [ids]);
      return rows.map(normalise);
    },

    async setContact(id: string, contactId: string, companyId: string | null): Promise<void> {
      await db.query(
        `update touches set contact_crm_id = $2, company_id = $3, contact_verified = true, updated_at = now() where id = $1`,
        [id, contactId, companyId],
      );
    },

    async recordAttemptError(id: string, error: string): Promise<void> {
      await db.query(
        `update touches set attempts = attempts + 1, last_error = $2, updated_at = now() where id = $1 and status = 'pending'`,
        [id, error.slice(0, 1000)],
      );
    },

    async setEngagement(id: string, engagementId: string, kind: string): Promise<void> {
      await db.query(`update touches set engagement_id = $2, engagement_kind = $3, updated_at = now() where id = $1`, [
        id,
        engagementId,
        kind,
      ]);
    },

    async markSynced(id: string): Promise<void> {
      await db.query(
        `update touches set status = 'synced', last_error = null, synced_at = now(), updated_at = now() where id = $1`,
        [id],
      );
    },

    async markFailed(id: string, reason: string): Promise<void> {
      await db.query(`update touches set status = 'failed', failure_reason = $2, updated_at = now() where id = $1`, [
        id,
        reason.slice(0, 1000),
      ]);
    },

    /** A failed touch back to pending, for a retry (POST /api/touches/:id/retry); null unless it had failed. */
    async reopen(id: string): Promise<TouchRow | null> {
      const { rows } = await db.query<TouchRow>(
        `update touches set status = 'pending', failure_reason = null, updated_at = now()
         where id = $1 and status = 'failed' returning ${COLUMNS}`,
        [id],
      );
      return rows[0] ? normalise(rows[0]) : null;
    },

    /** Pending touches older than the given age: the sweeper re-starts their workflows (idempotent by id). */
    async listStalePending(olderThanSeconds: number, limit: number): Promise<string[]> {
      const { rows } = await db.query<{ id: string }>(
        `select id from touches where status = 'pending' and created_at < now() - make_interval(secs => $1)
         order by created_at limit $2`,
        [olderThanSeconds, limit],
      );
      return rows.map((r) => r.id);
    },

    /** The touches one person logged, newest first, and how many there are (Slack App Home). */
    async listByLogger(loggedBy: string, limit: number): Promise<{ rows: TouchRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        db.query<TouchRow>(
          `select ${COLUMNS} from touches where lower(logged_by) = lower($1) order by occurred_at desc, id desc limit $2`,
          [loggedBy, limit],
        ),
        db.query<{ n: string }>('select count(*)::text as n from touches where lower(logged_by) = lower($1)', [
          loggedBy,
        ]),
      ]);
      return { rows: rows.rows.map(normalise), total: Number(count.rows[0]?.n ?? 0) };
    },

    /**
     * Question answers given in the contact's touches that the CRM may not show yet: touches still
     * pending, or synced within the last `withinMs` (a cached contact read before the write). Merged
     * oldest first, so the latest answer to a question wins.
     */
    async recentAnswers(contactId: string, email: string | null, withinMs: number): Promise<Record<string, string>> {
      const { rows } = await db.query<{ answers: Record<string, string> | string }>(
        `select answers from touches
         where (contact_crm_id = $1 or ($2::text is not null and lower(contact_email) = lower($2)))
           and answers <> '{}'::jsonb
           and (status = 'pending' or (status = 'synced' and synced_at > now() - $3::integer * interval '1 millisecond'))
         order by occurred_at, created_at limit 200`,
        [contactId, email, Math.max(0, Math.round(withinMs))],
      );
      const merged: Record<string, string> = {};
      for (const row of rows)
        Object.assign(merged, typeof row.answers === 'string' ? JSON.parse(row.answers) : row.answers);
      return merged;
    },

    /** Touches not yet in the CRM, for the customer timeline. */
    async listUnsyncedForContact(contactId: string, email: string | null): Promise<TouchRow[]> {
      const { rows } = await db.query<TouchRow>(
        `select ${COLUMNS} from touches
         where status <> 'synced' and (contact_crm_id = $1 or ($2::text is not null and lower(contact_email) = lower($2)))
         order by occurred_at desc limit 50`,
        [contactId, email],
      );
      return rows.map(normalise);
    },
  };
}

export type TouchStore = ReturnType<typeof createTouchStore>;
