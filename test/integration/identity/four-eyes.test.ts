import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { ACTIONS, ALERT_BLOCKS, COMMANDS } from '../../../slack-app/ids.js';
import { OTHER_TENANT } from '../../../testkit/oidc-issuer.js';
import { eventually, startTestRapport, TEST_API_TOKEN, type TestRapport } from '../../../testkit/rapport.js';
import {
  APPROVER,
  BROADCAST_ENV,
  REQUESTER,
  alertRequest,
  getAlert,
  submit,
  waitForStatus,
} from '../broadcast/support.js';
import { BOT_TOKEN, SIGNING_SECRET, slackDriver, viewPayload } from '../slack/driver.js';

/**
 * Four eyes through every surface with real identities: people sign in at a local OpenID Connect
 * issuer (testkit/oidc-issuer.ts: discovery, key set, token endpoint), service principals hold
 * scoped API tokens, Slack users are proven by Slack's signature. Who acts always comes from the
 * credential.
 */
const REPORTER_TOKEN = 'reporter-token-0123456789abcdefghij';
const REQ = { id: 'U0ANALYST', name: 'analyst', email: REQUESTER, realName: 'Ana Lyst' };
const APR = { id: 'U0APPROVER', name: 'approver', email: APPROVER, realName: 'Ap Prover' };
// People of the rename tests: a group of their own, so no other test's tokens or Slack cache meet them.
const RENE = 'rene@bank.example';
const OLGA = 'olga@bank.example';
const SAM = { id: 'U0SAM', name: 'sam', email: 'sam@bank.example', realName: 'Sam Pell' };

let t: TestRapport;
let slack: SlackStandIn;
let driver: ReturnType<typeof slackDriver>;
const logLines: string[] = [];

beforeAll(async () => {
  slack = await startSlackStandIn({ botToken: BOT_TOKEN, users: [REQ, APR, SAM] });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      APPROVER_GROUPS: `${BROADCAST_ENV.APPROVER_GROUPS};desk=${RENE},${OLGA},${SAM.email}`,
      API_SERVICE_TOKENS: `reporter(alerts:request,alerts:read)=${REPORTER_TOKEN}`,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
    },
    logLines,
  });
  driver = slackDriver(t.rapport.app, slack);
});
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

type ErrorBody = { error: { code: string; field?: string; message: string } };
const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;
const service = `Bearer ${TEST_API_TOKEN}`;
const reporter = `Bearer ${REPORTER_TOKEN}`;
const post = (path: string, authorization: string, json: unknown, method = 'POST') =>
  t.api(path, { method, json, headers: { authorization } });

describe('an API service token', () => {
  let alertId: string;
  beforeAll(async () => {
    alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
  });

  it('cannot decide, revise or cancel, even naming an approver: 403 PERSON_REQUIRED, the alert untouched', async () => {
    for (const [path, body, method] of [
      [`/api/alerts/${alertId}/decision`, { decision: 'approve' }, 'POST'],
      [`/api/alerts/${alertId}/decision`, { decision: 'approve', approver: APPROVER }, 'POST'],
      [`/api/alerts/${alertId}/revision`, { requester: REQUESTER, title: 'x', body: 'y' }, 'PUT'],
      [`/api/alerts/${alertId}/cancel`, { by: REQUESTER }, 'POST'],
    ] as const) {
      const res = await post(path, service, body, method);
      expect(res.status, path).toBe(403);
      expect((await errorOf(res)).code).toBe('PERSON_REQUIRED');
    }
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as { audit: { action: string }[] };
    expect(audit.audit.filter((a) => a.action === 'decide')).toEqual([]);
  });

  it('requests an alert as itself, never as a person it names, and only within its scopes', async () => {
    const named = await post('/api/alerts', reporter, alertRequest({ replyTo: 'owner' }));
    expect(named.status).toBe(400);
    expect((await errorOf(named)).field).toBe('requester');

    const { requester: _dropped, ...asItself } = alertRequest({ replyTo: 'owner' });
    const res = await post('/api/alerts', reporter, asItself);
    expect(res.status).toBe(202);
    expect(((await res.json()) as { requester: string }).requester).toBe('reporter@services.rapport.invalid');

    const noMailbox = await post('/api/alerts', reporter, { ...asItself, replyTo: 'analyst' });
    expect((await errorOf(noMailbox)).field).toBe('replyTo');

    const outOfScope = await post('/api/touches', reporter, {
      contact: { email: 'x@y.example' },
      channel: 'call',
      summary: 's',
      loggedBy: 'a@b.example',
    });
    expect(outOfScope.status).toBe(403);
    expect((await errorOf(outOfScope)).message).toContain('touches:write');
  });
});

describe('a person signed in at the identity provider', () => {
  let alertId: string;
  beforeAll(async () => {
    alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
  });

  it('cannot name someone else in the body: a 400 naming the field', async () => {
    const asApprover = await t.as(APPROVER);
    const cases = [
      [`/api/alerts/${alertId}/decision`, { decision: 'approve', approver: 'officer@bank.example' }, 'approver'],
      ['/api/alerts', alertRequest({ requester: 'officer@bank.example' }), 'requester'],
      [`/api/alerts/${alertId}/cancel`, { by: REQUESTER }, 'by'],
      [
        '/api/touches',
        { contact: { email: 'x@y.example' }, channel: 'call', summary: 's', loggedBy: REQUESTER },
        'loggedBy',
      ],
    ] as const;
    for (const [path, body, field] of cases) {
      const res = await post(path, asApprover, body);
      expect(res.status, path).toBe(400);
      expect((await errorOf(res)).field, path).toBe(field);
    }
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
  });

  it('cannot approve their own alert, though in the approver group; a stranger cannot either', async () => {
    const own = await post(`/api/alerts/${alertId}/decision`, await t.as(REQUESTER), { decision: 'approve' });
    expect(own.status).toBe(403);
    expect((await errorOf(own)).message).toContain('four eyes');
    const stranger = await post(`/api/alerts/${alertId}/decision`, await t.as('mallory@bank.example'), {
      decision: 'approve',
    });
    expect(stranger.status).toBe(403);
    expect((await errorOf(stranger)).message).toContain('approver group');
  });

  it('a member of the approver group approves, as the token says', async () => {
    const res = await post(`/api/alerts/${alertId}/decision`, await t.as(APPROVER), { decision: 'approve' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: 'approve', approver: APPROVER });
    const alert = (await (await t.api(`/api/alerts/${alertId}`)).json()) as { decidedBy: string; status: string };
    expect(alert.decidedBy).toBe(APPROVER);
    // The request log names who acted by their person id, never their email.
    const line = logLines
      .map((l) => JSON.parse(l) as { msg?: string; path?: string; by?: string })
      .find((l) => l.msg === 'request' && l.path === `/api/alerts/${alertId}/decision` && l.by?.startsWith('psn_'));
    expect(line).toBeDefined();
    expect(JSON.stringify(line)).not.toContain(APPROVER);
  });

  it.each([
    ['for another audience', () => t.issuer!.token(APPROVER, { resource: 'bbbbbbbb-0000-0000-0000-000000000000' })],
    [
      'from another tenant',
      async () => {
        t.issuer!.user('eve@other.example', { tenant: OTHER_TENANT });
        return t.issuer!.token('eve@other.example');
      },
    ],
    ['expired', () => t.issuer!.mint(APPROVER, { expiresIn: -120 })],
    ['signed by a key the issuer never published', () => t.issuer!.mint(APPROVER, { forged: true })],
    ['without the access_as_user scope', () => t.issuer!.mint(APPROVER, { claims: { scp: 'User.Read' } })],
  ])('a token %s is a 401', async (_name, token) => {
    const res = await t.api('/api/alerts', { headers: { authorization: `Bearer ${await token()}` } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe('UNAUTHORIZED');
  });

  it('is keyed by the immutable object id: another account given their email is someone else, not an approver', async () => {
    const alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    // The approver has signed in before (above): the group's address is bound to their person id.
    await post(`/api/alerts`, await t.as(APPROVER), undefined, 'GET');
    const mallory = await t.issuer!.mint('mallory@bank.example', {
      claims: { preferred_username: APPROVER, email: APPROVER },
    });
    const res = await post(`/api/alerts/${alertId}/decision`, `Bearer ${mallory}`, { decision: 'approve' });
    expect(res.status).toBe(403);
    expect((await errorOf(res)).message).toContain('approver group');
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
  });

  it('keeps signing in when the issuer rotates its key (the key set is fetched again for a new key id)', async () => {
    await t.issuer!.rotate();
    const fresh = await t.issuer!.token(APPROVER);
    // The verifier refetches an unknown key id at most every 30 s (jose's cooldown): it answers once that passed.
    await eventually(
      async () =>
        (await t.api('/api/alerts', { headers: { authorization: `Bearer ${fresh}` } })).status === 200
          ? true
          : undefined,
      45_000,
      1000,
    );
    expect(t.issuer!.hits['/discovery/keys']).toBeGreaterThanOrEqual(2);
  }, 60_000);
});

/** Who acts as a token the issuer signs for `email`'s account (its object id) with another address in its claims. */
const renamed = async (account: string, address: string) =>
  `Bearer ${await t.issuer!.mint(account, { claims: { preferred_username: address, email: address } })}`;
const outlookDecision = (alertId: string, authorization: string, json: unknown) =>
  t.rapport.app.request(`/api/addin/alerts/${alertId}/decision`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });

describe('people are judged by their stable id, not their email', () => {
  it('a requester renamed in the identity provider (same object id) still cannot approve their own alert', async () => {
    const created = await post(
      '/api/alerts',
      await t.issuer!.bearer(RENE),
      alertRequest({ requester: undefined, approverGroup: 'desk' }),
    );
    expect(created.status).toBe(202);
    const alertId = ((await created.json()) as { id: string }).id;
    await waitForStatus(t, alertId, 'awaiting_approval');

    const reneRenamed = await renamed(RENE, 'rene.martin@bank.example');
    const viaApi = await post(`/api/alerts/${alertId}/decision`, reneRenamed, { decision: 'approve' });
    expect(viaApi.status).toBe(403);
    expect((await errorOf(viaApi)).message).toContain('four eyes');
    const viaOutlook = await outlookDecision(alertId, reneRenamed, { decision: 'approve' });
    expect(viaOutlook.status).toBe(403);
    expect((await errorOf(viaOutlook)).message).toContain('four eyes');
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
    // Still their alert on its trail: a resend is theirs to ask for (nothing to resend yet: 409, not 403).
    const resend = await post(`/api/alerts/${alertId}/trail/resend`, reneRenamed, { confirm: true });
    expect(resend.status).toBe(409);
    // A stranger is refused before that.
    const stranger = await post(`/api/alerts/${alertId}/trail/resend`, await t.as('mallory@bank.example'), {
      confirm: true,
    });
    expect(stranger.status).toBe(403);

    // Requesting under the new address, Rene is not asked to approve at the group address bound to him.
    const again = await post('/api/alerts', reneRenamed, alertRequest({ requester: undefined, approverGroup: 'desk' }));
    expect(again.status).toBe(202);
    const againId = ((await again.json()) as { id: string }).id;
    await waitForStatus(t, againId, 'awaiting_approval');
    const asked = await t.db.query<{ approver: string }>(
      'select approver from approval_links where alert_id = $1 order by approver',
      [againId],
    );
    expect(asked.rows.map((r) => r.approver)).toEqual([OLGA, SAM.email]);
  });

  it('a member renamed in the identity provider is still a member; a newcomer given their old address is not', async () => {
    // Olga signs in once: the group's address is bound to her.
    expect((await post('/api/alerts', await t.issuer!.bearer(OLGA), undefined, 'GET')).status).toBe(200);
    const created = await post(
      '/api/alerts',
      await t.issuer!.bearer(RENE),
      alertRequest({ requester: undefined, approverGroup: 'desk' }),
    );
    const alertId = ((await created.json()) as { id: string }).id;
    await waitForStatus(t, alertId, 'awaiting_approval');

    const olgaRenamed = await renamed(OLGA, 'olga.kay@bank.example');
    expect((await post('/api/alerts', olgaRenamed, undefined, 'GET')).status).toBe(200);
    // The freed address goes to a newcomer: another object id.
    const newcomer = await renamed('newcomer@bank.example', OLGA);
    const refused = await outlookDecision(alertId, newcomer, { decision: 'approve' });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toContain('approver group');
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');

    const approved = await post(`/api/alerts/${alertId}/decision`, olgaRenamed, { decision: 'approve' });
    expect(approved.status).toBe(200);
    expect(await approved.json()).toMatchObject({ decision: 'approve', approver: 'olga.kay@bank.example' });
  });
});

function alertValues(title: string) {
  return {
    [ALERT_BLOCKS.title]: { value: { type: 'plain_text_input', value: title } },
    [ALERT_BLOCKS.message]: { value: { type: 'plain_text_input', value: 'Our rates rise on Monday.' } },
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

/** An alert requested through Slack's /alert modal by `user`; its id once the API lists it under `email`. */
async function requestInSlack(user: string, email: string, title: string): Promise<string> {
  const before = slack.callsTo('views.open').length;
  await driver.command(COMMANDS.alert, { user });
  const opened = await eventually(async () => slack.callsTo('views.open')[before], 10_000, 50);
  const view = (
    opened.response as { view: { id: string; hash: string; callback_id: string; private_metadata: string } }
  ).view;
  const submitted = await driver.interaction({
    type: 'view_submission',
    user: { id: user },
    view: viewPayload(view, alertValues(title)),
  });
  expect(submitted.status).toBe(200);
  return eventually(async () => {
    const list = (await (await t.api(`/api/alerts?requester=${email}`)).json()) as {
      alerts: { id: string; title: string }[];
    };
    return list.alerts.find((a) => a.title === title)?.id;
  });
}

function click(user: string, actionId: string, value: string, channel: string) {
  return driver.interaction({
    type: 'block_actions',
    user: { id: user },
    trigger_id: slack.trigger(),
    channel: { id: channel },
    container: { type: 'message', channel_id: channel, message_ts: '1.1' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: String(Date.now()) }],
  });
}

describe('one person through Slack, Outlook and the API', () => {
  it('an alert requested in Slack cannot be approved by the same person in Outlook; the people table holds one row', async () => {
    const alertId = await requestInSlack(REQ.id, REQUESTER, 'Requested in Slack, approved in Outlook?');
    await waitForStatus(t, alertId, 'awaiting_approval');

    const outlook = await t.rapport.app.request(`/api/addin/alerts/${alertId}/decision`, {
      method: 'POST',
      headers: { authorization: await t.as(REQUESTER), 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(outlook.status).toBe(403);
    expect((await errorOf(outlook)).message).toContain('four eyes');

    const rows = await t.db.query<{ email: string; entraOid: string | null; slackUserId: string | null }>(
      `select email, entra_oid as "entraOid", slack_user_id as "slackUserId" from people where email = $1`,
      [REQUESTER],
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ slackUserId: REQ.id, entraOid: t.issuer!.user(REQUESTER).oid });

    // The approver, through Slack's button, decides as the person the API knows.
    const viaApi = await post(`/api/alerts/${alertId}/decision`, await t.as(APPROVER), { decision: 'approve' });
    expect(viaApi.status).toBe(200);
    expect((await getAlert(t, alertId)).status).not.toBe('awaiting_approval');
  });

  it('stays one person after the identity provider renames them while Slack still shows the old address', async () => {
    const fromSlack = await requestInSlack(SAM.id, SAM.email, 'Sam asks in Slack');
    await waitForStatus(t, fromSlack, 'awaiting_approval');
    // Sam signs in to Outlook: joined to the person Slack made, by the verified email.
    expect((await post('/api/alerts', await t.issuer!.bearer(SAM.email), undefined, 'GET')).status).toBe(200);

    // Renamed in the identity provider (same object id); Slack has not caught up.
    const samuel = await renamed(SAM.email, 'samuel@bank.example');
    const own = await outlookDecision(fromSlack, samuel, { decision: 'approve' });
    expect(own.status).toBe(403);
    expect((await errorOf(own)).message).toContain('four eyes');

    // Requested under the new address; Approve in Slack (the old address) is still Sam's own alert.
    const created = await post('/api/alerts', samuel, alertRequest({ requester: undefined, approverGroup: 'desk' }));
    expect(created.status).toBe(202);
    const fromOutlook = ((await created.json()) as { id: string }).id;
    await waitForStatus(t, fromOutlook, 'awaiting_approval');
    expect((await click(SAM.id, ACTIONS.approveAlert, `${fromOutlook}:1`, 'D0SAM')).status).toBe(200);
    const refusal = await eventually(async () => {
      const audit = (await (await t.api(`/api/alerts/${fromOutlook}/audit`)).json()) as {
        audit: { outcome: string; source: string; detail: string | null }[];
      };
      return audit.audit.find((a) => a.source === 'slack');
    }, 20_000);
    expect(refusal).toMatchObject({ outcome: 'refused', detail: expect.stringContaining('four eyes') });
    expect((await getAlert(t, fromOutlook)).status).toBe('awaiting_approval');

    const rows = await t.db.query<{ email: string | null; slackUserId: string | null }>(
      `select email, slack_user_id as "slackUserId" from people where entra_oid = $1 or slack_user_id = $2`,
      [t.issuer!.user(SAM.email).oid, SAM.id],
    );
    expect(rows.rows).toEqual([{ email: 'samuel@bank.example', slackUserId: SAM.id }]);
  });
});
