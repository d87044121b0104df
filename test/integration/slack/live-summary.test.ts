import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSummary } from '../../../contracts/live-summary.js';
import type { SlackStandIn } from '../../../sandbox/slack/index.js';
import { eventually, type TestRapport } from '../../../testkit/rapport.js';
import { approve, APPROVER, REQUESTER, submit, waitForStatus } from '../broadcast/support.js';
import { APR, REQ, startSlackBroadcast, type SlackBroadcast } from './broadcast-workspace.js';

/**
 * The live summary of a person's alerts, where they already are: Slack's App Home (through the
 * Slack stand-in, the real Bolt app) and the add-in's approval view (GET /api/addin/summary).
 * One alert is requested, waits for approval, is approved and dispatched; the counts each surface
 * shows are compared with the delivery ledger.
 */
let t: TestRapport;
let slack: SlackStandIn;
let driver: SlackBroadcast['driver'];
let stop: SlackBroadcast['stop'] | undefined;
let alertId: string;

beforeAll(async () => {
  ({ t, slack, driver, stop } = await startSlackBroadcast());
});
afterAll(() => stop?.());

const publishedText = (call: SlackStandIn['calls'][number]) => JSON.stringify(call.args);

/** The Home published for `user` after call number `from`, the first that satisfies `ok`. */
const homeOf = (user: string, from: number, ok: (text: string) => boolean = () => true, timeoutMs = 30_000) =>
  eventually(
    async () =>
      slack
        .callsTo('views.publish')
        .slice(from)
        .filter((c) => c.args.user_id === user)
        .map(publishedText)
        .find(ok),
    timeoutMs,
    100,
  );

async function openHome(user: string): Promise<string> {
  const from = slack.callsTo('views.publish').length;
  await driver.event({ type: 'app_home_opened', user, tab: 'home', channel: 'D0' }, `EvHome${user}${Date.now()}`);
  return homeOf(user, from);
}

const addinSummary = async (email: string) => {
  const token = await t.issuer!.mint(email, { claims: { preferred_username: email } });
  const res = await t.rapport.app.request('/api/addin/summary', { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return (await res.json()) as LiveSummary;
};

async function ledger(id: string) {
  const { rows } = await t.db.query<{ sent: number; responded: number }>(
    `select count(*) filter (where status = 'sent')::int as sent, count(responded_at)::int as responded
     from deliveries where alert_id = $1`,
    [id],
  );
  return rows[0]!;
}

describe('the live summary in Slack and Outlook', () => {
  it('an alert waiting for approval: pending for the approver (for them) and for the requester (theirs)', async () => {
    alertId = await submit(t, { title: 'Live summary: rates rise' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    // The approver's DM with the buttons (the Homes refreshed later are those of the alert's Slack people).
    await eventually(
      async () =>
        slack
          .callsTo('chat.postMessage')
          .find((c) => c.args.channel === `D${APR.id.slice(1, 11)}` && publishedText(c).includes(alertId)),
      30_000,
      100,
    );

    const approverHome = await openHome(APR.id);
    expect(approverHome).toContain('*1* pending approval (1 for you)');
    expect(approverHome).toMatch(new RegExp(`/dashboard/alerts/${alertId}\\|Live summary: rates rise>`));
    expect(approverHome).toContain('waiting for you');
    expect(approverHome).toMatch(/"url":"https?:\/\/[^"]+\/dashboard"/);

    const requesterHome = await openHome(REQ.id);
    expect(requesterHome).toContain('*1* pending approval');
    expect(requesterHome).not.toContain('(1 for you)');
    expect(requesterHome).toContain('waiting for an approver');

    const forApprover = await addinSummary(APPROVER);
    expect(forApprover.pendingApproval).toMatchObject({ count: 1, forYou: 1 });
    expect(forApprover.pendingApproval.alerts[0]).toMatchObject({ id: alertId, mine: false, requester: REQUESTER });
    expect(forApprover.pendingApproval.alerts[0]!.dashboardUrl).toMatch(new RegExp(`/dashboard/alerts/${alertId}$`));
    // Someone in no approver group who requested nothing: nothing of it.
    const outsider = await addinSummary('mallory@bank.example');
    expect(outsider.pendingApproval.count).toBe(0);
  });

  it("once dispatched, the approver's Home refreshes by itself and every surface shows the ledger's counts", async () => {
    const before = slack.callsTo('views.publish').length;
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);
    const { sent, responded } = await ledger(alertId);
    expect(sent).toBeGreaterThan(0);
    const rate = `${Math.round((responded / sent) * 100)}%`;
    const done = `*1* done today · ${sent} sent · ${responded} ${responded === 1 ? 'response' : 'responses'} · ${rate} response rate`;

    // No app_home_opened: the status change republished the Home of the alert's approver.
    const refreshed = await homeOf(APR.id, before, (text) => text.includes(done)).catch((error: unknown) => {
      const seen = slack
        .callsTo('views.publish')
        .slice(before)
        .filter((c) => c.args.user_id === APR.id)
        .map((c) => /\*\d+\* pending[^"]*/.exec(publishedText(c))?.[0]);
      const calls = slack.calls.map((c) => `${c.method}:${String(c.args.user_id ?? c.args.channel ?? '')}`);
      throw new Error(
        `${(error as Error).message}: wanted ${done}; the approver's Homes since: ${JSON.stringify(seen)}; calls: ${calls.join(' ')}`,
      );
    });
    expect(refreshed).toContain('*0* pending approval');

    expect(await openHome(REQ.id)).toContain(done);
    const forRequester = await addinSummary(REQUESTER);
    expect(forRequester.pendingApproval.count).toBe(0);
    expect(forRequester.doneToday).toEqual({ count: 1, sent, responded, responseRate: responded / sent });
  });

  it('the add-in route needs a signed-in person', async () => {
    expect((await t.rapport.app.request('/api/addin/summary')).status).toBe(401);
  });
});
