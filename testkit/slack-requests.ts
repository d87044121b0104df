import { createHmac } from 'node:crypto';

/**
 * Request bodies as Slack sends them to /slack/events, and their signature: one source for the
 * integration tests' driver and the Slack bench's traffic, so both speak the same Slack.
 */

/** The workspace the Slack stand-in plays by default (its auth.test answers this team). */
export const TEAM = { id: 'T0RAPPORT', domain: 'rapport-demo' };
const APP_ID = 'A0RAPPORT';

/** Slack's v0 request signature headers for `body`, signed with the app's signing secret. */
export function signatureHeaders(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** A slash command, form encoded (content-type application/x-www-form-urlencoded). */
export function slashCommandBody(command: {
  command: string;
  text: string;
  userId: string;
  userName: string;
  channelId: string;
  responseUrl: string;
  triggerId: string;
}): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: command.channelId,
    channel_name: 'sales',
    user_id: command.userId,
    user_name: command.userName,
    command: command.command,
    text: command.text,
    api_app_id: APP_ID,
    response_url: command.responseUrl,
    trigger_id: command.triggerId,
  }).toString();
}

/** An interaction (block action, suggestion, view submission, shortcut), form encoded. */
export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({
    payload: JSON.stringify({ team: TEAM, api_app_id: APP_ID, token: 'legacy', ...payload }),
  }).toString();
}

/** An Events API callback (content-type application/json). */
export function eventCallbackBody(event: Record<string, unknown>, eventId: string): string {
  return JSON.stringify({
    token: 'legacy',
    team_id: TEAM.id,
    api_app_id: APP_ID,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event,
    authorizations: [{ team_id: TEAM.id, user_id: 'U0RAPPORTBOT', is_bot: true }],
  });
}
