import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { createApprovalStore } from '../../../store/approvals.js';
import { eventually, startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import {
  APPROVER,
  BROADCAST_ENV,
  OFFICER,
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

async function approvalLink(alertId: string, approver: string, version = 1): Promise<string> {
  const mail = await eventually(async () =>
    mailFor(t, approver, alertId).find(
      (m) => m.subject.startsWith('Approval needed') && m.messageId?.includes(`.v${version}=`),
    ),
  );
  return linkPath(await htmlOf(t, mail.id), /\/approvals\//);
}

async function auditOf(alertId: string) {
  const body = (await (await t.api(`/api/alerts/${alertId}/audit`)).json()) as {
    audit: { actor: string | null; action: string; outcome: string; source: string; detail: string | null }[];
  };
  return body.audit;
}

const request = (path: string, init?: RequestInit) => Promise.resolve(t.rapport.app.request(path, init));

describe('signed approval links', () => {
  it('GET shows a confirmation page and decides nothing; the POST from it approves', async () => {
    const alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    const path = await approvalLink(alertId, APPROVER);

    const page = await request(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain(REQUESTER);
    // A mail scanner following the link twice changes nothing.
    await request(path);
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');

    const posted = await request(path, form({ decision: 'approve' }));
    expect(posted.status).toBe(200);
    await waitForStatus(t, alertId, ['dispatching', 'following_up', 'completed']);
    const audit = await auditOf(alertId);
    expect(audit).toContainEqual(
      expect.objectContaining({ actor: APPROVER, action: 'approve', outcome: 'accepted', source: 'link' }),
    );

    // Reused: 409 and an audit entry; the other approver's link is refused too, the alert being decided.
    const reused = await request(path, form({ decision: 'approve' }));
    expect(reused.status).toBe(409);
    const officer = await request(await approvalLink(alertId, OFFICER), form({ decision: 'reject', reason: 'late' }));
    expect(officer.status).toBe(409);
    const refused = (await auditOf(alertId)).filter((a) => a.outcome === 'refused');
    expect(refused.map((a) => a.actor)).toEqual(expect.arrayContaining([APPROVER, OFFICER]));
    expect(refused.find((a) => a.actor === APPROVER)?.detail).toMatch(/already used/);
  });

  it('refuses forged, expired and other-approver links with 4xx; signed ones get an audit entry', async () => {
    const alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    const path = await approvalLink(alertId, APPROVER);
    const token = path.split('/').pop()!;

    // Forged: the id of a real link with a MAC made up by the forger.
    const forged = `/approvals/${token.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`;
    expect((await request(forged)).status).toBe(403);
    expect((await request(forged, form({ decision: 'approve' }))).status).toBe(403);

    // Links the store never issued, signed with the real secret: expired, and bound to someone outside the group.
    const approvals = createApprovalStore(t.db);
    await approvals.createLinks([
      {
        id: 'expiredlink0000001',
        alertId,
        version: 1,
        approver: OFFICER,
        expiresAt: new Date(Date.now() - 1000).toISOString(),
      },
      {
        id: 'strangerlink000001',
        alertId,
        version: 1,
        approver: 'mallory@bank.example',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
      {
        id: 'selflink0000000001',
        alertId,
        version: 1,
        approver: REQUESTER,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    ]);
    const signed = (id: string) => `/approvals/${signToken(TEST_SECRET, 'approval', id)}`;
    expect((await request(signed('expiredlink0000001'), form({ decision: 'approve' }))).status).toBe(410);
    expect((await request(signed('strangerlink000001'), form({ decision: 'approve' }))).status).toBe(403);
    expect((await request(signed('selflink0000000001'), form({ decision: 'approve' }))).status).toBe(403);

    const refused = (await auditOf(alertId)).filter((a) => a.outcome === 'refused');
    expect(refused.map((a) => a.actor)).toEqual([OFFICER, 'mallory@bank.example', REQUESTER]);
    // Forged links are counted in the log (anyone can send them), not an audit row each.
    const unknown = await createApprovalStore(t.db).recentRefusals(10);
    expect(unknown.filter((a) => a.alertId === null && a.source === 'link')).toEqual([]);
    expect((await getAlert(t, alertId)).status).toBe('awaiting_approval');
  });

  it('rejecting from a link needs a reason; the link still works after that mistake', async () => {
    const alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    const path = await approvalLink(alertId, OFFICER);
    expect((await request(path, form({ decision: 'reject' }))).status).toBe(400);
    expect((await request(path, form({ decision: 'reject', reason: 'Wrong rates table' }))).status).toBe(200);
    const alert = await waitForStatus(t, alertId, 'rejected');
    expect(alert.counts.sent).toBe(0);
    const notice = await eventually(async () =>
      mailFor(t, REQUESTER, alertId).find((m) => m.subject.startsWith('Rejected')),
    );
    expect((await t.smtp.parsed(notice.id))?.text).toContain('Wrong rates table');
  });

  it('request changes goes back to the requester; the revised version re-enters approval', async () => {
    const alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    const v1 = await approvalLink(alertId, APPROVER);
    const res = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: OFFICER, decision: 'request_changes', reason: 'Add the 36-month rate' },
    });
    expect(res.status).toBe(200);
    await waitForStatus(t, alertId, 'changes_requested');
    await eventually(async () => mailFor(t, REQUESTER, alertId).find((m) => m.subject.startsWith('Changes requested')));

    // Only the requester revises.
    const stranger = await t.api(`/api/alerts/${alertId}/revision`, {
      method: 'PUT',
      json: { requester: APPROVER, title: 'x', body: 'y' },
    });
    expect(stranger.status).toBe(403);
    const revised = await t.api(`/api/alerts/${alertId}/revision`, {
      method: 'PUT',
      json: { requester: REQUESTER, title: 'Rates move (revised)', body: 'Now with **36 months**: 3.50%' },
    });
    expect(revised.status).toBe(200);
    expect(await revised.json()).toEqual({ version: 2 });
    const alert = await waitForStatus(t, alertId, 'awaiting_approval');
    expect(alert.version).toBe(2);

    // The version-1 link no longer decides; the version-2 one does.
    expect((await request(v1, form({ decision: 'approve' }))).status).toBe(409);
    const v2 = await approvalLink(alertId, APPROVER, 2);
    expect((await request(v2, form({ decision: 'approve' }))).status).toBe(200);
    await waitForStatus(t, alertId, ['dispatching', 'following_up', 'completed']);
    const sent = await eventually(async () => t.smtp.messages().find((m) => m.alertId === alertId && m.contactId));
    expect(sent.subject).toBe('Rates move (revised)');
  });
});
