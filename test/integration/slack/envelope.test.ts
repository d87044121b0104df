import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { ACTIONS, HOME_BLOCKS } from '../../../slack-app/ids.js';
import { eventCallbackBody, interactionBody } from '../../../testkit/slack-requests.js';
import { startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver } from './driver.js';

/**
 * Slack's envelopes as Bolt reads them: a correctly signed request whose shape Bolt would trip on
 * (a null where it reads a field) is answered at the edge, never a 500. Events are answered 200 and
 * ignored (Slack would retry a 4xx three times and count it against the app); a person's click or
 * command is a 400 (Slack does not retry those and shows the person an error at once).
 */
let t: TestRapport;
let slack: SlackStandIn;
let driver: ReturnType<typeof slackDriver>;

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [{ id: 'U0ANA', name: 'ana' }] });
  t = await startTestRapport({
    env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl },
  });
  driver = slackDriver(t.rapport.app, slack);
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

let n = 0;
const eventId = () => `EvEnvelope${++n}`;

describe('events Bolt cannot read: 200 and ignored', () => {
  it.each([
    ['event.user null', { type: 'app_home_opened', user: null, tab: 'home' }],
    ['event.user a number', { type: 'app_home_opened', user: 5, tab: 'home' }],
    ['event.channel null', { type: 'app_home_opened', user: 'U0ANA', channel: null, tab: 'home' }],
    ['event.item a string', { type: 'reaction_added', user: 'U0ANA', item: 'x' }],
    ['event.subteam null', { type: 'subteam_created', subteam: null }],
  ])('%s', async (_name, event) => {
    const before = slack.callsTo('views.publish').length;
    const res = await driver.event(event, eventId());
    expect(res.status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(slack.callsTo('views.publish').length).toBe(before);
  });

  it('event_callback without event or event_id', async () => {
    const res = await driver.post(JSON.stringify({ type: 'event_callback', team_id: 'T1' }), 'application/json');
    expect(res.status).toBe(200);
  });

  it('a readable app_home_opened still publishes the Home (the schema lets Slack through)', async () => {
    const before = slack.callsTo('views.publish').length;
    const res = await driver.event({ type: 'app_home_opened', user: 'U0ANA', tab: 'home', channel: 'D1' }, eventId());
    expect(res.status).toBe(200);
    await expect.poll(() => slack.callsTo('views.publish').length).toBeGreaterThan(before);
  });

  it('authorizations [null]', async () => {
    const body = JSON.parse(eventCallbackBody({ type: 'app_home_opened', user: 'U0ANA', tab: 'home' }, eventId()));
    const res = await driver.post(JSON.stringify({ ...body, authorizations: [null] }), 'application/json');
    expect(res.status).toBe(200);
  });
});

describe('interactions', () => {
  it('channel null is read as no channel: the click works', async () => {
    const before = slack.callsTo('views.publish').length;
    const res = await driver.post(
      interactionBody({
        type: 'block_actions',
        user: { id: 'U0ANA' },
        channel: null,
        trigger_id: 't1',
        actions: [{ action_id: ACTIONS.homeRefresh, block_id: HOME_BLOCKS.touches, type: 'button', value: '10' }],
      }),
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    await expect.poll(() => slack.callsTo('views.publish').length).toBeGreaterThan(before);
  });
});

describe('interactions Bolt cannot read: 400 naming the field', () => {
  it.each([
    ['block_actions with actions null', { type: 'block_actions', user: { id: 'U0ANA' }, actions: null }, 'actions'],
    ['block_actions with no actions', { type: 'block_actions', user: { id: 'U0ANA' }, actions: [] }, 'actions'],
    [
      'block_actions with actions [null]',
      { type: 'block_actions', user: { id: 'U0ANA' }, actions: [null] },
      'actions.0',
    ],
    [
      'block_actions with channel a string',
      { type: 'block_actions', user: { id: 'U0ANA' }, channel: 'C1', actions: [] },
      'channel',
    ],
    ['block_actions with user null', { type: 'block_actions', user: null, actions: [{ action_id: 'a' }] }, 'user'],
    ['view_submission without a view', { type: 'view_submission', user: { id: 'U0ANA' } }, 'view'],
    ['view_submission with view null', { type: 'view_submission', user: { id: 'U0ANA' }, view: null }, 'view'],
    [
      'block_suggestion without action_id',
      { type: 'block_suggestion', user: { id: 'U0ANA' }, value: 'ab' },
      'action_id',
    ],
    [
      'message_action with channel 5',
      { type: 'message_action', user: { id: 'U0ANA' }, callback_id: 'x', channel: 5 },
      'channel',
    ],
    [
      'response_urls [null]',
      { type: 'view_submission', user: { id: 'U0ANA' }, view: {}, response_urls: [null] },
      'response_urls.0',
    ],
  ])('%s', async (_name, payload, field) => {
    const res = await driver.post(interactionBody(payload), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`${field}:`);
    expect((await t.api('/healthz')).status).toBe(200);
  });
});
