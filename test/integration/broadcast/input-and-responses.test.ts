import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import {
  APPROVER,
  BROADCAST_ENV,
  REQUESTER,
  alertRequest,
  getAlert,
  htmlOf,
  mailFor,
  submit,
  waitForStatus,
} from './support.js';

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({ env: BROADCAST_ENV });
});
afterAll(async () => {
  await t?.stop();
});

async function post(json: unknown) {
  const res = await t.api('/api/alerts', { method: 'POST', json });
  return {
    status: res.status,
    body: (await res.json()) as { error?: { field?: string; message: string }; id?: string },
  };
}

async function approve(alertId: string) {
  await waitForStatus(t, alertId, 'awaiting_approval');
  const res = await t.api(`/api/alerts/${alertId}/decision`, {
    method: 'POST',
    json: { approver: APPROVER, decision: 'approve' },
  });
  expect(res.status).toBe(200);
}

describe('bad input', () => {
  it.each([
    ['title', { title: '' }],
    ['title', { title: 'x'.repeat(201) }],
    ['body', { body: '   ' }],
    ['requester', { requester: 'not-an-email' }],
    ['lists', { lists: [] }],
    ['lists.0', { lists: ['abc'] }],
    ['channels.0', { channels: ['fax'] }],
    ['replyTo', { replyTo: 'everyone' }],
    ['sendWindow.notAfter', { sendWindow: { notBefore: '2030-01-02T00:00:00Z', notAfter: '2030-01-01T00:00:00Z' } }],
    ['approverGroup', { approverGroup: 'nobody' }],
    ['lists', { lists: ['999'] }],
    ['extra', { extra: true }],
  ])('names %s in the 400', async (field, overrides) => {
    const { status, body } = await post(alertRequest(overrides));
    expect(status).toBe(400);
    expect(body.error?.field ?? body.error?.message).toContain(field === 'extra' ? '' : field);
  });

  it('refuses oversized bodies with a 400, not a 500', async () => {
    const res = await t.api('/api/alerts', { method: 'POST', json: alertRequest({ body: 'x'.repeat(70_000) }) });
    expect(res.status).toBe(400);
    const big = await post(alertRequest({ body: 'x'.repeat(20_001) }));
    expect(big.status).toBe(400);
    expect(big.body.error?.field).toBe('body');
  });

  it('unknown or malformed alert ids are 400/404', async () => {
    expect((await t.api('/api/alerts/nope')).status).toBe(400);
    expect((await t.api(`/api/alerts/alr_${'0'.repeat(26)}`)).status).toBe(404);
  });

  it('keeps HTML inert and CR/LF out of headers', async () => {
    const alertId = await submit(t, {
      title: 'Rates <script>alert(1)</script>\r\nBcc: evil@attacker.example',
      body: '<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))',
    });
    const alert = await getAlert(t, alertId);
    expect(alert).toMatchObject({ title: 'Rates <script>alert(1)</script> Bcc: evil@attacker.example' });
    await approve(alertId);
    const mail = await eventually(async () => mailFor(t, DEMO.joe.email, alertId)[0]);
    expect(mail.subject).toBe('Rates <script>alert(1)</script> Bcc: evil@attacker.example');
    const html = await htmlOf(t, mail.id);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toMatch(/href="javascript:/i);
    expect(html).toContain('&lt;script&gt;');
    expect(t.smtp.byRecipient('evil@attacker.example')).toHaveLength(0);
    const approvalHtml = await htmlOf(t, mailFor(t, APPROVER, alertId)[0]!.id);
    expect(approvalHtml).not.toContain('<script>');
  });
});

describe('customer responses', () => {
  let alertId: string;
  beforeAll(async () => {
    alertId = await submit(t, { lists: ['1'], replyTo: 'owner' });
    await approve(alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed']);
  });

  it('one-click unsubscribe (RFC 8058) is recorded on POST and flags the contact in the CRM', async () => {
    const delivery = await createDeliveryStore(t.db).get(alertId, DEMO.aisha.id);
    const path = `/u/${signToken(TEST_SECRET, 'unsubscribe', delivery!.token)}`;
    expect((await t.rapport.app.request(path)).status).toBe(200);
    const res = await t.rapport.app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    await eventually(async () => {
      const contact = await t.rapport.crm.getContact(DEMO.aisha.id);
      return contact?.properties.rapport_unsubscribed_all === 'true' ? contact : undefined;
    });
    // A token signed for another purpose is not an unsubscribe token.
    const wrong = `/u/${signToken(TEST_SECRET, 'response', delivery!.token)}`;
    expect((await t.rapport.app.request(wrong, { method: 'POST' })).status).toBe(404);
  });

  it('an email reply (raw MIME to the inbound webhook) is matched by token and routed to the account owner', async () => {
    const delivery = await createDeliveryStore(t.db).get(alertId, DEMO.joe.id);
    const replyTo = `reply+${signToken(TEST_SECRET, 'reply', delivery!.token)}@reply.rapport.example`;
    const raw = [
      `From: Joe Smith <${DEMO.joe.email}>`,
      `To: ${replyTo}`,
      'Subject: Re: Rates move',
      'Message-ID: <reply-1@acme-logistics.example>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Please call me about the 24-month rate.',
      '',
    ].join('\r\n');
    const send = () =>
      t.api('/api/inbound/email', { method: 'POST', headers: { 'content-type': 'message/rfc822' }, body: raw });
    const res = await send();
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ matched: true, kind: 'reply', alertId, duplicate: false });
    expect(await (await send()).json()).toMatchObject({ matched: true, duplicate: true });

    // Joe's owner is Alice: replyTo 'owner' routes it to her, not the analyst.
    const routed = await eventually(async () =>
      t.smtp.byRecipient('alice.moreau@rapport-demo.example').find((m) => m.alertId === alertId),
    );
    expect((await t.smtp.parsed(routed.id))?.text).toContain('24-month rate');
    expect(mailFor(t, REQUESTER, alertId).filter((m) => m.subject.includes('answered'))).toHaveLength(0);
    const unmatched = await t.api('/api/inbound/email', {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw.replace(replyTo, 'reply+forged.AAAA@reply.rapport.example'),
    });
    expect(await unmatched.json()).toEqual({ matched: false });
  });
});

describe('dispatch', () => {
  it('a hard bounce is recorded, flagged in the CRM and becomes a task for the owner', async () => {
    t.smtp.faults.rejectRecipients(DEMO.joe.email, 'permanent');
    try {
      const alertId = await submit(t, { lists: ['1'] });
      await approve(alertId);
      const alert = await waitForStatus(t, alertId, ['following_up', 'completed']);
      expect(alert.counts.bounced).toBe(1);
      const row = await createDeliveryStore(t.db).get(alertId, DEMO.joe.id);
      expect(row?.status).toBe('bounced');
      await eventually(async () => {
        const contact = await t.rapport.crm.getContact(DEMO.joe.id);
        return contact?.properties.rapport_email_invalid === 'true' ? contact : undefined;
      });
      const tasks = t.sandbox.records('tasks');
      expect(tasks.some((task) => task.properties.rapport_idempotency_key === `${alertId}:bounce:${DEMO.joe.id}`)).toBe(
        true,
      );
    } finally {
      t.smtp.faults.reset();
    }
  });

  it('cancel stops further sends and keeps what went out', async () => {
    t.smtp.faults.setLatency(100);
    try {
      const alertId = await submit(t, { lists: ['2'] });
      await approve(alertId);
      await eventually(async () => (((await getAlert(t, alertId)).counts.sent ?? 0) > 0 ? true : undefined));
      const res = await t.api(`/api/alerts/${alertId}/cancel`, { method: 'POST', json: { by: REQUESTER } });
      expect(res.status).toBe(202);
      const alert = await waitForStatus(t, alertId, 'cancelled');
      expect(alert.counts.cancelled).toBeGreaterThan(0);
      expect(alert.counts.sent).toBeGreaterThan(0);
      const emails = t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId);
      // Sends in flight when the cancel landed may finish; nothing is sent after.
      await new Promise((r) => setTimeout(r, 1000));
      expect(t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId).length).toBe(emails.length);
      expect(alert.counts.sent).toBeLessThanOrEqual(emails.length);
    } finally {
      t.smtp.faults.reset();
    }
  });

  it('lists alerts newest first, with filters', async () => {
    const res = await t.api(`/api/alerts?requester=${REQUESTER}&limit=2`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { alerts: { id: string }[]; next: string | null };
    expect(body.alerts).toHaveLength(2);
    expect(body.alerts[0]!.id > body.alerts[1]!.id).toBe(true);
    expect(body.next).toContain('before=');
    const cancelled = (await (await t.api('/api/alerts?status=cancelled')).json()) as { alerts: unknown[] };
    expect(cancelled.alerts).toHaveLength(1);
    expect((await t.api('/api/alerts?status=bogus')).status).toBe(400);
  });
});
