import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import {
  APPROVER,
  BROADCAST_ENV,
  OFFICER,
  REQUESTER,
  alertRequest,
  approve,
  getAlert,
  mailFor,
  submit,
  waitForStatus,
} from './support.js';

/**
 * Edges of an alert's life: text the store cannot hold, group names that are Object's methods,
 * send windows, cancels at every stage and by whom, an audience nobody is left in.
 */
let t: TestRapport;

beforeAll(async () => {
  // A response window long enough that an alert which waits for it is seen waiting.
  t = await startTestRapport({ env: { ...BROADCAST_ENV, RESPONSE_WINDOW_HOURS: '24' } });
});
afterAll(async () => {
  await t?.stop();
});

type ErrorBody = { error?: { field?: string; message: string } };
const json = async (res: Response) => (await res.json()) as ErrorBody & Record<string, unknown>;
const decide = (id: string, body: Record<string, unknown>) =>
  t.api(`/api/alerts/${id}/decision`, { method: 'POST', json: body });
const cancel = (id: string, by: string) => t.api(`/api/alerts/${id}/cancel`, { method: 'POST', json: { by } });
const auditOf = async (id: string) =>
  (
    (await (await t.api(`/api/alerts/${id}/audit`)).json()) as {
      audit: { actor: string; action: string; outcome: string }[];
    }
  ).audit;

describe('text the store cannot hold', () => {
  it('a NUL in a body, reason, comment or filter is a 400 naming the field, and the alert stays decidable', async () => {
    const body = await t.api('/api/alerts', { method: 'POST', json: alertRequest({ body: 'hello\u0000world' }) });
    expect(body.status).toBe(400);
    expect((await json(body)).error?.field).toBe('body');
    for (const filter of ['topic', 'requester']) {
      const res = await t.api(`/api/alerts?${filter}=%00`);
      expect(res.status).toBe(400);
      expect((await json(res)).error?.message).toContain(filter);
    }

    const id = await submit(t);
    await waitForStatus(t, id, 'awaiting_approval');
    const reason = await decide(id, { approver: APPROVER, decision: 'reject', reason: 'a\u0000b' });
    expect(reason.status).toBe(400);
    expect((await json(reason)).error?.field).toBe('reason');
    // Nothing was taken: the next approver still decides.
    await decide(id, { approver: OFFICER, decision: 'request_changes', reason: 'shorter please' });
    await waitForStatus(t, id, 'changes_requested');
    const revision = await t.api(`/api/alerts/${id}/revision`, {
      method: 'PUT',
      json: { requester: REQUESTER, title: 'Shorter', body: 'Rates up.', comment: 'done\u0000' },
    });
    expect(revision.status).toBe(400);
    expect((await json(revision)).error?.field).toBe('comment');
    expect((await getAlert(t, id)).status).toBe('changes_requested');
  });

  it('a reply whose text holds a NUL is accepted, matched and stored without it', async () => {
    const id = await submit(t, { lists: ['1'] });
    await approve(t, await waitForStatus(t, id, 'awaiting_approval').then((a) => a.id));
    await waitForStatus(t, id, ['following_up', 'completed'], 120_000);
    const delivery = await createDeliveryStore(t.db).get(id, DEMO.joe.id);
    const raw = [
      `From: ${DEMO.joe.email}`,
      `To: reply+${signToken(TEST_SECRET, 'reply', delivery!.token)}@reply.rapport.example`,
      'Subject: Re: rates',
      'Message-ID: <nul-reply@acme-logistics.example>',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('call me\u0000 today').toString('base64'),
      '',
    ].join('\r\n');
    const res = await t.api('/api/inbound/email', {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ matched: true, kind: 'reply' });
    const responses = (await (await t.api(`/api/alerts/${id}/responses`)).json()) as {
      responses: { body?: string | null }[];
    };
    expect(JSON.stringify(responses)).toContain('call me today');
  });
});

describe('approver groups', () => {
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'a group named %s is an unknown group (400), not a 500',
    async (group) => {
      const res = await t.api('/api/alerts', { method: 'POST', json: alertRequest({ approverGroup: group }) });
      expect(res.status).toBe(400);
      expect((await json(res)).error?.field).toBe('approverGroup');
    },
  );
});

describe('send windows', () => {
  it('refuses a window that has already closed, or opens more than a year ahead', async () => {
    const closed = await t.api('/api/alerts', {
      method: 'POST',
      json: alertRequest({ sendWindow: { notAfter: '2001-01-01T00:00:00Z' } }),
    });
    expect(closed.status).toBe(400);
    expect((await json(closed)).error?.field).toBe('sendWindow.notAfter');
    const far = await t.api('/api/alerts', {
      method: 'POST',
      json: alertRequest({ sendWindow: { notBefore: '9999-12-31T00:00:00Z' } }),
    });
    expect(far.status).toBe(400);
    expect((await json(far)).error?.field).toBe('sendWindow.notBefore');
  });

  it('an approval that comes after the window closed is refused, and the alert expires with the window', async () => {
    const notAfter = new Date(Date.now() + 8_000).toISOString();
    const id = await submit(t, { sendWindow: { notAfter } });
    await waitForStatus(t, id, 'awaiting_approval');
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(notAfter) - Date.now()) + 500));
    const late = await decide(id, { approver: APPROVER, decision: 'approve' });
    expect([409, 410]).toContain(late.status);
    await waitForStatus(t, id, 'expired', 30_000);
    expect((await getAlert(t, id)).counts.sent ?? 0).toBe(0);
    const notice = await eventually(async () => mailFor(t, REQUESTER, id).find((m) => /expired/i.test(m.subject)));
    expect(notice).toBeDefined();
  });
});

describe('cancel', () => {
  it('only the requester or an approver may cancel; a stranger gets 403 and an audit entry', async () => {
    const id = await submit(t);
    await waitForStatus(t, id, 'awaiting_approval');
    const stranger = await cancel(id, 'mallory@evil.example');
    expect(stranger.status).toBe(403);
    expect((await json(stranger)).error?.field).toBe('by');
    expect(await auditOf(id)).toContainEqual(
      expect.objectContaining({ actor: 'mallory@evil.example', action: 'cancel', outcome: 'refused' }),
    );
    expect((await getAlert(t, id)).status).toBe('awaiting_approval');
    expect((await cancel(id, OFFICER)).status).toBe(202);
    await waitForStatus(t, id, 'cancelled');
  });

  it('while the send window has not opened yet ends "cancelled" with nothing sent and no summary', async () => {
    const id = await submit(t, { sendWindow: { notBefore: new Date(Date.now() + 3_600_000).toISOString() } });
    await waitForStatus(t, id, 'awaiting_approval');
    await approve(t, id);
    await waitForStatus(t, id, 'dispatching');
    expect((await cancel(id, REQUESTER)).status).toBe(202);
    const done = await waitForStatus(t, id, ['cancelled', 'completed', 'following_up'], 30_000);
    expect(done.status).toBe('cancelled');
    expect(done.counts.sent ?? 0).toBe(0);
    expect(mailFor(t, REQUESTER, id).filter((m) => /summary/i.test(m.subject))).toHaveLength(0);
  });

  it('once everything went out there is nothing to cancel: 409, and the response window stays open', async () => {
    const id = await submit(t, { lists: ['1'] });
    await waitForStatus(t, id, 'awaiting_approval');
    await approve(t, id);
    await waitForStatus(t, id, 'following_up', 120_000);
    expect((await cancel(id, REQUESTER)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await getAlert(t, id)).status).toBe('following_up');
  });
});

describe('staff addresses the mail server refuses', () => {
  it('one approver refused for good does not stop the others getting the request, nor the alert', async () => {
    t.smtp.faults.rejectRecipients(APPROVER, 'permanent');
    try {
      const id = await submit(t);
      await waitForStatus(t, id, 'awaiting_approval');
      const officerMail = await eventually(async () => mailFor(t, OFFICER, id)[0]);
      expect(officerMail.subject).toContain('Approval needed');
      await approve(t, id, OFFICER);
      await waitForStatus(t, id, ['dispatching', 'following_up'], 60_000);
    } finally {
      t.smtp.faults.reset();
    }
  });
});

describe('the frequency cap across alerts waiting for approval side by side', () => {
  it('counts at send time what the other alert sent meanwhile: nobody gets both, and the second ends at once', async () => {
    await t.stop();
    t = await startTestRapport({
      env: { ...BROADCAST_ENV, RESPONSE_WINDOW_HOURS: '24', ALERT_FREQUENCY_CAP: '1/168' },
    });
    // Both resolved before either is approved: neither sees the other yet.
    const first = await submit(t, { lists: ['1'] });
    const second = await submit(t, { lists: ['1'], title: 'Second alert of the day' });
    const [a, b] = await Promise.all([
      waitForStatus(t, first, 'awaiting_approval'),
      waitForStatus(t, second, 'awaiting_approval'),
    ]);
    expect(b.audience?.deliveries).toBe(a.audience?.deliveries);
    expect(b.audience?.suppressedByReason.FREQUENCY_CAP ?? 0).toBe(0);

    await approve(t, first);
    await waitForStatus(t, first, 'following_up', 120_000);
    await approve(t, second);
    const done = await waitForStatus(t, second, 'completed', 60_000);

    expect(done.counts.sent ?? 0).toBe(0);
    expect(done.audience?.deliveries).toBe(0);
    expect(done.audience?.suppressedByReason.FREQUENCY_CAP).toBe(a.audience?.deliveries);
    expect(mailFor(t, DEMO.joe.email, first)).toHaveLength(1);
    expect(mailFor(t, DEMO.joe.email, second)).toHaveLength(0);
    const suppressed = (await (await t.api(`/api/alerts/${second}/suppressed`)).json()) as {
      suppressed: { contactId: string; reason: string; detail: string | null }[];
    };
    expect(suppressed.suppressed).toContainEqual(
      expect.objectContaining({
        contactId: DEMO.joe.id,
        reason: 'FREQUENCY_CAP',
        detail: expect.stringMatching(/at send time/),
      }),
    );
  });
});

describe('an audience nobody is left in', () => {
  it('completes at once with a summary instead of waiting out the response window', async () => {
    // List 1's customers all got the first alert above: a cap of 1 suppresses all of them at resolution.
    const third = await submit(t, { lists: ['1'] });
    const resolved = await waitForStatus(t, third, 'awaiting_approval');
    expect(resolved.audience?.deliveries).toBe(0);
    await approve(t, third);
    const done = await waitForStatus(t, third, 'completed', 30_000);
    expect(done.counts.sent ?? 0).toBe(0);
    await eventually(async () => mailFor(t, REQUESTER, third).find((m) => /summary/i.test(m.subject)));
  });
});
