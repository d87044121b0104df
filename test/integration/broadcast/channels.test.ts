import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerResponseActionId, RESPONSE_BLOCK_ID } from '../../../channels/slack/customer-response-ids.js';
import { SMS_OPT_OUT } from '../../../channels/sms/alert-text.js';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { startSlackStandIn, type RecordedCall, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { validateMessage } from '../../../sandbox/slack/validate.js';
import { startSmsStandIn, type SmsStandIn } from '../../../sandbox/sms/index.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO, DEMO_LISTS, DEMO_OWNERS } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver } from '../slack/driver.js';
import { BROADCAST_ENV, form, getAlert, mailFor, submit, waitForStatus, approve } from './support.js';

const SMS_FROM = '+15005550006';
const MARIA_SLACK = DEMO.maria.slackUserId;
const LIAM_PHONE = '+16175550188';
/** Noah is switched to SMS with a number whose owner replied STOP to our sender. */
const NOAH_PHONE = '+353865550199';
const LIST = DEMO_LISTS.newsletter.id;
/** What Twilio calls (behind a proxy in production): the webhook signature covers this URL. */
const PUBLIC_URL = 'https://rapport.bank.example';

let t: TestRapport;
let slack: SlackStandIn;
let sms: SmsStandIn;

beforeAll(async () => {
  // Maria is a Slack user of the workspace; Aisha's Slack id is not (user_not_found: a permanent failure).
  slack = await startSlackStandIn({
    botToken: BOT_TOKEN,
    users: [{ id: MARIA_SLACK, name: 'maria', email: DEMO.maria.email }],
  });
  sms = await startSmsStandIn({ senders: [SMS_FROM], ratePerSecond: 50, unreachable: { [NOAH_PHONE]: 21610 } });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SMS_API_URL: sms.apiUrl,
      SMS_ACCOUNT_SID: sms.accountSid,
      SMS_AUTH_TOKEN: sms.authToken,
      SMS_FROM,
      SLACK_DM_RATE_PER_SECOND: '50',
      SMS_RATE_PER_SECOND: '50',
      PUBLIC_URL,
    },
  });
  await t.rapport.crm.updateContactProperties(DEMO.noah.id, {
    rapport_preferred_channel: 'sms',
    mobilephone: '+353 86 555 0199',
  });
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
  await sms?.close();
});

/** The Newsletter list (MANUAL) holds exactly these contacts for the next alert. */
function listHolds(...contactIds: string[]) {
  const list = t.sandbox.state().lists.find((l) => l.listId === LIST)!;
  list.members = contactIds.map((recordId) => ({ recordId, membershipTimestamp: new Date().toISOString() }));
}

async function sendAlert(title: string): Promise<string> {
  const alertId = await submit(t, {
    title,
    lists: [LIST],
    channels: ['email', 'slack', 'sms'],
    replyTo: 'owner',
  });
  await waitForStatus(t, alertId, 'awaiting_approval');
  await approve(t, alertId);
  await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000).catch(async (error: Error) => {
    // Say where each row got stuck: a hang here is otherwise a bare timeout.
    const { rows } = await t.db.query(
      'select contact_id, status, channel, sent_channel, last_error, attempts from deliveries where alert_id = $1',
      [alertId],
    );
    throw new Error(`${error.message}; ledger: ${JSON.stringify(rows)}`);
  });
  return alertId;
}

const row = (alertId: string, contactId: string) =>
  createDeliveryStore(t.db)
    .get(alertId, contactId)
    .then((r) => r!);
const dmChannelOf = (user: string) =>
  slack.callsTo('conversations.open').find((c) => c.args.users === user && c.response.ok)?.response as
    { channel: { id: string } } | undefined;
/** Messages Slack accepted into a channel for one alert (the title is the notification text). */
const postsTo = (channel: string, title: string) =>
  slack.callsTo('chat.postMessage').filter((c) => c.args.channel === channel && c.response.ok && c.args.text === title);

describe('alerts in each customer’s own channel', () => {
  const title = 'Rates move: fixed deposits up 0.25%';
  let alertId: string;
  let dm: RecordedCall;

  beforeAll(async () => {
    listHolds(DEMO.joe.id, DEMO.maria.id, DEMO.liam.id, DEMO.aisha.id, DEMO.noah.id);
    alertId = await sendAlert(title);
  });

  it('sends the Slack-preferring contact exactly one DM and no email', async () => {
    const channel = dmChannelOf(MARIA_SLACK)!.channel.id;
    const posts = postsTo(channel, title);
    expect(posts).toHaveLength(1);
    dm = posts[0]!;
    expect(validateMessage(dm.args, 40_000).problems).toEqual([]);
    expect(mailFor(t, DEMO.maria.email, alertId)).toHaveLength(0);
    const maria = await row(alertId, DEMO.maria.id);
    expect(maria).toMatchObject({ status: 'sent', sentChannel: 'slack', messageId: `${channel}/${dm.response.ts}` });
    // The buttons carry the signed response token, as the email's action links do.
    const actions = (dm.args.blocks as { block_id?: string; elements?: { action_id: string; value: string }[] }[]).find(
      (b) => b.block_id === RESPONSE_BLOCK_ID,
    )!;
    expect(actions.elements!.map((e) => e.value)).toEqual(
      Array(4).fill(signToken(TEST_SECRET, 'response', maria.token)),
    );
  });

  it('sends the SMS-preferring contact exactly one text with the response page link, and no email', async () => {
    const texts = sms.messagesTo(LIAM_PHONE);
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatchObject({ from: SMS_FROM, reference: `${alertId}:${DEMO.liam.id}` });
    // Greeted by the CRM's first name, as the email and the DM are.
    expect(texts[0]!.body.startsWith(`Hello Liam, ${title}`)).toBe(true);
    expect(texts[0]!.body.endsWith(SMS_OPT_OUT)).toBe(true);
    expect(mailFor(t, DEMO.liam.email, alertId)).toHaveLength(0);
    expect(await row(alertId, DEMO.liam.id)).toMatchObject({ status: 'sent', sentChannel: 'sms' });

    // The link opens a page offering every answer; choosing one records it like an email action link.
    const link = new URL(/https?:\/\/\S+\/r\/\S+/.exec(texts[0]!.body)![0]);
    const page = await t.rapport.app.request(link.pathname);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const a of ['interested', 'call-me', 'not-now', 'unsubscribe']) expect(html).toContain(`value="${a}"`);
    expect((await t.rapport.app.request(link.pathname, form({ a: 'not-now' }))).status).toBe(200);
    const responses = (await (await t.api(`/api/alerts/${alertId}/responses`)).json()) as {
      responses: { kind: string; contactId: string }[];
    };
    expect(responses.responses).toContainEqual(expect.objectContaining({ kind: 'not-now', contactId: DEMO.liam.id }));
  });

  it('falls back to email once when Slack or SMS refuse the contact for good', async () => {
    expect(slack.callsTo('conversations.open').find((c) => c.args.users === DEMO.aisha.slackUserId)?.response).toEqual({
      ok: false,
      error: 'user_not_found',
    });
    expect(mailFor(t, DEMO.aisha.email, alertId)).toHaveLength(1);
    const aisha = await row(alertId, DEMO.aisha.id);
    expect(aisha).toMatchObject({ status: 'sent', sentChannel: 'email', channel: 'slack' });
    expect(aisha.lastError).toContain('user_not_found');

    expect(sms.messagesTo(NOAH_PHONE)).toHaveLength(0);
    expect(mailFor(t, DEMO.noah.email, alertId)).toHaveLength(1);
    const noah = await row(alertId, DEMO.noah.id);
    expect(noah).toMatchObject({ status: 'sent', sentChannel: 'email', channel: 'sms' });
    expect(noah.lastError).toContain('SMS_OPTED_OUT');

    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(1);
    expect((await getAlert(t, alertId)).counts).toMatchObject({ sent: 5, failed: 0, bounced: 0 });
  });

  it('logs the DM and the text on the CRM timeline as notes, and the email as an email', async () => {
    const logged = (contactId: string) =>
      eventually(async () => {
        const engagements = await t.rapport.crm.listContactEngagements(contactId, 50);
        return engagements.find((e) => e.idempotencyKey === `${alertId}:${contactId}`);
      }, 20_000);
    expect(await logged(DEMO.maria.id)).toMatchObject({ kind: 'note' });
    expect((await logged(DEMO.maria.id)).body).toContain(`sent by Slack DM to ${MARIA_SLACK}`);
    expect(await logged(DEMO.liam.id)).toMatchObject({ kind: 'note' });
    expect((await logged(DEMO.liam.id)).body).toContain('sent by SMS to');
    expect(await logged(DEMO.joe.id)).toMatchObject({ kind: 'email' });
    // Aisha's Slack id is unknown: she got the email, and the timeline says so.
    expect(await logged(DEMO.aisha.id)).toMatchObject({ kind: 'email' });
    expect((await logged(DEMO.aisha.id)).body).toContain(`sent by email to ${DEMO.aisha.email}`);
  });

  it('takes texts back to the alert number: a reply goes to the owner, STOP unsubscribes, forgeries are refused', async () => {
    const text = (from: string, body: string) =>
      t.rapport.app.request(sms.webhookRequest({ webhookUrl: `${PUBLIC_URL}/sms/inbound`, from, body }));
    const responsesOf = async (contactId: string) =>
      (
        (await (await t.api(`/api/alerts/${alertId}/responses`)).json()) as {
          responses: { kind: string; contactId: string; body: string | null }[];
        }
      ).responses.filter((r) => r.contactId === contactId);
    const before = (await responsesOf(DEMO.liam.id)).length;

    const reply = await text(LIAM_PHONE, 'Can someone call me about the 24 months rate?');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toContain('text/xml');
    expect(await reply.text()).toContain('<Response></Response>');
    const replies = await eventually(async () => {
      const rs = (await responsesOf(DEMO.liam.id)).filter((r) => r.kind === 'reply');
      return rs.length > 0 ? rs : undefined;
    });
    expect(replies[0]!.body).toBe('Can someone call me about the 24 months rate?');
    // replyTo 'owner': Liam's owner gets it by email, like an email reply.
    const owner = DEMO_OWNERS[DEMO.liam.ownerIndex]!;
    await eventually(async () =>
      t.smtp.byRecipient(owner.email).find((m) => m.alertId === alertId && m.subject.includes('"reply"')),
    );

    // A text signed with another token, and one from a number no alert was texted to.
    const forged = sms.webhookRequest({ webhookUrl: `${PUBLIC_URL}/sms/inbound`, from: LIAM_PHONE, body: 'STOP' });
    forged.headers.set('x-twilio-signature', 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    expect((await t.rapport.app.request(forged)).status).toBe(403);
    expect((await text('+14155550100', 'hello?')).status).toBe(200);
    expect((await text('not-a-number', 'hello?')).status).toBe(400);
    expect((await responsesOf(DEMO.liam.id)).length).toBe(before + 1);

    expect((await text(LIAM_PHONE, 'Stop')).status).toBe(200);
    await eventually(async () =>
      (await responsesOf(DEMO.liam.id)).some((r) => r.kind === 'unsubscribe') ? true : undefined,
    );
    await eventually(async () => {
      const liam = await t.rapport.crm.getContact(DEMO.liam.id);
      return liam?.properties.rapport_unsubscribed_all === 'true' ? liam : undefined;
    }, 20_000);
    // STOP also takes back any consent to texts (issue 14): it never lingers to text him after an email opt-out.
    expect((await t.rapport.crm.getContact(DEMO.liam.id))?.properties.rapport_sms_consent).toBe('false');
    // Liam changes his mind (START): the later alerts of this file text him again.
    await t.rapport.crm.updateContactProperties(DEMO.liam.id, { rapport_unsubscribed_all: '' });
  });

  it('records a click on a Slack answer button and routes it to the reply owner', async () => {
    const driver = slackDriver(t.rapport.app, slack);
    const channel = dm.args.channel as string;
    const click = (user: string, action: 'interested' | 'call-me', value: string) => {
      const responseUrl = slack.responseUrl();
      return {
        responseUrl,
        res: driver.interaction({
          type: 'block_actions',
          user: { id: user, team_id: 'T0RAPPORT' },
          trigger_id: slack.trigger(),
          response_url: responseUrl,
          channel: { id: channel },
          container: { type: 'message', channel_id: channel, message_ts: dm.response.ts, is_ephemeral: false },
          message: { type: 'message', ts: dm.response.ts, text: dm.args.text, blocks: dm.args.blocks },
          actions: [
            {
              type: 'button',
              block_id: RESPONSE_BLOCK_ID,
              action_id: customerResponseActionId(action),
              value,
              action_ts: String(Date.now() / 1000),
            },
          ],
        }),
      };
    };
    const token = signToken(TEST_SECRET, 'response', (await row(alertId, DEMO.maria.id)).token);
    const responsesOf = async () =>
      (
        (await (await t.api(`/api/alerts/${alertId}/responses`)).json()) as {
          responses: { kind: string; contactId: string }[];
        }
      ).responses.filter((r) => r.contactId === DEMO.maria.id);

    // Someone else clicking Maria's button, and a forged token: acknowledged, nothing recorded.
    const stranger = click('U0STRANGER1', 'call-me', token);
    expect((await stranger.res).status).toBe(200);
    const forged = click(MARIA_SLACK, 'call-me', `${token.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`);
    expect((await forged.res).status).toBe(200);

    const started = Date.now();
    const mine = click(MARIA_SLACK, 'interested', token);
    const res = await mine.res;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(Date.now() - started).toBeLessThan(3000);
    await eventually(async () => ((await responsesOf()).length > 0 ? true : undefined), 20_000);
    expect(await responsesOf()).toEqual([expect.objectContaining({ kind: 'interested' })]);

    // Maria's owner is Ben: replyTo 'owner' routes her answer to him.
    const ben = DEMO_OWNERS[1].email;
    const routed = await eventually(async () => t.smtp.byRecipient(ben).find((m) => m.alertId === alertId));
    expect(routed.subject).toContain('interested');
    // Maria sees a private thanks; the stranger and the forged click a refusal.
    const answers = await eventually(async () => {
      const byUrl = (url: string) => slack.responses.find((r) => url.endsWith(r.id))?.body.text as string | undefined;
      const all = [byUrl(mine.responseUrl), byUrl(stranger.responseUrl), byUrl(forged.responseUrl)];
      return all.every(Boolean) ? all : undefined;
    }, 20_000);
    expect(answers[0]).toContain('Interested');
    expect(answers[1]).toContain('no longer works');
    expect(answers[2]).toContain('no longer works');
  });
});

describe('temporary Slack and SMS failures', () => {
  it('still deliver exactly once after 429s and 5xx', async () => {
    const title = 'Branch hours change next week';
    listHolds(DEMO.maria.id, DEMO.liam.id);
    const before = { slackErrors: slack.calls.filter((c) => !c.response.ok).length, sms: sms.rejectedCount() };
    slack.fail({ method: 'conversations.open', status: 503, times: 1 });
    slack.fail({ method: 'chat.postMessage', status: 429, retryAfterSeconds: 1, times: 2 });
    sms.fail({ status: 503, times: 2 });
    sms.fail({ status: 429, retryAfterSeconds: 1, times: 1 });
    const alertId = await sendAlert(title);

    const channel = dmChannelOf(MARIA_SLACK)!.channel.id;
    expect(postsTo(channel, title)).toHaveLength(1);
    expect(sms.messagesTo(LIAM_PHONE).filter((m) => m.reference === `${alertId}:${DEMO.liam.id}`)).toHaveLength(1);
    expect(mailFor(t, DEMO.maria.email, alertId)).toHaveLength(0);
    expect(mailFor(t, DEMO.liam.email, alertId)).toHaveLength(0);
    expect(await row(alertId, DEMO.maria.id)).toMatchObject({ status: 'sent', sentChannel: 'slack' });
    expect(await row(alertId, DEMO.liam.id)).toMatchObject({ status: 'sent', sentChannel: 'sms' });
    // The faults were really met on the way.
    const errors = slack.calls.filter((c) => !c.response.ok).slice(before.slackErrors);
    expect(errors.filter((c) => c.response.error === 'http_503')).toHaveLength(1);
    expect(errors.filter((c) => c.response.error === 'ratelimited')).toHaveLength(2);
    expect(sms.rejectedCount() - before.sms).toBe(3);
  });
});

describe('a Slack outage', () => {
  it('holds back only the Slack DMs: the batch’s emails and texts go out at once, the DM once Slack is back', async () => {
    const title = 'Card fees waived in December';
    listHolds(DEMO.joe.id, DEMO.maria.id, DEMO.liam.id);
    slack.fail({ status: 503, forMs: 60_000 });
    const alertId = await submit(t, { title, lists: [LIST], channels: ['email', 'slack', 'sms'], replyTo: 'owner' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    try {
      await approve(t, alertId);
      await eventually(async () => (mailFor(t, DEMO.joe.email, alertId).length > 0 ? true : undefined), 30_000);
      await eventually(
        async () =>
          sms.messagesTo(LIAM_PHONE).some((m) => m.reference === `${alertId}:${DEMO.liam.id}`) ? true : undefined,
        30_000,
      );
      // Slack is still down: Maria's DM waits, pending, for the retry; no email replaces it.
      const maria = await row(alertId, DEMO.maria.id);
      expect(maria.status).toBe('pending');
      expect(maria.lastError).toContain('503');
    } finally {
      slack.clearFaults();
    }
    await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
    const channel = dmChannelOf(MARIA_SLACK)!.channel.id;
    expect(postsTo(channel, title)).toHaveLength(1);
    expect(mailFor(t, DEMO.maria.email, alertId)).toHaveLength(0);
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(1);
    expect(sms.messagesTo(LIAM_PHONE).filter((m) => m.reference === `${alertId}:${DEMO.liam.id}`)).toHaveLength(1);
    expect((await getAlert(t, alertId)).counts).toMatchObject({ sent: 3, failed: 0, unconfirmed: 0 });
  });
});
