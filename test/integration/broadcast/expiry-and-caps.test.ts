import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
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

let t: TestRapport;

beforeAll(async () => {
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      // Reminder after 3 s, expiry 3 s later; one alert per contact per week.
      APPROVAL_REMINDER_MINUTES: '0.05',
      APPROVAL_EXPIRY_MINUTES: '0.05',
      ALERT_FREQUENCY_CAP: '1/168',
    },
  });
});
afterAll(async () => {
  await t?.stop();
});

describe('approval timing', () => {
  it('reminds the approvers, then expires; an expired link answers 410', async () => {
    const alertId = await submit(t);
    await waitForStatus(t, alertId, 'awaiting_approval');
    const reminder = await eventually(async () =>
      mailFor(t, APPROVER, alertId).find((m) => m.subject.startsWith('Reminder:')),
    );
    expect(reminder.subject).toContain('Approval needed');
    await waitForStatus(t, alertId, 'expired');
    await eventually(async () => mailFor(t, REQUESTER, alertId).find((m) => m.subject.startsWith('Approval expired')));
    // The trail has each approver's request, then their reminder, then the requester told it expired.
    const trail = await eventually(async () => {
      const body = (await (await t.api(`/api/alerts/${alertId}/trail`)).json()) as {
        entries: { step: string; actor: string; outcome: string | null; detail: string | null }[];
      };
      return body.entries.some((e) => e.step === 'requester_notified') ? body.entries : undefined;
    });
    const at = (step: string) => trail.findIndex((e) => e.step === step && e.detail?.includes(APPROVER));
    expect(at('approval_requested')).toBeGreaterThanOrEqual(0);
    expect(at('approval_reminded')).toBeGreaterThan(at('approval_requested'));
    const expired = trail.findIndex((e) => e.step === 'requester_notified' && e.outcome === 'expired');
    expect(expired).toBeGreaterThan(at('approval_reminded'));
    expect(trail[expired]).toMatchObject({ actor: 'rapport', detail: `to ${REQUESTER}` });

    const path = linkPath(await htmlOf(t, reminder.id), /\/approvals\//);
    const res = await t.rapport.app.request(path, form({ decision: 'approve' }));
    expect(res.status).toBe(410);
    const late = await t.api(`/api/alerts/${alertId}/decision`, {
      method: 'POST',
      json: { approver: APPROVER, decision: 'approve' },
    });
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(late.status).toBeLessThan(500);
  });
});

describe('frequency cap', () => {
  it('suppresses contacts who already got an alert within the window', async () => {
    const first = await submit(t, { lists: ['1'] });
    await waitForStatus(t, first, 'awaiting_approval');
    const ok = await t.api(`/api/alerts/${first}/decision`, {
      method: 'POST',
      json: { approver: APPROVER, decision: 'approve' },
    });
    expect(ok.status).toBe(200);
    await waitForStatus(t, first, ['following_up', 'completed']);
    expect(mailFor(t, DEMO.joe.email, first)).toHaveLength(1);

    const second = await submit(t, { lists: ['1'] });
    const alert = await waitForStatus(t, second, 'awaiting_approval');
    expect(alert.audience!.suppressedByReason.FREQUENCY_CAP).toBeGreaterThan(0);
    expect(alert.audience!.deliveries).toBe(0);
  });
});
