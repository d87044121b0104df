import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { ACTIONS, ALERT_BLOCKS, COMMANDS, VIEWS } from '../../../slack-app/ids.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, OFFICER, REQUESTER, getAlert, waitForStatus } from '../broadcast/support.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver, viewPayload } from './driver.js';

const REQ = { id: 'U0ANALYST', name: 'analyst', email: REQUESTER, realName: 'Ana Lyst' };
const APR = { id: 'U0APPROVER', name: 'approver', email: APPROVER, realName: 'Ap Prover' };
const OFF = { id: 'U0OFFICER', name: 'officer', email: OFFICER, realName: 'Of Ficer' };

let t: TestRapport;
let slack: SlackStandIn;
let driver: ReturnType<typeof slackDriver>;

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [REQ, APR, OFF] });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
  });
  driver = slackDriver(t.rapport.app, slack);
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

type Call = SlackStandIn['calls'][number];
type OpenedView = { id: string; hash: string; callback_id: string; private_metadata: string };
type Posted = { channel: string; ts: string };
const text = (call: Call) => JSON.stringify(call.args);
const dmOf = (userId: string) => `D${userId.slice(1, 11)}`;
const postsTo = (userId: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === dmOf(userId));
const updatesOf = (m: Posted) =>
  slack.callsTo('chat.update').filter((c) => c.args.channel === m.channel && c.args.ts === m.ts);

function alertValues(title: string) {
  return {
    [ALERT_BLOCKS.title]: { value: { type: 'plain_text_input', value: title } },
    [ALERT_BLOCKS.message]: {
      value: { type: 'plain_text_input', value: 'Our **fixed deposit** rates rise on Monday.' },
    },
    [ALERT_BLOCKS.topic]: { value: { type: 'static_select', selected_option: { value: 'rates' } } },
    [ALERT_BLOCKS.lists]: {
      [ACTIONS.alertLists]: {
        type: 'multi_external_select',
        selected_options: [{ text: { type: 'plain_text', text: '1' }, value: '1' }],
      },
    },
    [ALERT_BLOCKS.channels]: {
      value: {
        type: 'checkboxes',
        selected_options: [{ text: { type: 'plain_text', text: 'Email' }, value: 'email' }],
      },
    },
    [ALERT_BLOCKS.replyTo]: {
      value: { type: 'radio_buttons', selected_option: { text: { type: 'plain_text', text: 'Me' }, value: 'analyst' } },
    },
    [ALERT_BLOCKS.notBefore]: { value: { type: 'datetimepicker', selected_date_time: null } },
    [ALERT_BLOCKS.notAfter]: { value: { type: 'datetimepicker', selected_date_time: null } },
  };
}

/** /alert as the requester; resolves with the alert id and the requester's preview message. */
async function requestAlert(title: string): Promise<{ alertId: string; preview: Posted }> {
  const before = slack.callsTo('views.open').length;
  await driver.command(COMMANDS.alert, { user: REQ.id });
  const opened = await eventually(async () => slack.callsTo('views.open')[before], 10_000, 50);
  const view = (opened.response as { view: OpenedView }).view;
  const res = await driver.interaction({
    type: 'view_submission',
    user: { id: REQ.id },
    view: viewPayload(view, alertValues(title)),
  });
  expect(res.status).toBe(200);
  const alertId = await eventually(async () => {
    const list = (await (await t.api(`/api/alerts?requester=${REQUESTER}`)).json()) as {
      alerts: { id: string; title: string }[];
    };
    return list.alerts.find((a) => a.title === title)?.id;
  });
  const posted = await eventually(
    async () => postsTo(REQ.id).find((c) => text(c).includes(alertId) && c.response.ok),
    60_000,
    100,
  );
  return { alertId, preview: posted.response as Posted };
}

function click(user: string, actionId: string, value: string, channel: string) {
  return driver.interaction({
    type: 'block_actions',
    user: { id: user },
    trigger_id: slack.trigger(),
    channel: { id: channel },
    container: { type: 'message', channel_id: channel, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
  });
}

/** Clicks a button that opens a loading modal, and returns what the modal became (views.update). */
async function clickForModal(user: string, actionId: string, value: string, channel: string) {
  const opened = slack.callsTo('views.open').length;
  const updated = slack.callsTo('views.update').length;
  expect((await click(user, actionId, value, channel)).status).toBe(200);
  const open = await eventually(async () => slack.callsTo('views.open')[opened], 10_000, 50);
  expect(open.response.ok).toBe(true);
  const update = await eventually(async () => slack.callsTo('views.update')[updated], 20_000, 50);
  expect(update.response.ok).toBe(true);
  return { call: update, view: (update.response as { view: OpenedView }).view };
}

const approverDms = (alertId: string, user: string, version: number) =>
  postsTo(user).filter((c) => text(c).includes(`${alertId}:${version}`) && c.response.ok);

async function nextEphemeral(before: number, user: string) {
  return eventually(
    async () =>
      slack
        .callsTo('chat.postEphemeral')
        .slice(before)
        .find((c) => c.args.user === user),
    20_000,
    50,
  );
}

describe('request changes -> revise in Slack', () => {
  let alertId: string;
  let preview: Posted;

  it("the requester's message shows the approver's comment and Revise", async () => {
    ({ alertId, preview } = await requestAlert('Slack: revise me'));
    await eventually(async () => approverDms(alertId, APR.id, 1)[0], 60_000, 100);
    await eventually(async () => approverDms(alertId, OFF.id, 1)[0], 60_000, 100);
    const res = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: APPROVER, decision: 'request_changes', reason: 'Name the products, please', version: 1 },
    });
    expect(res.status).toBe(200);
    await waitForStatus(t, alertId, 'changes_requested');
    const update = await eventually(
      async () => updatesOf(preview).find((c) => text(c).includes(ACTIONS.reviseAlert)),
      20_000,
      100,
    );
    expect(text(update)).toContain(`Changes requested by ${APPROVER}`);
    expect(text(update)).toContain('Name the products, please');
    expect(text(update)).toContain(ACTIONS.cancelAlert);
  });

  it('someone else clicking Revise gets a modal saying only the requester can', async () => {
    const { view, call } = await clickForModal(OFF.id, ACTIONS.reviseAlert, `${alertId}:1`, dmOf(OFF.id));
    expect(view.callback_id ?? '').not.toBe(VIEWS.reviseAlert);
    expect(text(call)).toContain(`Only the requester (${REQUESTER}) can revise this alert.`);
    expect((await getAlert(t, alertId)).status).toBe('changes_requested');
  });

  it('a forged revision from someone else is refused with a clear message', async () => {
    const before = slack.callsTo('chat.postEphemeral').length;
    const forged = {
      id: 'V0FORGED',
      hash: 'h',
      callback_id: VIEWS.reviseAlert,
      private_metadata: JSON.stringify({ alertId, version: 1, channelId: dmOf(OFF.id) }),
    };
    const res = await driver.interaction({
      type: 'view_submission',
      user: { id: OFF.id },
      view: viewPayload(forged, {
        [ALERT_BLOCKS.title]: { value: { type: 'plain_text_input', value: 'Hijacked' } },
        [ALERT_BLOCKS.message]: { value: { type: 'plain_text_input', value: 'Hijacked' } },
      }),
    });
    expect(res.status).toBe(200);
    const refusal = await nextEphemeral(before, OFF.id);
    expect(String(refusal.args.text)).toMatch(/revision was not taken: Only the requester/);
    const alert = await getAlert(t, alertId);
    expect(alert.status).toBe('changes_requested');
    expect(alert.version).toBe(1);
  });

  it('Revise opens the modal prefilled; submitting re-enters approval as version 2, with fresh approver DMs', async () => {
    const { view, call } = await clickForModal(REQ.id, ACTIONS.reviseAlert, `${alertId}:1`, preview.channel);
    expect(view.callback_id).toBe(VIEWS.reviseAlert);
    expect(text(call)).toContain('"initial_value":"Slack: revise me"');
    expect(text(call)).toContain('Our **fixed deposit** rates rise on Monday.');
    expect(text(call)).toContain('Name the products, please');

    const values = {
      [ALERT_BLOCKS.title]: { value: { type: 'plain_text_input', value: 'Slack: revised' } },
      [ALERT_BLOCKS.message]: {
        value: { type: 'plain_text_input', value: 'Fixed deposits (12 and 24 months) rise on Monday.' },
      },
      [ALERT_BLOCKS.revisionComment]: { value: { type: 'plain_text_input', value: 'Products named' } },
    };
    const empty = await driver.interaction({
      type: 'view_submission',
      user: { id: REQ.id },
      view: viewPayload(view, { ...values, [ALERT_BLOCKS.title]: { value: { type: 'plain_text_input', value: ' ' } } }),
    });
    expect(((await empty.json()) as { response_action: string }).response_action).toBe('errors');

    const res = await driver.interaction({
      type: 'view_submission',
      user: { id: REQ.id },
      view: viewPayload(view, values),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const alert = await eventually(async () => {
      const a = (await getAlert(t, alertId)) as Awaited<ReturnType<typeof getAlert>> & { title: string };
      return a.status === 'awaiting_approval' && a.version === 2 ? a : undefined;
    }, 30_000);
    expect(alert.title).toBe('Slack: revised');

    // Each approver gets a new DM for version 2; the version 1 DM says it was replaced.
    for (const user of [APR.id, OFF.id]) {
      const fresh = await eventually(async () => approverDms(alertId, user, 2)[0], 30_000, 100);
      expect(text(fresh)).toContain('Slack: revised');
      expect(text(fresh)).toContain(ACTIONS.approveAlert);
      const old = approverDms(alertId, user, 1)[0]!.response as Posted;
      await eventually(async () => updatesOf(old).find((c) => text(c).includes('replaced by version 2')), 20_000, 100);
    }
    // The requester's message follows: new title, waiting again, no Revise.
    const latest = await eventually(
      async () => updatesOf(preview).find((c) => text(c).includes('Slack: revised') && text(c).includes('version 2')),
      20_000,
      100,
    );
    expect(text(latest)).not.toContain(ACTIONS.reviseAlert);
    expect(text(latest)).toContain(ACTIONS.cancelAlert);

    // The same modal submitted again: the workflow refuses (no changes requested now), and says so.
    const before = slack.callsTo('chat.postEphemeral').length;
    await driver.interaction({ type: 'view_submission', user: { id: REQ.id }, view: viewPayload(view, values) });
    const refusal = await nextEphemeral(before, REQ.id);
    expect(String(refusal.args.text)).toMatch(/revision was not taken: no changes were requested/);
    expect((await getAlert(t, alertId)).version).toBe(2);
  });

  it('Cancel from someone else is refused; from the requester it cancels, and the message says by whom', async () => {
    const before = slack.callsTo('chat.postEphemeral').length;
    await click(APR.id, ACTIONS.cancelAlert, `${alertId}:2`, dmOf(APR.id));
    const refusal = await nextEphemeral(before, APR.id);
    expect(String(refusal.args.text)).toContain(`not cancelled: Only the requester (${REQUESTER}) can cancel`);
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');

    expect((await click(REQ.id, ACTIONS.cancelAlert, `${alertId}:2`, preview.channel)).status).toBe(200);
    const cancelled = await waitForStatus(t, alertId, 'cancelled', 30_000);
    expect(cancelled.counts.sent ?? 0).toBe(0);
    const update = await eventually(
      async () => updatesOf(preview).find((c) => text(c).includes(`Cancelled by ${REQUESTER}`)),
      20_000,
      100,
    );
    expect(text(update)).not.toContain(ACTIONS.cancelAlert);
    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
      audit: { actor: string | null; action: string; source: string }[];
    };
    expect(audit.audit).toContainEqual(
      expect.objectContaining({ actor: REQUESTER, action: 'cancel', source: 'slack' }),
    );
    // Approvers' version 2 DMs lose their buttons.
    const dm = approverDms(alertId, APR.id, 2)[0]!.response as Posted;
    await eventually(async () => updatesOf(dm).find((c) => text(c).includes('Cancelled')), 20_000, 100);
  });
});
