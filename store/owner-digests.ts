import { iso, type Db } from './db.js';

/**
 * Owner digests (migration 18): a reply owner gets the first few responses to an alert one by one,
 * then one digest per interval for the rest. Rows, not a workflow per owner: every response
 * already has its own workflow whose timer waits for the digest's due time, and the rows make the
 * decision of each response (immediate or which digest) and the digest's send state durable, so a
 * retried activity or a restarted worker neither sends a digest twice nor drops a response.
 */

export interface DigestEnrolment {
  immediate: boolean;
  /** When the digest holding this response is due (null: immediate). */
  dueAt: string | null;
}

export interface DigestItem {
  responseId: number;
  contactId: string;
  email: string | null;
  kind: string;
  body: string | null;
  receivedAt: string;
}

export type DigestClaim =
  | { state: 'send'; digestId: number; recipient: string; items: DigestItem[] }
  /** Another response's activity holds the digest, or it went already: nothing to do here. */
  | { state: 'taken' }
  /** This activity's earlier attempt died while sending: reported, never sent again. */
  | { state: 'unconfirmed'; digestId: number; recipient: string };

type Tx = Pick<Db, 'query'>;

export function createOwnerDigestStore(db: Db) {
  /** One writer per (alert, owner) at a time: the enrolments and the claim of a digest see each other. */
  const locked = <T>(alertId: string, recipient: string, fn: (tx: Tx) => Promise<T>) =>
    db.transaction(async (tx) => {
      if (db.kind === 'postgres')
        await tx.query(`select pg_advisory_xact_lock(hashtext('rapport.owner-digest'), hashtext($1 || ' ' || $2))`, [
          alertId,
          recipient,
        ]);
      return fn(tx);
    });

  return {
    /**
     * Where a response to `recipient` goes: one of the first `first` (immediate), or the open digest
     * (due within the interval of the owner's last one), or a new digest. Idempotent per response.
     */
    async enrol(
      r: { responseId: number; alertId: string; recipient: string },
      first: number,
      intervalMs: number,
      now = new Date(),
    ): Promise<DigestEnrolment> {
      return locked(r.alertId, r.recipient, async (tx) => {
        const known = await tx.query<{ immediate: boolean; dueAt: unknown }>(
          `select immediate, due_at as "dueAt" from owner_digest_items where response_id = $1`,
          [r.responseId],
        );
        if (known.rows[0]) return { immediate: known.rows[0].immediate, dueAt: iso(known.rows[0].dueAt) };
        const { rows } = await tx.query<{ n: number | string; open: unknown; last: unknown }>(
          `select (select count(*) from owner_digest_items where alert_id = $1 and recipient = $2) as n,
                  -- the newest digest time not yet claimed: responses join it
                  (select max(i.due_at) from owner_digest_items i where i.alert_id = $1 and i.recipient = $2
                     and i.due_at is not null
                     and not exists (select 1 from owner_digests d where d.alert_id = $1 and d.recipient = $2
                                       and d.due_at = i.due_at)) as open,
                  (select max(due_at) from owner_digests where alert_id = $1 and recipient = $2) as last`,
          [r.alertId, r.recipient],
        );
        const row = rows[0]!;
        const immediate = Number(row.n) < first;
        let dueAt: string | null = null;
        if (!immediate) {
          const open = iso(row.open);
          const last = iso(row.last);
          // One digest per interval: a new one is due an interval after this response, or after the last one.
          dueAt =
            open ??
            new Date(Math.max(now.getTime() + intervalMs, last ? Date.parse(last) + intervalMs : 0)).toISOString();
        }
        await tx.query(
          `insert into owner_digest_items (response_id, alert_id, recipient, immediate, due_at) values ($1, $2, $3, $4, $5)`,
          [r.responseId, r.alertId, r.recipient, immediate, dueAt],
        );
        return { immediate, dueAt };
      });
    },

    /** The response's digest time, if it waits for a digest not yet claimed. */
    async pendingDue(responseId: number): Promise<string | null> {
      const { rows } = await db.query<{ dueAt: unknown }>(
        `select i.due_at as "dueAt" from owner_digest_items i
          where i.response_id = $1 and not i.immediate
            and not exists (select 1 from owner_digests d where d.alert_id = i.alert_id and d.recipient = i.recipient
                              and d.due_at = i.due_at and d.state in ('sent', 'unconfirmed'))`,
        [responseId],
      );
      return iso(rows[0]?.dueAt ?? null);
    },

    /**
     * The digest of this response's window, claimed for `responseId`'s activity: the first caller
     * claims it with every response of the window; later callers (the window's other responses)
     * find it taken. The claimer's own retry finds its claim: to send if the SMTP call had not
     * begun, unconfirmed if it had (it may have arrived).
     */
    async claim(responseId: number): Promise<DigestClaim> {
      const item = await db.query<{ alertId: string; recipient: string; dueAt: unknown }>(
        `select alert_id as "alertId", recipient, due_at as "dueAt" from owner_digest_items
          where response_id = $1 and not immediate`,
        [responseId],
      );
      const it = item.rows[0];
      if (!it) return { state: 'taken' };
      const dueAt = iso(it.dueAt)!;
      return locked(it.alertId, it.recipient, async (tx) => {
        const existing = await tx.query<{ id: number | string; claimedBy: number | string; state: string }>(
          `select id, claimed_by as "claimedBy", state from owner_digests where alert_id = $1 and recipient = $2 and due_at = $3`,
          [it.alertId, it.recipient, dueAt],
        );
        const d = existing.rows[0];
        let digestId: number;
        if (d) {
          if (Number(d.claimedBy) !== responseId || d.state === 'sent' || d.state === 'unconfirmed')
            return { state: 'taken' };
          digestId = Number(d.id);
          if (d.state === 'sending') {
            await tx.query(`update owner_digests set state = 'unconfirmed' where id = $1`, [digestId]);
            return { state: 'unconfirmed', digestId, recipient: it.recipient };
          }
        } else {
          const created = await tx.query<{ id: number | string }>(
            `insert into owner_digests (alert_id, recipient, due_at, claimed_by) values ($1, $2, $3, $4) returning id`,
            [it.alertId, it.recipient, dueAt, responseId],
          );
          digestId = Number(created.rows[0]!.id);
        }
        const { rows } = await tx.query<DigestItem & { receivedAt: unknown }>(
          `select i.response_id as "responseId", r.contact_id as "contactId", d.email, r.kind, r.body,
                  r.received_at as "receivedAt"
             from owner_digest_items i
             join responses r on r.id = i.response_id
             left join deliveries d on d.alert_id = r.alert_id and d.contact_id = r.contact_id
            where i.alert_id = $1 and i.recipient = $2 and i.due_at = $3 and not i.immediate
            order by i.seq`,
          [it.alertId, it.recipient, dueAt],
        );
        await tx.query(`update owner_digests set items = $2 where id = $1`, [digestId, rows.length]);
        return {
          state: 'send',
          digestId,
          recipient: it.recipient,
          items: rows.map((x) => ({ ...x, responseId: Number(x.responseId), receivedAt: iso(x.receivedAt)! })),
        };
      });
    },

    /** The SMTP call begins: from now a retry cannot know whether the digest arrived. */
    async markSending(digestId: number): Promise<void> {
      await db.query(`update owner_digests set state = 'sending' where id = $1 and state = 'claimed'`, [digestId]);
    },

    /** Nothing left the building (a refusal before data): the claimer's retry sends it. */
    async release(digestId: number): Promise<void> {
      await db.query(`update owner_digests set state = 'claimed' where id = $1 and state = 'sending'`, [digestId]);
    },

    async markSent(digestId: number): Promise<void> {
      await db.query(`update owner_digests set state = 'sent', sent_at = now() where id = $1`, [digestId]);
    },

    /** Digests of an alert (the trail and tests): due time, owner, state, how many responses. */
    async list(alertId: string): Promise<{ recipient: string; dueAt: string; state: string; items: number }[]> {
      const { rows } = await db.query<{ recipient: string; dueAt: unknown; state: string; items: number }>(
        `select recipient, due_at as "dueAt", state, items from owner_digests where alert_id = $1 order by due_at`,
        [alertId],
      );
      return rows.map((r) => ({ ...r, dueAt: iso(r.dueAt)! }));
    },
  };
}

export type OwnerDigestStore = ReturnType<typeof createOwnerDigestStore>;
