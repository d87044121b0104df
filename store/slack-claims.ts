import { json, type Db } from './db.js';

/**
 * Slack events, claimed by event_id so that one API process acts on each, however many receive
 * it (Slack retries an event it saw no 2xx for within 3 s, and a retry may reach another replica).
 */
export function createSlackEventClaims(db: Pick<Db, 'query'>) {
  return {
    /**
     * True: `holder` acts on the event. False: another delivery of it was claimed, and was either
     * answered or is younger than `staleMs` (its process may still answer). A claim older than
     * that and never answered belongs to a process that died before its answer went out: the
     * delivery in hand (Slack's retry) takes it over.
     */
    async claim(eventId: string, holder: string, staleMs: number): Promise<boolean> {
      const inserted = await db.query(
        `insert into slack_event_claims (event_id, holder) values ($1, $2) on conflict (event_id) do nothing
         returning event_id`,
        [eventId, holder],
        { urgent: true },
      );
      if (inserted.rows.length > 0) return true;
      const taken = await db.query(
        `update slack_event_claims set holder = $2, claimed_at = now()
         where event_id = $1 and answered_at is null and claimed_at < now() - $3::integer * interval '1 millisecond'
         returning event_id`,
        [eventId, holder, Math.round(staleMs)],
        { urgent: true },
      );
      return taken.rows.length > 0;
    },

    /** Our 2xx went out: Slack will not retry, and later deliveries are duplicates. */
    async answered(eventId: string, holder: string): Promise<void> {
      await db.query('update slack_event_claims set answered_at = now() where event_id = $1 and holder = $2', [
        eventId,
        holder,
      ]);
    },

    /** Our answer was not a 2xx: Slack retries, and the retry must be acted on. */
    async release(eventId: string, holder: string): Promise<void> {
      await db.query('delete from slack_event_claims where event_id = $1 and holder = $2 and answered_at is null', [
        eventId,
        holder,
      ]);
    },

    /** Claims older than `ms` (Slack's retries end ~5 minutes after the event). */
    async sweep(ms: number): Promise<number> {
      const { rows } = await db.query(
        `delete from slack_event_claims where claimed_at < now() - $1::integer * interval '1 millisecond' returning 1`,
        [Math.round(ms)],
      );
      return rows.length;
    },
  };
}

export type SlackEventClaims = ReturnType<typeof createSlackEventClaims>;

export interface SlackFollowUpRow {
  key: string;
  kind: string;
  payload: unknown;
  attempts: number;
}

/**
 * Slack follow-ups that change something (see migration 10): journalled before ack(), run after
 * it, marked done when they finished. A row whose claim ran out unfinished is run again by
 * whichever process claims it next.
 */
export function createSlackFollowUpStore(db: Pick<Db, 'query'>) {
  return {
    /**
     * Journals a follow-up claimed by `holder` for `ms`. False: the same Slack request is being
     * handled already (a duplicate delivery, here or in another process), so there is nothing to
     * do. A request whose follow-up is done is taken again (someone sent it again on purpose, and
     * the handlers answer a repeat sensibly: "already logged"), unless `once`: then it is done for good.
     */
    async record(
      entry: { key: string; kind: string; payload: unknown; once?: boolean },
      holder: string,
      ms: number,
    ): Promise<boolean> {
      const { rows } = await db.query(
        `insert into slack_followups (key, kind, payload, claimed_by, claimed_until)
         values ($1, $2, $3::jsonb, $4, now() + $5::integer * interval '1 millisecond')
         on conflict (key) do update set kind = excluded.kind, payload = excluded.payload,
           claimed_by = excluded.claimed_by, claimed_until = excluded.claimed_until, attempts = 1,
           last_error = null, created_at = now(), done_at = null
         where slack_followups.done_at is not null and not $6
         returning key`,
        [entry.key, entry.kind, JSON.stringify(entry.payload), holder, Math.round(ms), entry.once ?? false],
        // Written on the way to Slack's 3-second answer.
        { urgent: true },
      );
      return rows.length > 0;
    },

    /** Finished (whatever the outcome the user was told): the content is not kept. */
    async done(key: string): Promise<void> {
      await db.query(
        `update slack_followups set done_at = now(), payload = null, claimed_by = null, claimed_until = null
         where key = $1 and done_at is null`,
        [key],
      );
    },

    /** Failed: tried again once `retryInMs` has passed, or given up for good (`final`). */
    async failed(key: string, error: string, retryInMs: number, final: boolean): Promise<void> {
      await db.query(
        final
          ? `update slack_followups set done_at = now(), payload = null, claimed_by = null, claimed_until = null,
               last_error = $2 where key = $1 and done_at is null`
          : `update slack_followups set last_error = $2, claimed_until = now() + $3::integer * interval '1 millisecond'
               where key = $1 and done_at is null`,
        final ? [key, error.slice(0, 500)] : [key, error.slice(0, 500), Math.round(retryInMs)],
      );
    },

    /** Unfinished rows whose claim ran out, now claimed by `holder` for `ms` (oldest first). */
    async claimExpired(holder: string, ms: number, limit: number): Promise<SlackFollowUpRow[]> {
      const { rows } = await db.query<SlackFollowUpRow>(
        `update slack_followups set claimed_by = $1, claimed_until = now() + $2::integer * interval '1 millisecond',
           attempts = attempts + 1
         where key in (
           select key from slack_followups where done_at is null and claimed_until < now()
           order by created_at limit $3 for update skip locked)
         returning key, kind, payload, attempts`,
        [holder, Math.round(ms), limit],
      );
      return rows.map((r) => ({ ...r, payload: json(r.payload), attempts: Number(r.attempts) }));
    },

    /** Done rows older than `ms`: their keys no longer need to catch a repeated request. */
    async sweep(ms: number): Promise<number> {
      const { rows } = await db.query(
        `delete from slack_followups where done_at < now() - $1::integer * interval '1 millisecond' returning 1`,
        [Math.round(ms)],
      );
      return rows.length;
    },

    async get(key: string) {
      const { rows } = await db.query<{ kind: string; attempts: number; done: boolean; lastError: string | null }>(
        `select kind, attempts, done_at is not null as done, last_error as "lastError" from slack_followups where key = $1`,
        [key],
      );
      return rows[0] ?? null;
    },
  };
}

export type SlackFollowUpStore = ReturnType<typeof createSlackFollowUpStore>;
