import type { AudienceSummary } from '../domain/audience/summary.js';
import { SUPPRESSION_REASONS } from '../domain/audience/types.js';
import type { AlertRequest } from '../domain/broadcast/alert-request.js';
import type { DeliveryCounts } from '../domain/broadcast/final-summary.js';
import { FINAL_STATUSES, type AlertStatus, type Channel } from '../domain/vocabulary/index.js';
import { iso, json, type Db } from './db.js';

export interface AlertRow {
  id: string;
  requester: string;
  /** The requester's person id (null: a service principal, or an alert from before ids). */
  requesterId: string | null;
  title: string;
  body: string;
  topic: string;
  listIds: string[];
  channels: Channel[];
  replyOwner: AlertRequest['replyTo'];
  sendWindow: AlertRequest['sendWindow'] | null;
  approverGroup: string;
  status: AlertStatus;
  version: number;
  summary: AudienceSummary | null;
  counts: DeliveryCounts | null;
  decidedBy: string | null;
  decisionComment: string | null;
  createdAt: string;
  updatedAt: string;
  approvedAt: string | null;
  completedAt: string | null;
}

const COLUMNS = `id, requester, requester_id as "requesterId", title, body, topic, list_ids as "listIds", channels, reply_owner as "replyOwner",
  send_window as "sendWindow", approver_group as "approverGroup", status, version, summary, counts,
  decided_by as "decidedBy", decision_comment as "decisionComment", created_at as "createdAt",
  updated_at as "updatedAt", approved_at as "approvedAt", completed_at as "completedAt"`;

function normalise(row: AlertRow): AlertRow {
  return {
    ...row,
    listIds: json(row.listIds),
    channels: json(row.channels),
    sendWindow: json(row.sendWindow),
    summary: withEveryReason(json(row.summary)),
    counts: json(row.counts),
    createdAt: iso(row.createdAt)!,
    updatedAt: iso(row.updatedAt)!,
    approvedAt: iso(row.approvedAt),
    completedAt: iso(row.completedAt),
  };
}

export interface AlertListQuery {
  status?: AlertStatus;
  requester?: string;
  topic?: string;
  /** Alert ids sort by creation (ULIDs): pass the last id seen to get the next page. */
  before?: string;
  limit: number;
}

export function createAlertStore(db: Pick<Db, 'query'>) {
  return {
    async insert(
      id: string,
      request: AlertRequest & { channels: Channel[]; requesterId?: string | null },
    ): Promise<AlertRow> {
      const { rows } = await db.query<AlertRow>(
        `insert into alerts (id, requester, title, body, topic, list_ids, channels, reply_owner, send_window, approver_group, requester_id)
         values ($1,$2,$3,$4,$5,$6::jsonb,$7::jsonb,$8,$9::jsonb,$10,$11)
         returning ${COLUMNS}`,
        [
          id,
          request.requester,
          request.title,
          request.body,
          request.topic,
          JSON.stringify(request.lists),
          JSON.stringify(request.channels),
          request.replyTo,
          request.sendWindow ? JSON.stringify(request.sendWindow) : null,
          request.approverGroup,
          request.requesterId ?? null,
        ],
      );
      return normalise(rows[0]!);
    },

    async get(id: string): Promise<AlertRow | null> {
      const { rows } = await db.query<AlertRow>(`select ${COLUMNS} from alerts where id = $1`, [id]);
      return rows[0] ? normalise(rows[0]) : null;
    },

    async list(q: AlertListQuery): Promise<AlertRow[]> {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        where.push(sql.replace('?', `$${params.length}`));
      };
      if (q.status) add('status = ?', q.status);
      if (q.requester) add('lower(requester) = lower(?)', q.requester);
      if (q.topic) add('lower(topic) = lower(?)', q.topic);
      if (q.before) add('id < ?', q.before);
      params.push(q.limit);
      const { rows } = await db.query<AlertRow>(
        `select ${COLUMNS} from alerts ${where.length ? `where ${where.join(' and ')}` : ''}
         order by id desc limit $${params.length}`,
        params,
      );
      return rows.map(normalise);
    },

    async setStatus(id: string, status: AlertStatus, extra: { decidedBy?: string; comment?: string } = {}) {
      await db.query(
        `update alerts set status = $2, updated_at = now(),
           decided_by = coalesce($3, decided_by), decision_comment = coalesce($4, decision_comment),
           approved_at = case when $2 = 'approved' then now() else approved_at end,
           completed_at = case when $2 = any($5::text[]) then now() else completed_at end
         where id = $1`,
        [id, status, extra.decidedBy ?? null, extra.comment ?? null, FINAL_STATUSES],
      );
    },

    async setSummary(id: string, summary: AudienceSummary): Promise<void> {
      await db.query(`update alerts set summary = $2::jsonb, updated_at = now() where id = $1`, [
        id,
        JSON.stringify(summary),
      ]);
    },

    async setCounts(id: string, counts: DeliveryCounts): Promise<void> {
      await db.query(`update alerts set counts = $2::jsonb, updated_at = now() where id = $1`, [
        id,
        JSON.stringify(counts),
      ]);
    },

    /** Alerts whose workflow may never have started (Temporal unreachable at intake): the sweeper starts them. */
    async listStaleResolving(olderThanSeconds: number, limit: number): Promise<AlertRow[]> {
      const { rows } = await db.query<AlertRow>(
        `select ${COLUMNS} from alerts where status = 'resolving' and created_at < now() - make_interval(secs => $1)
         order by created_at limit $2`,
        [olderThanSeconds, limit],
      );
      return rows.map(normalise);
    },

    /** A revised version re-enters approval; only from changes_requested, only to the next version. */
    async revise(id: string, version: number, title: string, body: string): Promise<boolean> {
      const { rows } = await db.query(
        `update alerts set title = $3, body = $4, version = $2, status = 'awaiting_approval', updated_at = now()
         where id = $1 and version < $2 returning id`,
        [id, version, title, body],
      );
      return rows.length > 0;
    },
  };
}

export type AlertStore = ReturnType<typeof createAlertStore>;

/** A summary written before a suppression reason existed counts zero of it (the API lists every reason). */
function withEveryReason(summary: AudienceSummary | null): AudienceSummary | null {
  if (!summary?.suppressedByReason) return summary;
  const counts = { ...summary.suppressedByReason };
  for (const reason of SUPPRESSION_REASONS) counts[reason] ??= 0;
  return { ...summary, suppressedByReason: counts };
}
