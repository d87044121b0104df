import { createHmac } from 'node:crypto';
import type { SlackStandIn } from '../../../sandbox/slack/index.js';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-0000-rapport';
export const TEAM = { id: 'T0RAPPORT', domain: 'rapport-demo' };

type Fetcher = { request(path: string, init: RequestInit): Response | Promise<Response> };

export function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) };
}

/** Sends requests to /slack/events exactly as Slack does: signed, form or JSON encoded. */
export function slackDriver(app: Fetcher, standIn: SlackStandIn) {
  const post = (body: string, contentType: string, headers: Record<string, string> = {}) =>
    Promise.resolve(
      app.request('/slack/events', {
        method: 'POST',
        headers: { 'content-type': contentType, ...sign(body), ...headers },
        body,
      }),
    );
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  return {
    post,
    async command(command: string, opts: { user: string; text?: string; channel?: string }) {
      const triggerId = standIn.trigger();
      const responseUrl = standIn.responseUrl();
      const res = await post(
        form({
          token: 'legacy',
          team_id: TEAM.id,
          team_domain: TEAM.domain,
          channel_id: opts.channel ?? 'C0SALES',
          channel_name: 'sales',
          user_id: opts.user,
          user_name: 'ana',
          command,
          text: opts.text ?? '',
          api_app_id: 'A0RAPPORT',
          response_url: responseUrl,
          trigger_id: triggerId,
        }),
        'application/x-www-form-urlencoded',
      );
      return { res, triggerId, responseUrl };
    },
    interaction(payload: Record<string, unknown>, headers?: Record<string, string>) {
      return post(
        form({ payload: JSON.stringify({ team: TEAM, api_app_id: 'A0RAPPORT', token: 'legacy', ...payload }) }),
        'application/x-www-form-urlencoded',
        headers,
      );
    },
    event(event: Record<string, unknown>, eventId: string, headers?: Record<string, string>) {
      return post(
        JSON.stringify({
          token: 'legacy',
          team_id: TEAM.id,
          api_app_id: 'A0RAPPORT',
          type: 'event_callback',
          event_id: eventId,
          event_time: Math.floor(Date.now() / 1000),
          event,
          authorizations: [{ team_id: TEAM.id, user_id: 'U0RAPPORTBOT', is_bot: true }],
        }),
        'application/json',
        headers,
      );
    },
  };
}

/** The view Slack would send back with an interaction on the modal opened by `call`. */
export function viewPayload(
  opened: { id: string; hash: string; callback_id?: string; private_metadata?: string },
  values: Record<string, Record<string, unknown>> = {},
) {
  return {
    id: opened.id,
    hash: opened.hash,
    type: 'modal',
    team_id: TEAM.id,
    callback_id: opened.callback_id,
    private_metadata: opened.private_metadata ?? '',
    state: { values },
  };
}
