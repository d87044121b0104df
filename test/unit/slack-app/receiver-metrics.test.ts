import type { App, ReceiverEvent } from '@slack/bolt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { HonoReceiver } from '../../../slack-app/receiver.js';
import { signatureHeaders, slashCommandBody } from '../../../testkit/slack-requests.js';

/** The Slack ack latency series (rapport_slack_ack_seconds): one observation per answer, by type and status. */
const SECRET = 'signing-secret-0123456789';

function receiver(onEvent: (event: ReceiverEvent) => Promise<void>) {
  const seen: { type: string; status: number; seconds: number }[] = [];
  const r = new HonoReceiver({
    signingSecret: SECRET,
    logger: pino({ level: 'silent' }),
    ackTimeoutMs: 200,
    metrics: { slackAck: (type, status, seconds) => seen.push({ type, status, seconds }) },
  });
  r.init({ processEvent: onEvent } as unknown as App);
  return { r, seen };
}

const command = slashCommandBody({
  command: '/touch',
  text: '',
  userId: 'U1',
  userName: 'ana',
  channelId: 'C1',
  responseUrl: 'https://hooks.slack.test/r',
  triggerId: 't1',
});
const post = (body: string, headers: Record<string, string>) =>
  new Request('http://rapport.test/slack/events', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });

describe("Slack's ack latency", () => {
  it('is observed for an acknowledged command, as `command` with its status', async () => {
    const { r, seen } = receiver(async (event) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await event.ack();
    });
    const res = await r.handle(post(command, signatureHeaders(command, SECRET)));
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 'command', status: 200 });
    expect(seen[0]!.seconds).toBeGreaterThanOrEqual(0.025);
  });

  it('is observed for a request never acknowledged in time, and for a forged one', async () => {
    const { r, seen } = receiver(() => new Promise(() => undefined));
    expect((await r.handle(post(command, signatureHeaders(command, SECRET)))).status).toBe(404);
    expect((await r.handle(post(command, signatureHeaders(command, 'not-the-secret-000000')))).status).toBe(401);
    expect(seen.map(({ type, status }) => `${type}/${status}`)).toEqual(['command/404', 'unread/401']);
  });
});
