import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackStandIn } from '../../../sandbox/slack/index.js';
import { ACTIONS, ALERT_BLOCKS, COMMANDS, VIEWS } from '../../../slack-app/ids.js';
import { eventually, type TestRapport } from '../../../testkit/rapport.js';
import { DEMO } from '../../../testkit/demo-data.js';
import {
  APPROVER,
  OFFICER,
  REQUESTER,
  form,
  getAlert,
  htmlOf,
  linkPath,
  mailFor,
  waitForStatus,
} from '../broadcast/support.js';
import { viewPayload } from './driver.js';
import { APR, OFF, REQ, startSlackBroadcast, type SlackBroadcast } from './broadcast-workspace.js';

let t: TestRapport;
let slack: SlackStandIn;
let driver: SlackBroadcast['driver'];
let stop: SlackBroadcast['stop'] | undefined;

beforeAll(async () => {
  ({ t, slack, driver, stop } = await startSlackBroadcast());
});
afterAll(() => stop?.());

type Call = SlackStandIn['calls'][number];
type OpenedView = { id: string; hash: string; callback_id: string; private_metadata: string };
const text = (call: Call) => JSON.stringify(call.args);

/** The DM channel the stand-in opens for one user (conversations.open). */
const dmOf = (userId: string) => `D${userId.slice(1, 11)}`;
const postsTo = (userId: string) => slack.callsTo('chat.postMessage').filter((c) => c.args.channel === dmOf(userId));
const updatesOf = (channel: string, ts: string) =>
  slack.callsTo('chat.update').filter((c) => c.args.channel === channel && c.args.ts === ts);

async function openModal(command: string, user: string): Promise<OpenedView> {
  const before = slack.callsTo('views.open').length;
  const { res } = await driver.command(command, { user });
  expect(res.status).toBe(200);
  const call = await eventually(async () => slack.callsTo('views.open')[before], 10_000, 50);
  expect(call.response.ok).toBe(true);
  return (call.response as { view: OpenedView }).view;
}

function alertValues(title: string, lists: string[]) {
  return {
    [ALERT_BLOCKS.title]: { value: { type: 'plain_text_input', value: title } },
    [ALERT_BLOCKS.message]: {
      value: { type: 'plain_text_input', value: 'Our **fixed deposit** rates rise on Monday.' },
    },
    [ALERT_BLOCKS.topic]: { value: { type: 'static_select', selected_option: { value: 'rates' } } },
    [ALERT_BLOCKS.lists]: {
      [ACTIONS.alertLists]: {
        type: 'multi_external_select',
        selected_options: lists.map((id) => ({ text: { type: 'plain_text', text: id }, value: id })),
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

/** /alert, submit, then wait for the alert and for the requester's preview with the audience summary. */
async function requestAlert(title: string, lists = ['1']) {
  const view = await openModal(COMMANDS.alert, REQ.id);
  expect(view.callback_id).toBe(VIEWS.requestAlert);
  const res = await driver.interaction({
    type: 'view_submission',
    user: { id: REQ.id },
    view: viewPayload(view, alertValues(title, lists)),
  });
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('');
  const alertId = await eventually(async () => {
    const list = (await (await t.api(`/api/alerts?requester=${REQUESTER}`)).json()) as {
      alerts: { id: string; title: string }[];
    };
    return list.alerts.find((a) => a.title === title)?.id;
  });
  const preview = await eventually(async () => postsTo(REQ.id).find((c) => text(c).includes(alertId)), 60_000, 100);
  return { alertId, preview };
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

async function approverDm(alertId: string, user: string) {
  return eventually(async () => postsTo(user).find((c) => text(c).includes(alertId) && c.response.ok), 60_000, 100);
}

describe('/alert in Slack', () => {
  it('offers the CRM lists with member counts', async () => {
    const res = await driver.interaction({
      type: 'block_suggestion',
      user: { id: REQ.id },
      action_id: ACTIONS.alertLists,
      block_id: ALERT_BLOCKS.lists,
      value: '',
    });
    expect(res.status).toBe(200);
    const { options } = (await res.json()) as { options: { text: { text: string }; value: string }[] };
    expect(options.length).toBeGreaterThan(0);
    expect(options.map((o) => o.value)).toContain('1');
    expect(options.every((o) => /\(\d[\d,]* members?\)$/.test(o.text.text) && o.text.text.length <= 75)).toBe(true);
  });

  it('keeps the modal open with errors beside the fields when the request is incomplete', async () => {
    const view = await openModal(COMMANDS.alert, REQ.id);
    const values = alertValues(' ', []);
    const res = await driver.interaction({
      type: 'view_submission',
      user: { id: REQ.id },
      view: viewPayload(view, values),
    });
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual([ALERT_BLOCKS.lists, ALERT_BLOCKS.title].sort());
  });

  let alertId: string;

  it('submit -> alert created, and the requester gets the preview with the deduplicated audience summary', async () => {
    const requested = await requestAlert('Slack: deposits up 0.25%', ['1', '2', '3']);
    alertId = requested.alertId;
    const alert = await getAlert(t, alertId);
    expect(alert.audience).not.toBeNull();
    const preview = text(requested.preview);
    expect(preview).toContain('unique contacts');
    expect(preview).toContain(`${alert.audience!.totalMemberships} memberships`);
    expect(preview).toContain(`${alert.audience!.deliveries} will receive it`);
    expect(preview).toContain('Channel mix');
    expect(preview).toContain('Suppressed');
    // The approvers (never the requester) get a DM with the buttons.
    for (const user of [APR.id, OFF.id]) {
      const dm = text(await approverDm(alertId, user));
      expect(dm).toContain(ACTIONS.approveAlert);
      expect(dm).toContain(ACTIONS.rejectAlert);
      expect(dm).toContain(ACTIONS.requestChanges);
    }
    expect(postsTo(REQ.id).filter((c) => text(c).includes(ACTIONS.approveAlert))).toHaveLength(0);
    // Each message links its reader's own trail page, which opens for them.
    const trailOf = (message: string) => /<(https?:\/\/[^|>]+\/trail\/[^|>]+)\|See the trail>/.exec(message)?.[1];
    const requesterTrail = trailOf(preview);
    const approverTrail = trailOf(text(await approverDm(alertId, APR.id)));
    expect(requesterTrail).toBeDefined();
    expect(approverTrail).toBeDefined();
    expect(approverTrail).not.toBe(requesterTrail);
    for (const [url, who] of [
      [requesterTrail!, REQUESTER],
      [approverTrail!, APPROVER],
    ] as const) {
      const page = await t.rapport.app.request(new URL(url).pathname);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Shown to ${who}`);
    }
  });

  it('the requester clicking Approve on their own alert gets an ephemeral refusal, and it is audited', async () => {
    const dm = await approverDm(alertId, APR.id);
    const before = slack.callsTo('chat.postEphemeral').length;
    const res = await click(REQ.id, ACTIONS.approveAlert, `${alertId}:1`, String(dm.args.channel));
    expect(res.status).toBe(200);
    const refusal = await eventually(async () => slack.callsTo('chat.postEphemeral')[before], 20_000, 50);
    expect(refusal.args.user).toBe(REQ.id);
    expect(String(refusal.args.text)).toMatch(/not taken.*four eyes/i);
    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
      audit: { actor: string; outcome: string; source: string }[];
    };
    expect(audit.audit).toContainEqual(
      expect.objectContaining({ actor: REQUESTER, outcome: 'refused', source: 'slack' }),
    );
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
  });

  it('an approver clicking Approve approves through the Update; every approval DM shows who decided', async () => {
    const dm = await approverDm(alertId, APR.id);
    const other = await approverDm(alertId, OFF.id);
    const res = await click(APR.id, ACTIONS.approveAlert, `${alertId}:1`, String(dm.args.channel));
    expect(res.status).toBe(200);
    await waitForStatus(t, alertId, ['approved', 'dispatching', 'following_up', 'completed'], 60_000);
    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
      audit: { actor: string; outcome: string; source: string; action: string }[];
    };
    expect(audit.audit).toContainEqual(
      expect.objectContaining({ actor: APPROVER, outcome: 'accepted', source: 'slack', action: 'approve' }),
    );
    for (const posted of [dm, other]) {
      const response = posted.response as { channel: string; ts: string };
      const update = await eventually(
        async () => updatesOf(response.channel, response.ts).find((c) => text(c).includes(`Approved by ${APPROVER}`)),
        20_000,
        100,
      );
      expect(text(update)).not.toContain(ACTIONS.approveAlert);
    }
    // Emails go out to the audience.
    const alert = await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
    const mails = await eventually(async () => {
      const sent = t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId);
      return sent.length === alert.audience!.deliveries ? sent : undefined;
    });
    expect(mails.length).toBeGreaterThan(0);
    // The requester's message shows who approved and the progress.
    const preview = (await eventually(async () => postsTo(REQ.id).find((c) => text(c).includes(alertId)))).response as {
      channel: string;
      ts: string;
    };
    const progress = await eventually(
      async () =>
        updatesOf(preview.channel, preview.ts).find(
          (c) =>
            text(c).includes(`Approved by ${APPROVER}`) && text(c).includes(`Sent *${alert.audience!.deliveries}*`),
        ),
      30_000,
      100,
    );
    expect(text(progress)).toContain('▓');
  });

  it('a customer response reaches the reply owner as a DM whose Log follow-up opens the touch modal prefilled', async () => {
    const [mail] = mailFor(t, DEMO.joe.email, alertId);
    expect(mail).toBeDefined();
    const path = linkPath(await htmlOf(t, mail!.id), /\/r\/.*a=call-me/);
    expect((await t.rapport.app.request(path.split('?')[0]!, form({ a: 'call-me' }))).status).toBe(200);
    const notice = await eventually(
      async () => postsTo(REQ.id).find((c) => text(c).includes(ACTIONS.logFollowUp) && text(c).includes(alertId)),
      30_000,
      100,
    );
    const blocks = (typeof notice.args.blocks === 'string' ? JSON.parse(notice.args.blocks) : notice.args.blocks) as {
      type: string;
      elements?: { action_id?: string; value?: string }[];
    }[];
    const value = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === ACTIONS.logFollowUp)?.value;
    expect(value).toBeDefined();
    const opened = slack.callsTo('views.open').length;
    await click(REQ.id, ACTIONS.logFollowUp, value!, String(notice.args.channel));
    // A loading modal at once (the contact comes from the CRM), then the modal prefilled.
    const modal = await eventually(async () => slack.callsTo('views.open')[opened], 10_000, 50);
    expect(modal.response.ok).toBe(true);
    const prefilled = await eventually(async () =>
      slack.callsTo('views.update').find((c) => text(c).includes(`Follow-up to alert ${alertId}`)),
    );
    expect(text(prefilled)).toContain(String(DEMO.joe.id));
    expect(text(notice)).toContain(DEMO.joe.email);
  });

  it('Reject opens the reason modal, and its submission rejects; every approval DM says by whom', async () => {
    const second = await requestAlert('Slack: a second alert to reject');
    const dm = await approverDm(second.alertId, OFF.id);
    const other = await approverDm(second.alertId, APR.id);
    const opened = slack.callsTo('views.open').length;
    const updated = slack.callsTo('views.update').length;
    await click(OFF.id, ACTIONS.rejectAlert, `${second.alertId}:1`, String(dm.args.channel));
    // A loading modal at once (the alert's title comes from the store), then the reason modal in its place.
    const call = await eventually(async () => slack.callsTo('views.open')[opened], 10_000, 50);
    expect(call.response.ok).toBe(true);
    const update = await eventually(async () => slack.callsTo('views.update')[updated], 10_000, 50);
    expect(update.response.ok).toBe(true);
    const modal = (update.response as { view: OpenedView }).view;
    expect(modal.id).toBe((call.response as { view: OpenedView }).view.id);
    expect(modal.callback_id).toBe(VIEWS.rejectAlert);
    expect(text(update)).toContain('Slack: a second alert to reject');

    const empty = await driver.interaction({
      type: 'view_submission',
      user: { id: OFF.id },
      view: viewPayload(modal, { [ALERT_BLOCKS.reason]: { value: { type: 'plain_text_input', value: ' ' } } }),
    });
    expect(((await empty.json()) as { response_action: string }).response_action).toBe('errors');

    const res = await driver.interaction({
      type: 'view_submission',
      user: { id: OFF.id },
      view: viewPayload(modal, {
        [ALERT_BLOCKS.reason]: { value: { type: 'plain_text_input', value: 'Wrong audience for rates' } },
      }),
    });
    expect(res.status).toBe(200);
    const rejected = await waitForStatus(t, second.alertId, 'rejected');
    expect(rejected.status).toBe('rejected');
    for (const posted of [dm, other]) {
      const response = posted.response as { channel: string; ts: string };
      await eventually(
        async () =>
          updatesOf(response.channel, response.ts).find(
            (c) => text(c).includes(`Rejected by ${OFFICER}`) && text(c).includes('Wrong audience for rates'),
          ),
        20_000,
        100,
      );
    }
  });

  it('App Home shows my pending approvals and my alerts with status', async () => {
    const third = await requestAlert('Slack: waiting in the Home');
    await waitForStatus(t, third.alertId, 'awaiting_approval');
    const publishes = slack.callsTo('views.publish').length;
    await driver.event({ type: 'app_home_opened', user: APR.id, tab: 'home', channel: 'D0' }, `EvHomeApr${Date.now()}`);
    const aprHome = await eventually(async () =>
      slack
        .callsTo('views.publish')
        .slice(publishes)
        .find((c) => c.args.user_id === APR.id),
    );
    expect(text(aprHome)).toContain('Slack: waiting in the Home');
    await driver.event({ type: 'app_home_opened', user: REQ.id, tab: 'home', channel: 'D0' }, `EvHomeReq${Date.now()}`);
    const reqHome = await eventually(async () =>
      slack
        .callsTo('views.publish')
        .slice(publishes)
        .find((c) => c.args.user_id === REQ.id),
    );
    expect(text(reqHome)).toContain('Slack: a second alert to reject');
    expect(text(reqHome)).toContain('rejected');
  });
});
