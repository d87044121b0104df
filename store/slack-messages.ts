import type { Db } from './db.js';

/** A Slack message that follows one alert: the requester's preview or one approver's DM. */
export interface SlackAlertMessageRow {
  alertId: string;
  role: 'requester' | 'approver';
  slackUser: string;
  email: string | null;
  /** Absent until the message is posted (the requester's preview waits for the audience summary). */
  channel: string | null;
  ts: string | null;
  /** The alert version the message was posted for (approver DMs are per version). */
  version: number;
  /** A fingerprint of what the message last showed: unchanged content is never sent again. */
  rendered: string | null;
  /** Customer responses already forwarded to the reply owner (requester rows). */
  responsesSeen: number;
  /** Nothing will change any more (the alert is final and the message shows it). */
  done: boolean;
}

const COLUMNS = `alert_id as "alertId", role, slack_user as "slackUser", email, channel, ts, version, rendered,
  responses_seen as "responsesSeen", done`;

export function createSlackMessageStore(db: Pick<Db, 'query'>) {
  return {
    /** Tracks a message; an existing row (same alert, role, user) is kept as it is. */
    async track(row: Pick<SlackAlertMessageRow, 'alertId' | 'role' | 'slackUser' | 'email' | 'version'>) {
      await db.query(
        `insert into slack_alert_messages (alert_id, role, slack_user, email, version) values ($1,$2,$3,$4,$5)
         on conflict (alert_id, role, slack_user) do nothing`,
        [row.alertId, row.role, row.slackUser, row.email, row.version],
      );
    },

    async posted(
      key: Pick<SlackAlertMessageRow, 'alertId' | 'role' | 'slackUser'>,
      at: { channel: string; ts: string; version: number; rendered: string },
    ) {
      await db.query(
        `update slack_alert_messages set channel = $4, ts = $5, version = $6, rendered = $7, done = false, updated_at = now()
         where alert_id = $1 and role = $2 and slack_user = $3`,
        [key.alertId, key.role, key.slackUser, at.channel, at.ts, at.version, at.rendered],
      );
    },

    async rendered(key: Pick<SlackAlertMessageRow, 'alertId' | 'role' | 'slackUser'>, rendered: string, done: boolean) {
      await db.query(
        `update slack_alert_messages set rendered = $4, done = $5, updated_at = now()
         where alert_id = $1 and role = $2 and slack_user = $3`,
        [key.alertId, key.role, key.slackUser, rendered, done],
      );
    },

    async responsesSeen(key: Pick<SlackAlertMessageRow, 'alertId' | 'role' | 'slackUser'>, seen: number) {
      await db.query(
        `update slack_alert_messages set responses_seen = greatest(responses_seen, $4), updated_at = now()
         where alert_id = $1 and role = $2 and slack_user = $3`,
        [key.alertId, key.role, key.slackUser, seen],
      );
    },

    async forAlert(alertId: string): Promise<SlackAlertMessageRow[]> {
      const { rows } = await db.query<SlackAlertMessageRow>(
        `select ${COLUMNS} from slack_alert_messages where alert_id = $1 order by role, slack_user`,
        [alertId],
      );
      return rows;
    },

    /** Alerts with at least one message that may still change. */
    async openAlertIds(limit: number): Promise<string[]> {
      const { rows } = await db.query<{ alertId: string }>(
        `select distinct alert_id as "alertId" from slack_alert_messages where not done order by alert_id limit $1`,
        [limit],
      );
      return rows.map((r) => r.alertId);
    },
  };
}

export type SlackMessageStore = ReturnType<typeof createSlackMessageStore>;
