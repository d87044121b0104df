import type { SlackStandIn } from '../../../sandbox/slack/index.js';
import {
  eventCallbackBody,
  interactionBody,
  signatureHeaders,
  slashCommandBody,
  TEAM,
} from '../../../testkit/slack-requests.js';

export { TEAM };
export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-0000-rapport';

type Fetcher = { request(path: string, init: RequestInit): Response | Promise<Response> };

export function sign(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SIGNING_SECRET) {
  return signatureHeaders(body, secret, timestamp);
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

  return {
    post,
    async command(command: string, opts: { user: string; text?: string; channel?: string }) {
      const triggerId = standIn.trigger();
      const responseUrl = standIn.responseUrl();
      const res = await post(
        slashCommandBody({
          command,
          text: opts.text ?? '',
          userId: opts.user,
          userName: 'ana',
          channelId: opts.channel ?? 'C0SALES',
          responseUrl,
          triggerId,
        }),
        'application/x-www-form-urlencoded',
      );
      return { res, triggerId, responseUrl };
    },
    interaction(payload: Record<string, unknown>, headers?: Record<string, string>) {
      return post(interactionBody(payload), 'application/x-www-form-urlencoded', headers);
    },
    event(event: Record<string, unknown>, eventId: string, headers?: Record<string, string>) {
      return post(eventCallbackBody(event, eventId), 'application/json', headers);
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
