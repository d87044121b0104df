import type { AlertStatus } from '../domain/vocabulary/index.js';
import { createAlertStore } from './alerts.js';
import { iso, type Db } from './db.js';

export interface ApprovalLinkRow {
  id: string;
  alertId: string;
  version: number;
  approver: string;
  expiresAt: string;
  usedAt: string | null;
  usedDecision: string | null;
}

export interface AuditEntry {
  alertId: string | null;
  version?: number | null;
  actor: string | null;
  action: string;
  outcome: 'accepted' | 'refused';
  reason?: string | null;
  source: string;
  detail?: string | null;
}

export interface AuditRow extends AuditEntry {
  id: number;
  at: string;
}

const LINK_COLUMNS = `id, alert_id as "alertId", version, approver, expires_at as "expiresAt", used_at as "usedAt",
  used_decision as "usedDecision"`;

/** An accepted decision as the store keeps it: its audit row and the alert's new status. */
export interface AcceptedDecision {
  alertId: string;
  version: number;
  /** Lower-cased. */
  approver: string;
  action: string;
  reason: string | null;
  source: string;
  status: AlertStatus;
  /** What else the trail should say of it (an urgent approval). */
  detail?: string | null;
}

const insertAudit = `insert into approval_audit (alert_id, version, actor, action, outcome, reason, source, detail)
         values ($1,$2,$3,$4,$5,$6,$7,$8)`;

/**
 * Approval links (bound, expiring, single use) and the audit log of every decision and refusal.
 * `recordDecision` needs the store's transactions; the other methods a plain connection.
 */
export function createApprovalStore(db: Pick<Db, 'query'> & Partial<Pick<Db, 'transaction'>>) {
  return {
    /**
     * The audit row and the alert's status of one accepted decision, in one transaction: both or
     * neither. So a status write that fails and is retried leaves no audit row per attempt, and a
     * decision given up (and taken back) leaves no row saying it was accepted. Idempotent: one
     * approver decides a version once, so a retry after a lost commit adds no second row.
     */
    async recordDecision(d: AcceptedDecision): Promise<void> {
      if (!db.transaction) throw new Error('recordDecision needs a store with transactions');
      await db.transaction(async (tx) => {
        await tx.query(
          `insert into approval_audit (alert_id, version, actor, action, outcome, reason, source, detail)
           select $1, $2, $3, $4, 'accepted', $5, $6, $7
           where not exists (select 1 from approval_audit where alert_id = $1 and version = $2 and actor = $3
                               and action = $4 and outcome = 'accepted')`,
          [d.alertId, d.version, d.approver, d.action, d.reason?.slice(0, 2000) ?? null, d.source, d.detail ?? null],
        );
        await createAlertStore(tx).setStatus(d.alertId, d.status, {
          decidedBy: d.approver,
          ...(d.reason ? { comment: d.reason } : {}),
        });
      });
    },

    async createLinks(links: Omit<ApprovalLinkRow, 'usedAt' | 'usedDecision'>[]): Promise<void> {
      if (links.length === 0) return;
      await db.query(
        `insert into approval_links (id, alert_id, version, approver, expires_at)
         select * from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::timestamptz[])
         on conflict (id) do nothing`,
        [
          links.map((l) => l.id),
          links.map((l) => l.alertId),
          links.map((l) => l.version),
          links.map((l) => l.approver),
          links.map((l) => l.expiresAt),
        ],
      );
    },

    /** When this version's approval was requested (its first link); null when it had no links. */
    async requestedAt(alertId: string, version: number): Promise<string | null> {
      const { rows } = await db.query<{ at: string | Date | null }>(
        `select min(created_at) as at from approval_links where alert_id = $1 and version = $2`,
        [alertId, version],
      );
      return iso(rows[0]?.at ?? null);
    },

    async linksFor(alertId: string, version: number): Promise<ApprovalLinkRow[]> {
      const { rows } = await db.query<ApprovalLinkRow>(
        `select ${LINK_COLUMNS} from approval_links where alert_id = $1 and version = $2 order by approver`,
        [alertId, version],
      );
      return rows.map((r) => ({ ...r, expiresAt: iso(r.expiresAt)!, usedAt: iso(r.usedAt) }));
    },

    async getLink(id: string): Promise<ApprovalLinkRow | null> {
      const { rows } = await db.query<ApprovalLinkRow>(`select ${LINK_COLUMNS} from approval_links where id = $1`, [
        id,
      ]);
      const r = rows[0];
      return r ? { ...r, expiresAt: iso(r.expiresAt)!, usedAt: iso(r.usedAt) } : null;
    },

    /** Claims a link for one decision; false when it was already used (concurrent posts: one wins). */
    async useLink(id: string, decision: string): Promise<boolean> {
      const { rows } = await db.query(
        `update approval_links set used_at = now(), used_decision = $2 where id = $1 and used_at is null returning id`,
        [id, decision],
      );
      return rows.length > 0;
    },

    /** Gives a claimed link back when the decision behind it was refused for a reason the approver can fix. */
    async releaseLink(id: string): Promise<void> {
      await db.query(`update approval_links set used_at = null, used_decision = null where id = $1`, [id]);
    },

    async audit(entry: AuditEntry): Promise<void> {
      await db.query(insertAudit, [
        entry.alertId,
        entry.version ?? null,
        entry.actor,
        entry.action,
        entry.outcome,
        entry.reason?.slice(0, 2000) ?? null,
        entry.source,
        entry.detail?.slice(0, 2000) ?? null,
      ]);
    },

    async auditFor(alertId: string): Promise<AuditRow[]> {
      const { rows } = await db.query<AuditRow>(
        `select id::int as id, alert_id as "alertId", version, actor, action, outcome, reason, source, detail, at
         from approval_audit where alert_id = $1 order by id`,
        [alertId],
      );
      return rows.map((r) => ({ ...r, at: iso(r.at)! }));
    },

    /** Refusals not tied to a known alert (forged links), newest first. */
    async recentRefusals(limit: number): Promise<AuditRow[]> {
      const { rows } = await db.query<AuditRow>(
        `select id::int as id, alert_id as "alertId", version, actor, action, outcome, reason, source, detail, at
         from approval_audit where outcome = 'refused' order by id desc limit $1`,
        [limit],
      );
      return rows.map((r) => ({ ...r, at: iso(r.at)! }));
    },
  };
}

export type ApprovalStore = ReturnType<typeof createApprovalStore>;
