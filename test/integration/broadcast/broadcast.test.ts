import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import {
  APPROVER,
  BROADCAST_ENV,
  REQUESTER,
  form,
  getAlert,
  htmlOf,
  linkPath,
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

describe('a broadcast from request to summary', () => {
  let alertId: string;

  it('shows the deduplicated audience before approval and asks the approvers by email', async () => {
    // Lists 1,2,3,4,6: Aisha is on four of them, Sam is on 2+3 and his second record (other case) on 2+4.
    alertId = await submit(t, { lists: ['1', '2', '3', '4', '6'] });
    const alert = await waitForStatus(t, alertId, 'awaiting_approval');
    expect(alert.audience).not.toBeNull();
    const audience = alert.audience!;
    expect(audience.totalMemberships).toBe(audience.uniqueContacts + audience.duplicates);
    expect(audience.suppressedByReason.DUPLICATE_EMAIL).toBeGreaterThan(0);
    expect(audience.suppressedByReason.OPTED_OUT).toBeGreaterThan(0);
    expect(audience.suppressedByReason.INVALID_EMAIL).toBeGreaterThan(0);
    expect(alert.counts.pending).toBe(audience.deliveries);
    expect(alert.counts.sent).toBe(0);

    const approvalMail = await eventually(async () => mailFor(t, APPROVER, alertId)[0]);
    expect(approvalMail.subject).toContain('Approval needed');
    const html = await htmlOf(t, approvalMail.id);
    expect(html).toContain(REQUESTER);
    expect(html).toContain(String(audience.deliveries));
    expect(linkPath(html, /\/approvals\//)).toMatch(/^\/approvals\/[\w-]+\.[\w-]+$/);
    // The requester is in the group but never gets a link to approve their own alert.
    expect(mailFor(t, REQUESTER, alertId)).toHaveLength(0);
  });

  it('refuses the requester (four eyes) and strangers, and needs a reason to reject', async () => {
    const decide = (json: Record<string, unknown>) =>
      t.api(`/api/alerts/${alertId}/decision`, { method: 'POST', json });
    const self = await decide({ approver: REQUESTER, decision: 'approve' });
    expect(self.status).toBe(403);
    expect(((await self.json()) as { error: { message: string } }).error.message).toMatch(/four eyes/);
    expect((await decide({ approver: 'mallory@bank.example', decision: 'approve' })).status).toBe(403);
    const noReason = await decide({ approver: APPROVER, decision: 'reject' });
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { error: { field: string } }).error.field).toBe('reason');

    const audit = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
      audit: { actor: string; outcome: string }[];
    };
    expect(audit.audit.filter((a) => a.outcome === 'refused').map((a) => a.actor)).toEqual([
      REQUESTER,
      'mallory@bank.example',
      APPROVER,
    ]);
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
  });

  it('sends exactly one email to each unique recipient once approved through the Update', async () => {
    const before = await getAlert(t, alertId);
    const res = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: APPROVER, decision: 'approve', version: 1 },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ decision: 'approve', version: 1, approver: APPROVER });
    // A second decision is refused: decisions happen once.
    const again = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: 'officer@bank.example', decision: 'approve' },
    });
    expect(again.status).toBe(409);

    await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
    const after = await getAlert(t, alertId);
    const deliveries = before.audience!.deliveries;
    expect(after.counts.sent).toBe(deliveries);

    const alertMails = t.smtp.messages().filter((m) => m.alertId === alertId && m.contactId);
    expect(alertMails).toHaveLength(deliveries);
    expect(t.smtp.duplicates().filter((d) => d.alertId === alertId)).toEqual([]);
    expect(mailFor(t, DEMO.sam.email, alertId)).toHaveLength(1);
    expect(mailFor(t, DEMO.aisha.email, alertId)).toHaveLength(1);
    expect(mailFor(t, DEMO.olivia.email, alertId)).toHaveLength(0);
    expect(mailFor(t, DEMO.joe.email, alertId)).toHaveLength(1);
  });

  it('carries a deterministic Message-ID, one-click unsubscribe and a per-recipient Reply-To', async () => {
    const [mail] = mailFor(t, DEMO.joe.email, alertId);
    const parsed = await t.smtp.parsed(mail!.id);
    expect(parsed?.messageId).toMatch(new RegExp(`^<alert\\.${alertId}\\.${DEMO.joe.id}@`));
    const raw = (await t.smtp.raw(mail!.id))?.toString('utf8') ?? '';
    expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(raw).toMatch(/^List-Unsubscribe: <http[^>]+\/u\/[\w.-]+>, <mailto:unsubscribe\+/m);
    expect(String(parsed?.headers.get('x-rapport-alert-id'))).toBe(alertId);
    const replyTo = parsed?.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^reply\+[\w-]+\.[\w-]+@reply\.rapport\.example$/);
  });

  it('puts every delivery on the contact CRM timeline', async () => {
    const timeline = await eventually(async () => {
      const engagements = await t.rapport.crm.listContactEngagements(String(DEMO.joe.id), 50);
      return engagements.find((e) => e.idempotencyKey === `${alertId}:${DEMO.joe.id}`);
    });
    expect(timeline.kind).toBe('email');
    expect(timeline.body).toContain(alertId);
  });

  it('records an action-link response only on POST, logs it in the CRM and tells the analyst', async () => {
    const [mail] = mailFor(t, DEMO.joe.email, alertId);
    const path = linkPath(await htmlOf(t, mail!.id), /\/r\/.*a=interested/);
    const page = await t.rapport.app.request(path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    let responses = (await (await t.api(`/api/alerts/${alertId}/responses`)).json()) as { responses: unknown[] };
    expect(responses.responses).toHaveLength(0);

    const posted = await t.rapport.app.request(path.split('?')[0]!, form({ a: 'interested' }));
    expect(posted.status).toBe(200);
    // A second click is the same response.
    await t.rapport.app.request(path.split('?')[0]!, form({ a: 'interested' }));
    responses = (await (await t.api(`/api/alerts/${alertId}/responses`)).json()) as { responses: unknown[] };
    expect(responses.responses).toEqual([
      expect.objectContaining({ kind: 'interested', contactId: String(DEMO.joe.id) }),
    ]);

    const note = await eventually(async () => {
      const engagements = await t.rapport.crm.listContactEngagements(String(DEMO.joe.id), 50);
      return engagements.find((e) => e.kind === 'note' && (e.title ?? e.body).includes('Interested'));
    });
    expect(note.body).toContain(alertId);
    const routed = await eventually(async () =>
      mailFor(t, REQUESTER, alertId).find((m) => m.subject.includes('interested')),
    );
    expect(routed.subject).toContain(DEMO.joe.email);
  });

  it('closes the response window with owner tasks and a final summary to the requester', async () => {
    await waitForStatus(t, alertId, 'completed', 120_000);
    const summary = await eventually(async () =>
      mailFor(t, REQUESTER, alertId).find((m) => m.subject.startsWith('Summary:')),
    );
    const text = (await t.smtp.parsed(summary.id))?.text ?? '';
    expect(text).toMatch(/Sent: \d+ \(100%\)/);
    expect(text).toMatch(/Responded: 1 /);
    const tasks = t.sandbox.records('tasks') as { properties: Record<string, string | null> }[];
    expect(tasks.some((task) => task.properties.rapport_idempotency_key?.startsWith(`${alertId}:nonresponders:`))).toBe(
      true,
    );
  });
});
