import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { touchIdFor } from '../../../services/touch-intake.js';
import { ACTIONS, COMMANDS, HOME_BLOCKS, SHORTCUTS, TOUCH_BLOCKS, VIEWS } from '../../../slack-app/ids.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BOT_TOKEN, SIGNING_SECRET, TEAM, sign, slackDriver, viewPayload } from './driver.js';

const ANA = { id: 'U0ANA', name: 'ana', email: 'ana@rapport.example', realName: 'Ana Reyes' };

let t: TestRapport;
let slack: SlackStandIn;
let driver: ReturnType<typeof slackDriver>;

beforeAll(async () => {
  slack = await startSlackStandIn({
    botToken: BOT_TOKEN,
    users: [ANA, { id: 'U0NOMAIL', name: 'nomail' }],
    channelsWithoutBot: ['C0PRIVATE'],
  });
  t = await startTestRapport({
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl },
  });
  driver = slackDriver(t.rapport.app, slack);
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

type OpenedView = {
  id: string;
  hash: string;
  callback_id: string;
  private_metadata: string;
  blocks: { block_id?: string }[];
};
const lastOk = (method: string) =>
  eventually(
    async () => {
      const call = slack.callsTo(method).at(-1);
      return call?.response.ok ? call : undefined;
    },
    10_000,
    50,
  );
async function callAfter(method: string, count: number) {
  return eventually(async () => slack.callsTo(method)[count], 10_000, 50);
}
const blockIds = (view: { blocks: { block_id?: string }[] }) => view.blocks.map((b) => b.block_id);

async function openTouchModal(text = '') {
  const before = slack.callsTo('views.open').length;
  const { res } = await driver.command(COMMANDS.touch, { user: ANA.id, text });
  expect(res.status).toBe(200);
  const call = await callAfter('views.open', before);
  expect(call.response).toMatchObject({ ok: true });
  return (call.response as { view: OpenedView }).view;
}

describe('requests Slack did not sign are refused', () => {
  const body = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_home_opened' } });

  it('wrong signature -> 401', async () => {
    const res = await t.rapport.app.request('/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body, undefined, 'another-secret-entirely') },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('timestamp older than 5 minutes -> 401 even when correctly signed', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60;
    const res = await t.rapport.app.request('/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body, old) },
      body,
    });
    expect(res.status).toBe(401);
  });

  it('missing headers -> 401; body changed after signing -> 401', async () => {
    const missing = await t.rapport.app.request('/slack/events', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(missing.status).toBe(401);
    const tampered = await t.rapport.app.request('/slack/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body) },
      body: body.replace('Ev1', 'Ev2'),
    });
    expect(tampered.status).toBe(401);
  });

  it.each([
    ['broken JSON', '{"type":', 'application/json'],
    ['JSON without type', '{"a":1}', 'application/json'],
    ['form with broken payload', 'payload=%7Bnope', 'application/x-www-form-urlencoded'],
    [
      'payload of an unknown type',
      `payload=${encodeURIComponent('{"type":"weird","user":{"id":"U1"}}')}`,
      'application/x-www-form-urlencoded',
    ],
    ['command without trigger', 'command=%2Ftouch&user_id=U1', 'application/x-www-form-urlencoded'],
    ['text/plain', 'hello', 'text/plain'],
  ])('signed but malformed (%s) -> 400, and the app keeps answering', async (_name, raw, type) => {
    const res = await driver.post(raw, type);
    expect(res.status).toBe(400);
    expect((await t.api('/healthz')).status).toBe(200);
  });

  it('answers url_verification with the challenge', async () => {
    const res = await driver.post(
      JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' }),
      'application/json',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
  });
});

describe('/touch and the log-a-touch modal', () => {
  it('acknowledges within 3 s and opens the modal with the customer picker', async () => {
    const started = Date.now();
    const view = await openTouchModal();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(view.callback_id).toBe(VIEWS.logTouch);
    expect(blockIds(view)).toEqual(
      expect.arrayContaining([
        TOUCH_BLOCKS.customer,
        TOUCH_BLOCKS.summary,
        TOUCH_BLOCKS.channel,
        TOUCH_BLOCKS.when,
        TOUCH_BLOCKS.outcome,
      ]),
    );
  });

  it('the picker searches the CRM by name, email and company', async () => {
    const suggest = (value: string) =>
      driver.interaction({
        type: 'block_suggestion',
        user: { id: ANA.id },
        action_id: ACTIONS.customerSelect,
        block_id: TOUCH_BLOCKS.customer,
        value,
      });
    for (const query of ['Joe Smith', 'joe.smith@acme', 'Acme Logistics']) {
      const res = await suggest(query);
      expect(res.status).toBe(200);
      const { options } = (await res.json()) as { options: { text: { text: string }; value: string }[] };
      expect(options.map((o) => o.value)).toContain(String(DEMO.joe.id));
      expect(options.every((o) => o.text.text.length <= 75)).toBe(true);
    }
    const none = (await (await suggest('zzzz-nobody')).json()) as { options: unknown[] };
    expect(none.options).toEqual([]);
  });

  it('/touch <email> prefills the customer and the questions they were never asked', async () => {
    const updates = slack.callsTo('views.update').length;
    const view = await openTouchModal(DEMO.maria.email);
    const update = await callAfter('views.update', updates);
    expect(update.response).toMatchObject({ ok: true, view: { id: view.id } });
    const blocks = JSON.stringify((update.args.view as { blocks: unknown[] }).blocks);
    expect(blocks).toContain(`"value":"${DEMO.maria.id}"`);
    expect(blocks).toContain(TOUCH_BLOCKS.questionPrefix);
  });

  it('picking a customer shows their next questions; submitting logs the touch in the CRM as the Slack user', async () => {
    const view = await openTouchModal();
    const updates = slack.callsTo('views.update').length;
    const joe = { text: { type: 'plain_text', text: 'Joe Smith' }, value: String(DEMO.joe.id) };
    const picked = await driver.interaction({
      type: 'block_actions',
      user: { id: ANA.id },
      trigger_id: slack.trigger(),
      container: { type: 'view', view_id: view.id },
      view: viewPayload(view),
      actions: [
        {
          type: 'external_select',
          action_id: ACTIONS.customerSelect,
          block_id: TOUCH_BLOCKS.customer,
          selected_option: joe,
          action_ts: '1',
        },
      ],
    });
    expect(picked.status).toBe(200);
    const update = await callAfter('views.update', updates);
    expect(update.response.ok).toBe(true);
    const updated = (update.response as { view: OpenedView }).view;
    const questionBlocks = blockIds(updated).filter((id) => id?.startsWith(TOUCH_BLOCKS.questionPrefix));
    expect(questionBlocks.length).toBeGreaterThanOrEqual(1);
    expect(questionBlocks.length).toBeLessThanOrEqual(2);
    const question = questionBlocks[0]!;
    const questionId = question.slice(TOUCH_BLOCKS.questionPrefix.length);

    const ephemerals = slack.callsTo('chat.postEphemeral').length;
    const summary = `Slack call about renewal ${Date.now()}`;
    const values = {
      [TOUCH_BLOCKS.customer]: { [ACTIONS.customerSelect]: { type: 'external_select', selected_option: joe } },
      [TOUCH_BLOCKS.channel]: {
        [ACTIONS.channelSelect]: { type: 'static_select', selected_option: { value: 'call' } },
      },
      [TOUCH_BLOCKS.when]: { [ACTIONS.whenPicker]: { type: 'datetimepicker', selected_date_time: null } },
      [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { type: 'plain_text_input', value: summary } },
      [TOUCH_BLOCKS.outcome]: { [ACTIONS.outcomeInput]: { type: 'plain_text_input', value: 'Wants a quote' } },
      [question]: {
        [ACTIONS.answerInput]: { type: 'plain_text_input', value: 'Their CFO, Dana', selected_option: null },
      },
    };
    const submitted = await driver.interaction({
      type: 'view_submission',
      user: { id: ANA.id },
      view: viewPayload(updated, values),
    });
    expect(submitted.status).toBe(200);
    expect(await submitted.text()).toBe('');

    const confirmation = await callAfter('chat.postEphemeral', ephemerals);
    expect(confirmation.response.ok).toBe(true);
    expect(confirmation.args).toMatchObject({ channel: 'C0SALES', user: ANA.id });
    expect(JSON.stringify(confirmation.args.blocks)).toContain(`/crm/v3/objects/contacts/${DEMO.joe.id}`);

    const touchId = touchIdFor(`slack-view-${updated.id}`);
    const done = await eventually(async () => {
      const body = (await (await t.api(`/api/touches/${touchId}`)).json()) as { status: string };
      return body.status === 'synced' ? body : undefined;
    });
    expect(done).toMatchObject({ status: 'synced', channel: 'call', engagement: { kind: 'call' } });
    const timeline = await t.rapport.crm.listContactEngagements(String(DEMO.joe.id), 200);
    const written = timeline.find((e) => e.idempotencyKey === touchId);
    expect(written?.body).toContain(summary);
    expect(written?.body).toContain('Logged by ana@rapport.example via Rapport (slack)');
    const contact = await t.rapport.crm.getContact(String(DEMO.joe.id));
    expect(contact?.properties[`rapport_q_${questionId}`]).toBe('Their CFO, Dana');

    // Slack delivering the same submission again is the same touch.
    const again = await driver.interaction({
      type: 'view_submission',
      user: { id: ANA.id },
      view: viewPayload(updated, values),
    });
    expect(again.status).toBe(200);
    const second = await callAfter('chat.postEphemeral', ephemerals + 1);
    expect(String(second.args.text)).toContain('Already logged');
    expect(
      (await t.rapport.crm.listContactEngagements(String(DEMO.joe.id), 500)).filter(
        (e) => e.idempotencyKey === touchId,
      ),
    ).toHaveLength(1);
  });

  it('a submission without customer or summary keeps the modal open with errors beside the fields', async () => {
    const view = await openTouchModal();
    const res = await driver.interaction({
      type: 'view_submission',
      user: { id: ANA.id },
      view: viewPayload(view, {
        [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { type: 'plain_text_input', value: ' ' } },
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual([TOUCH_BLOCKS.customer, TOUCH_BLOCKS.summary].sort());
  });

  it('an expired trigger_id is refused by Slack; the command was still acknowledged and nothing crashed', async () => {
    const triggerId = slack.trigger();
    await new Promise((r) => setTimeout(r, 3200));
    const before = slack.callsTo('views.open').length;
    const body = new URLSearchParams({
      team_id: TEAM.id,
      channel_id: 'C0SALES',
      user_id: ANA.id,
      command: COMMANDS.touch,
      text: '',
      response_url: slack.responseUrl(),
      trigger_id: triggerId,
    }).toString();
    const res = await driver.post(body, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(200);
    const call = await callAfter('views.open', before);
    expect(call.response).toEqual({ ok: false, error: 'expired_trigger_id' });
    expect((await t.api('/healthz')).status).toBe(200);
  });
});

describe('where the confirmation goes', () => {
  const values = (summary: string) => ({
    [TOUCH_BLOCKS.customer]: {
      [ACTIONS.customerSelect]: {
        type: 'external_select',
        selected_option: { text: { type: 'plain_text', text: 'Liam' }, value: String(DEMO.liam.id) },
      },
    },
    [TOUCH_BLOCKS.summary]: { [ACTIONS.summaryInput]: { type: 'plain_text_input', value: summary } },
  });

  it('a channel the bot is not in gets a DM instead of an ephemeral', async () => {
    const posts = slack.callsTo('chat.postMessage').length;
    const view = {
      id: `V0DM${Date.now()}`,
      hash: 'h',
      callback_id: VIEWS.logTouch,
      private_metadata: JSON.stringify({ channelId: 'C0PRIVATE' }),
    };
    const res = await driver.interaction({
      type: 'view_submission',
      user: { id: ANA.id },
      view: viewPayload(view, values('Visited the plant')),
    });
    expect(res.status).toBe(200);
    const dm = await callAfter('chat.postMessage', posts);
    expect(dm.response.ok).toBe(true);
    expect(String(dm.args.channel)).toMatch(/^D/);
    expect(String(dm.args.text)).toContain('Logged');
    expect(slack.callsTo('chat.postEphemeral').some((c) => c.args.channel === 'C0PRIVATE' && !c.response.ok)).toBe(
      true,
    );
  });

  it('a Slack user without a visible email is told why nothing was logged', async () => {
    const posts = slack.callsTo('chat.postEphemeral').length;
    const view = {
      id: `V0NOMAIL${Date.now()}`,
      hash: 'h',
      callback_id: VIEWS.logTouch,
      private_metadata: JSON.stringify({ channelId: 'C0SALES' }),
    };
    await driver.interaction({
      type: 'view_submission',
      user: { id: 'U0NOMAIL' },
      view: viewPayload(view, values('No email here')),
    });
    const told = await callAfter('chat.postEphemeral', posts);
    expect(String(told.args.text)).toContain('cannot see your email');
    expect((await t.api(`/api/touches/${touchIdFor(`slack-view-${view.id}`)}`)).status).toBe(404);
  });
});

describe('message shortcut "Log as customer touch"', () => {
  it('opens a loading modal at once, then the modal prefilled with the message, its permalink, and the customer named in it', async () => {
    const opens = slack.callsTo('views.open').length;
    const updates = slack.callsTo('views.update').length;
    const text = `Aisha (${DEMO.aisha.email}) asked for the Q1 roadmap deck`;
    const res = await driver.interaction({
      type: 'message_action',
      callback_id: SHORTCUTS.logMessageAsTouch,
      trigger_id: slack.trigger(),
      user: { id: ANA.id },
      channel: { id: 'C0SALES', name: 'sales' },
      message: { type: 'message', user: 'U0BOB', ts: '1732400000.000100', text },
      message_ts: '1732400000.000100',
      response_url: slack.responseUrl(),
    });
    expect(res.status).toBe(200);
    // The customer is looked up in the CRM: the trigger_id is spent on a loading modal first.
    const open = await callAfter('views.open', opens);
    expect(open.response.ok).toBe(true);
    expect(JSON.stringify(open.args.view)).toContain('Looking up the customer');
    const update = await callAfter('views.update', updates);
    expect(update.response).toMatchObject({ ok: true, view: { id: (open.response as { view: OpenedView }).view.id } });
    const filled = JSON.stringify(update.args.view);
    expect(filled).toContain('Q1 roadmap deck');
    expect(filled).toContain('https://rapport-demo.slack.com/archives/C0SALES/p1732400000000100');
    expect(filled).toContain(`"value":"${DEMO.aisha.id}"`);
  });
});

describe('/customer', () => {
  it('answers with an ephemeral context card through the response_url', async () => {
    const { res, responseUrl } = await driver.command(COMMANDS.customer, { user: ANA.id, text: DEMO.joe.email });
    expect(res.status).toBe(200);
    const id = responseUrl.split('/').at(-1);
    const answer = await eventually(async () => slack.responses.find((r) => r.id === id), 15_000, 50);
    expect(answer.status).toBe(200);
    expect(answer.body.response_type).toBe('ephemeral');
    const card = JSON.stringify(answer.body.blocks);
    expect(card).toContain('Joe Smith');
    expect(card).toContain('Acme Logistics');
    expect(card).toContain('Last touches');
    expect(card).toContain('Next question');
  });

  it('by name, and a clear answer when nothing matches; no text -> usage', async () => {
    const byName = await driver.command(COMMANDS.customer, { user: ANA.id, text: 'Maria Garcia' });
    const nameId = byName.responseUrl.split('/').at(-1);
    const named = await eventually(async () => slack.responses.find((r) => r.id === nameId), 15_000, 50);
    expect(JSON.stringify(named.body.blocks)).toContain('Brightwave');

    const nobody = await driver.command(COMMANDS.customer, { user: ANA.id, text: 'nobody-at-all@nowhere.example' });
    const nobodyId = nobody.responseUrl.split('/').at(-1);
    const none = await eventually(async () => slack.responses.find((r) => r.id === nobodyId), 15_000, 50);
    expect(JSON.stringify(none.body)).toContain('No customer');

    const usage = await driver.command(COMMANDS.customer, { user: ANA.id, text: '' });
    expect(JSON.stringify(await usage.res.json())).toContain('Usage');
  });
});

describe('App Home and event retries', () => {
  it('publishes my recent touches; a retry of the same event does not publish twice', async () => {
    const publishes = slack.callsTo('views.publish').length;
    const event = { type: 'app_home_opened', user: ANA.id, channel: 'D0ANA', tab: 'home', event_ts: '1.2' };
    const first = await driver.event(event, 'Ev0HOME1');
    expect(first.status).toBe(200);
    const published = await callAfter('views.publish', publishes);
    expect(published.response.ok).toBe(true);
    const home = JSON.stringify(published.args.view);
    expect(home).toContain(HOME_BLOCKS.touches);
    expect(home).toContain('Joe Smith'); // the touch logged from the modal above

    const retry = await driver.event(event, 'Ev0HOME1', {
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('x-slack-no-retry')).toBe('1');
    await new Promise((r) => setTimeout(r, 500));
    expect(slack.callsTo('views.publish')).toHaveLength(publishes + 1);
    await lastOk('views.publish');
  });
});

describe('the way to ack()', () => {
  it('asks Slack who the bot is (auth.test) once, not before every acknowledgement', async () => {
    await driver.command(COMMANDS.customer, { user: ANA.id, text: '' });
    await driver.command(COMMANDS.customer, { user: ANA.id, text: '' });
    expect(slack.callsTo('auth.test').length).toBe(1);
  });
});
