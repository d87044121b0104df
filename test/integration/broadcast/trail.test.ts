import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { startSlackStandIn, type SlackStandIn } from '../../../sandbox/slack/index.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO, DEMO_LISTS } from '../../../testkit/demo-data.js';
import {
  eventually,
  startTestRapport,
  TEST_API_TOKEN,
  TEST_SECRET,
  type TestRapport,
} from '../../../testkit/rapport.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../slack/driver.js';
import {
  APPROVER,
  BROADCAST_ENV,
  REQUESTER,
  form,
  htmlOf,
  linkPath,
  mailFor,
  submit,
  waitForStatus,
} from './support.js';

/**
 * One alert's trail, end to end: a revision, a refused decision (four eyes), a fallback delivery
 * (Aisha prefers Slack, whose workspace does not know her: email carries it), an unconfirmed row,
 * a reply and an unsubscribe; then the resend to the unconfirmed row from the trail.
 */
const LIST = DEMO_LISTS.newsletter.id;

let t: TestRapport;
let slack: SlackStandIn;

interface Entry {
  at: string;
  step: string;
  actor: string;
  version: number | null;
  contactId: string | null;
  channel: string | null;
  outcome: string | null;
  attempts: number | null;
  fallback: string | null;
  crmId: string | null;
  detail: string | null;
}
interface TrailBody {
  entries: Entry[];
  next: { cursor: string; url: string } | null;
  unconfirmed: number;
  pageUrl: string | null;
}

beforeAll(async () => {
  // Maria is a user of the workspace; Aisha's Slack id is not (user_not_found: email carries hers).
  slack = await startSlackStandIn({
    botToken: BOT_TOKEN,
    users: [{ id: DEMO.maria.slackUserId!, name: 'maria', email: DEMO.maria.email }],
  });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      // Long enough to answer in before the window closes, short enough to see the summary.
      RESPONSE_WINDOW_HOURS: '0.006',
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_DM_RATE_PER_SECOND: '50',
      API_SERVICE_TOKENS: `reporter(alerts:request,alerts:read)=reporter-token-0123456789abcdefghij`,
    },
  });
  const list = t.sandbox.state().lists.find((l) => l.listId === LIST)!;
  list.members = [DEMO.joe.id, DEMO.aisha.id, DEMO.sam.id, DEMO.noah.id].map((recordId) => ({
    recordId,
    membershipTimestamp: new Date().toISOString(),
  }));
}, 120_000);
afterAll(async () => {
  await t?.stop();
  await slack?.close();
});

/** Every page of the trail, following `next`. */
async function wholeTrail(alertId: string, limit: number, authorization?: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let url: string | null = `/api/alerts/${alertId}/trail?limit=${limit}`;
  while (url) {
    const res = await t.api(url, authorization ? { headers: { authorization } } : {});
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as TrailBody;
    entries.push(...body.entries);
    url = body.next?.url ?? null;
  }
  return entries;
}

/** Minimal CSV reader (quoted fields with doubled quotes, CRLF rows) for the test's own check. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  return rows;
}

describe('the trail of one alert', () => {
  let alertId: string;
  let trail: Entry[];

  beforeAll(async () => {
    alertId = await submit(t, { lists: [LIST], channels: ['email', 'slack'], replyTo: 'analyst' });
    // The approver decides from the approval email, so after it went out.
    const askedApprover = (version: number) =>
      eventually(async () =>
        (await wholeTrail(alertId, 100)).some(
          (e) => e.step === 'approval_requested' && e.version === version && e.detail?.startsWith(`to ${APPROVER};`),
        )
          ? true
          : undefined,
      );
    await waitForStatus(t, alertId, 'awaiting_approval');
    await askedApprover(1);
    // Changes requested, then version 2.
    const changes = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: APPROVER, decision: 'request_changes', reason: 'Say which products' },
    });
    expect(changes.status).toBe(200);
    await waitForStatus(t, alertId, 'changes_requested');
    // The workflow takes revisions once it has told the requester (a 409 until then).
    await eventually(async () => {
      const revised = await t.api(`/api/alerts/${alertId}/revision`, {
        method: 'PUT',
        json: {
          requester: REQUESTER,
          title: 'Fixed deposits up 0.25%',
          body: 'Fixed deposits only.',
          comment: 'Named them',
        },
      });
      return revised.status === 200 ? true : undefined;
    });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await askedApprover(2);
    // Four eyes: the requester cannot approve (refused, audited), the approver can.
    const own = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: REQUESTER, decision: 'approve' },
    });
    expect(own.status).toBe(403);
    const ok = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: APPROVER, decision: 'approve' },
    });
    expect(ok.status).toBe(200);
    await waitForStatus(t, alertId, 'following_up', 120_000);

    const deliveries = createDeliveryStore(t.db);
    // A worker that died mid-send leaves its row unconfirmed (test/integration/broadcast/crash-safety.test.ts
    // makes one for real); here Sam's row is set so, as that worker would have left it.
    await t.db.query(
      `update deliveries set status = 'unconfirmed', last_error = 'worker stopped during the send; not resent'
       where alert_id = $1 and contact_id = $2`,
      [alertId, DEMO.sam.id],
    );
    // Joe replies; Aisha unsubscribes.
    const joe = await deliveries.get(alertId, DEMO.joe.id);
    const raw = [
      `From: Joe Smith <${DEMO.joe.email}>`,
      `To: reply+${signToken(TEST_SECRET, 'reply', joe!.token)}@reply.rapport.example`,
      'Subject: Re: Fixed deposits',
      'Message-ID: <trail-reply-1@acme-logistics.example>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Which terms? <script>alert(1)</script>',
      '',
    ].join('\r\n');
    const reply = await t.api('/api/inbound/email', {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(reply.status).toBe(202);
    const aisha = await deliveries.get(alertId, DEMO.aisha.id);
    const unsubscribe = await t.rapport.app.request(
      `/u/${signToken(TEST_SECRET, 'unsubscribe', aisha!.token)}`,
      form({ 'List-Unsubscribe': 'One-Click' }),
    );
    expect(unsubscribe.status).toBe(200);
    await waitForStatus(t, alertId, 'completed', 120_000);
    // The reply is routed by its own workflow: wait for it to land on the trail.
    trail = await eventually(async () => {
      const all = await wholeTrail(alertId, 3);
      return all.some((e) => e.step === 'response_routed') ? all : undefined;
    });
  }, 240_000);

  it('lists each step in order, with its actor and time', () => {
    const at = trail.map((e) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    for (const e of trail) expect(e.actor, e.step).toBeTruthy();

    const first = (predicate: (e: Entry) => boolean, what: string) => {
      const i = trail.findIndex(predicate);
      expect(i, what).toBeGreaterThanOrEqual(0);
      return i;
    };
    const requested = first((e) => e.step === 'requested' && e.actor === REQUESTER, 'request');
    const asked1 = first((e) => e.step === 'approval_requested' && e.version === 1, 'approval request v1');
    const changes = first(
      (e) => e.step === 'decision' && e.outcome === 'request_changes' && e.actor === APPROVER,
      'changes requested',
    );
    const revised = first(
      (e) =>
        e.step === 'revised' &&
        e.version === 2 &&
        e.actor === REQUESTER &&
        e.detail === 'Named them | title: Fixed deposits up 0.25% | via api',
      'revision',
    );
    const asked2 = first((e) => e.step === 'approval_requested' && e.version === 2, 'approval request v2');
    const refused = first((e) => e.step === 'refusal' && e.actor === REQUESTER, 'four-eyes refusal');
    const approved = first((e) => e.step === 'decision' && e.outcome === 'approve' && e.actor === APPROVER, 'approval');
    const fallback = first(
      (e) => e.step === 'delivery' && e.contactId === DEMO.aisha.id && e.channel === 'slack' && e.fallback === 'email',
      'fallback delivery',
    );
    const replied = first(
      (e) => e.step === 'response' && e.outcome === 'reply' && e.contactId === DEMO.joe.id && e.actor === 'customer',
      'reply',
    );
    const routed = first(
      (e) => e.step === 'response_routed' && e.contactId === DEMO.joe.id && e.detail === `to ${REQUESTER}`,
      'reply routed',
    );
    first((e) => e.step === 'response' && e.outcome === 'unsubscribe' && e.contactId === DEMO.aisha.id, 'unsubscribe');
    const task = first((e) => e.step === 'task_created' && e.outcome === 'non-responders' && !!e.crmId, 'owner task');
    const summary = first((e) => e.step === 'summary_sent', 'summary');
    const unconfirmed = trail.find((e) => e.step === 'delivery' && e.contactId === DEMO.sam.id)!;
    expect(unconfirmed).toMatchObject({ outcome: 'unconfirmed', channel: 'email', actor: 'rapport' });

    expect(requested).toBeLessThan(asked1);
    expect(asked1).toBeLessThan(changes);
    expect(changes).toBeLessThan(revised);
    expect(revised).toBeLessThan(asked2);
    expect(asked2).toBeLessThan(refused);
    expect(refused).toBeLessThan(approved);
    expect(approved).toBeLessThan(fallback);
    expect(fallback).toBeLessThan(replied);
    expect(replied).toBeLessThan(routed);
    expect(routed).toBeLessThan(summary);
    expect(task).toBeLessThan(summary);
    // The fallback delivery names the CRM engagement it was logged as.
    expect(trail[fallback]!.crmId).toBeTruthy();
    expect(trail[fallback]!.outcome).toBe('sent');
  });

  it('pages without skipping or repeating a step, whatever the page size', async () => {
    const big = await wholeTrail(alertId, 1000);
    expect(trail).toEqual(big);
    const bad = await t.api(`/api/alerts/${alertId}/trail?cursor=bm90LWEtY3Vyc29y`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('cursor');
  });

  it('exports the same steps as CSV, streamed', async () => {
    const res = await t.api(`/api/alerts/${alertId}/trail.csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([
      'at',
      'step',
      'actor',
      'version',
      'contactId',
      'channel',
      'outcome',
      'attempts',
      'fallback',
      'crmId',
      'detail',
    ]);
    const body = rows.slice(1);
    expect(body.map((r) => [r[0], r[1], r[2], r[4]])).toEqual(
      trail.map((e) => [e.at, e.step, e.actor, e.contactId ?? '']),
    );
  });

  it('a service token reads the trail but cannot resend: 403', async () => {
    const read = await t.api(`/api/alerts/${alertId}/trail`, {
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as TrailBody).pageUrl).toBeNull();
    const res = await t.api(`/api/alerts/${alertId}/trail/resend`, {
      method: 'POST',
      json: { confirm: true },
      headers: { authorization: `Bearer ${TEST_API_TOKEN}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PERSON_REQUIRED');
    expect((await createDeliveryStore(t.db).get(alertId, DEMO.sam.id))!.status).toBe('unconfirmed');
  });

  it('the trail page offers the resend to the requester behind a confirm step, and refuses others', async () => {
    const pagePath = async (person: string) => {
      const res = await t.api(`/api/alerts/${alertId}/trail`, { headers: { authorization: await t.as(person) } });
      return new URL(((await res.json()) as TrailBody).pageUrl!).pathname;
    };
    const mine = await pagePath(REQUESTER);
    const page = await (await t.rapport.app.request(mine)).text();
    expect(page).toContain('1 delivery(ies) are unconfirmed');
    expect(page).toContain(`action="${mine}/resend"`);
    // The customer's reply is shown as text, never as markup.
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');

    const confirm = await t.rapport.app.request(`${mine}/resend`, form({}));
    expect(confirm.status).toBe(200);
    const step = await confirm.text();
    expect(step).toMatch(/may or may not have the message/);
    expect(step).toContain('some may get it twice');
    expect(step).toContain('name="confirm" value="yes"');
    expect(step).toMatch(/name="key" value="[0-9A-Z]{26}"/);
    // Asking is not resending.
    expect((await createDeliveryStore(t.db).get(alertId, DEMO.sam.id))!.status).toBe('unconfirmed');

    // Someone who is neither the requester nor an approver reads the trail but cannot resend.
    const stranger = await pagePath('risk@bank.example');
    expect((await t.rapport.app.request(stranger)).status).toBe(200);
    expect(await (await t.rapport.app.request(stranger)).text()).not.toContain('/resend"');
    const refused = await t.rapport.app.request(`${stranger}/resend`, form({ confirm: 'yes', key: 'stranger-0001' }));
    expect(refused.status).toBe(403);
    expect((await createDeliveryStore(t.db).get(alertId, DEMO.sam.id))!.status).toBe('unconfirmed');
  });

  it('resends to the unconfirmed row only, once per click, after the confirm step, audited', async () => {
    const requester = await t.as(REQUESTER);
    const before = {
      sam: mailFor(t, DEMO.sam.email, alertId).length,
      joe: mailFor(t, DEMO.joe.email, alertId).length,
      noah: mailFor(t, DEMO.noah.email, alertId).length,
    };
    const resend = (json: unknown) =>
      t.api(`/api/alerts/${alertId}/trail/resend`, { method: 'POST', json, headers: { authorization: requester } });
    // Without confirm: told plainly that some may already have it; nothing happens.
    const unconfirmed = await resend({ key: 'click-0001' });
    expect(unconfirmed.status).toBe(400);
    const warning = ((await unconfirmed.json()) as { error: { field: string; message: string } }).error;
    expect(warning.field).toBe('confirm');
    expect(warning.message).toMatch(/may .*already|twice/);
    expect((await createDeliveryStore(t.db).get(alertId, DEMO.sam.id))!.status).toBe('unconfirmed');

    const first = await resend({ confirm: true, key: 'click-0001' });
    expect(first.status, await first.clone().text()).toBe(202);
    expect(await first.json()).toMatchObject({ rows: 1 });
    // The same click again (a retry): no second send.
    const again = await resend({ confirm: true, key: 'click-0001' });
    expect(again.status).toBe(202);

    await eventually(async () => {
      const row = await createDeliveryStore(t.db).get(alertId, DEMO.sam.id);
      return row?.status === 'sent' ? row : undefined;
    });
    const after = await eventually(async () => {
      const all = await wholeTrail(alertId, 500);
      return all.some((e) => e.step === 'resend_done') ? all : undefined;
    });
    expect(mailFor(t, DEMO.sam.email, alertId)).toHaveLength(before.sam + 1);
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(before.joe);
    expect(mailFor(t, DEMO.noah.email, alertId)).toHaveLength(before.noah);

    const requested = after.filter((e) => e.step === 'resend_requested');
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({ actor: REQUESTER, outcome: 'confirmed' });
    expect(after.find((e) => e.step === 'resend_done')).toMatchObject({ outcome: 'sent 1' });
    const sam = after.find((e) => e.step === 'delivery' && e.contactId === DEMO.sam.id)!;
    expect(sam).toMatchObject({ outcome: 'sent' });
    expect(sam.detail).toContain('resent');
    // Nothing is unconfirmed now: another click has nothing to send.
    expect((await resend({ confirm: true, key: 'click-0002' })).status).toBe(409);
  }, 120_000);

  it('the trail page opens from the signed link, escapes, and refuses a forged one', async () => {
    const res = await t.api(`/api/alerts/${alertId}/trail`, { headers: { authorization: await t.as(APPROVER) } });
    const pageUrl = ((await res.json()) as TrailBody).pageUrl!;
    expect(pageUrl).toContain('/trail/');
    const path = new URL(pageUrl).pathname;
    const page = await t.rapport.app.request(path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('Fixed deposits up 0.25%');
    expect(html).toContain('resend_requested');
    expect((await t.rapport.app.request(`${path.slice(0, -3)}AAA`)).status).toBe(403);
    const csv = await t.rapport.app.request(`${path}/trail.csv`);
    expect(csv.status).toBe(200);
    expect((await csv.text()).split('\r\n')[0]).toBe(
      'at,step,actor,version,contactId,channel,outcome,attempts,fallback,crmId,detail',
    );
  });

  it("the summary email links the requester's trail page", async () => {
    const summary = mailFor(t, REQUESTER, alertId).find((m) => m.subject.startsWith('Summary:'))!;
    const path = linkPath(await htmlOf(t, summary.id), /\/trail\//);
    const page = await t.rapport.app.request(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Shown to ${REQUESTER}`);
  });
});
