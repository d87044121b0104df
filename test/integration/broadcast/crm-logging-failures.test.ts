import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailSender } from '../../../channels/email/sender.js';
import { contactPolicySchema } from '../../../domain/audience/policy.js';
import { alertRequestSchema } from '../../../domain/broadcast/alert-request.js';
import { startSmsStandIn, type SmsStandIn } from '../../../sandbox/sms/index.js';
import { createAlertStore } from '../../../store/alerts.js';
import { createApprovalStore } from '../../../store/approvals.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { createResponseStore } from '../../../store/responses.js';
import { createBroadcastActivities } from '../../../workflows/broadcast/activities.js';
import { DEMO, DEMO_LISTS, DEMO_OWNERS } from '../../../testkit/demo-data.js';
import { eventually, SANDBOX_TEST_TOKEN, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { approve, BROADCAST_ENV, emailDelivery, mailFor, submit, waitForStatus } from './support.js';

const SMS_FROM = '+15005550006';
const LIAM_PHONE = '+16175550188';
const LIST = DEMO_LISTS.newsletter.id;

let t: TestRapport;
let sms: SmsStandIn;

beforeAll(async () => {
  sms = await startSmsStandIn({ senders: [SMS_FROM], ratePerSecond: 50 });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      SMS_API_URL: sms.apiUrl,
      SMS_ACCOUNT_SID: sms.accountSid,
      SMS_AUTH_TOKEN: sms.authToken,
      SMS_FROM,
      SMS_RATE_PER_SECOND: '50',
      PUBLIC_URL: 'https://rapport.bank.example',
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await sms?.close();
});

/** The Newsletter list (MANUAL) holds exactly these contacts for the next alert. */
function listHolds(...contactIds: string[]) {
  const list = t.sandbox.state().lists.find((l) => l.listId === LIST)!;
  list.members = contactIds.map((recordId) => ({ recordId, membershipTimestamp: new Date().toISOString() }));
}

/** What the ledger says about the row's CRM logging (read straight from the store). */
async function crmLog(alertId: string, contactId: string) {
  const { rows } = await t.db.query<{ loggedAt: unknown; engagementId: string | null; error: string | null }>(
    `select crm_logged_at as "loggedAt", crm_engagement_id as "engagementId", crm_log_error as "error"
     from deliveries where alert_id = $1 and contact_id = $2`,
    [alertId, contactId],
  );
  return rows[0]!;
}

const timelineEntry = (alertId: string, contactId: string) =>
  eventually(async () => {
    const engagements = await t.rapport.crm.listContactEngagements(contactId, 50);
    return engagements.find((e) => e.idempotencyKey === `${alertId}:${contactId}`);
  }, 20_000);

const emailFlaggedInvalid = (contactId: string) =>
  eventually(async () => {
    const contact = await t.rapport.crm.getContact(contactId);
    return contact?.properties.rapport_email_invalid === 'true' ? true : undefined;
  }, 20_000);

const bounceTaskFor = (contactId: string) =>
  eventually(async () => {
    const tasks = await t.rapport.crm.listOpenTasks(contactId, 50);
    return tasks.find((task) => task.subject.startsWith('Email bounced:'));
  }, 20_000);

describe('a contact deleted in the CRM after the audience was resolved', () => {
  it('does not hold the alert: the others are logged, flagged and tasked; the row keeps the CRM error', async () => {
    // Noah is deleted in HubSpot while the alert waits for approval, and his address bounces; Joe's
    // address bounces too; Maria gets her email. All three are in one logging chunk.
    listHolds(DEMO.joe.id, DEMO.maria.id, DEMO.noah.id);
    t.smtp.faults.rejectRecipients(DEMO.joe.email, 'permanent');
    t.smtp.faults.rejectRecipients(DEMO.noah.email, 'permanent');
    try {
      const alertId = await submit(t, { title: 'Branch closures over the holidays', lists: [LIST] });
      await waitForStatus(t, alertId, 'awaiting_approval');
      const deleted = await fetch(`${t.sandbox.url}/crm/v3/objects/contacts/${DEMO.noah.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${SANDBOX_TEST_TOKEN}` },
      });
      expect(deleted.status).toBe(204);
      await approve(t, alertId);

      // HubSpot refuses any write associated with Noah (400): the alert must still get through logging.
      const alert = await waitForStatus(t, alertId, 'completed', 90_000);
      expect(alert.counts).toMatchObject({ sent: 1, bounced: 2 });
      expect(mailFor(t, DEMO.maria.email, alertId)).toHaveLength(1);

      // Everyone else's timeline entry exists, Joe's address is flagged and his owner has the task.
      expect(await timelineEntry(alertId, DEMO.maria.id)).toMatchObject({ kind: 'email' });
      expect((await timelineEntry(alertId, DEMO.joe.id)).body).toContain('BOUNCED');
      await emailFlaggedInvalid(DEMO.joe.id);
      expect(await bounceTaskFor(DEMO.joe.id)).toMatchObject({ ownerId: DEMO_OWNERS[0].id });

      // Noah's row is done with, not retried forever: logged without an engagement, the CRM's refusal kept.
      const noah = await crmLog(alertId, DEMO.noah.id);
      expect(noah.loggedAt).not.toBeNull();
      expect(noah.engagementId).toBeNull();
      expect(noah.error).toMatch(/CRM_BAD_REQUEST/);
      expect(noah.error).toContain(DEMO.noah.id);
      const maria = await crmLog(alertId, DEMO.maria.id);
      expect(maria).toMatchObject({ error: null, engagementId: expect.any(String) });
    } finally {
      t.smtp.faults.reset();
    }
  });
});

describe('an email hard bounce rescued by the fallback channel', () => {
  it('reaches the contact by SMS, and still flags the email in the CRM with a task for the owner', async () => {
    // Liam prefers email for this alert, with his mobile as the fallback; his mailbox refuses the message.
    await t.rapport.crm.updateContactProperties(DEMO.liam.id, { rapport_preferred_channel: 'email' });
    listHolds(DEMO.liam.id);
    t.smtp.faults.rejectRecipients(DEMO.liam.email, 'permanent');
    try {
      const alertId = await submit(t, { title: 'New savings account', lists: [LIST], channels: ['email', 'sms'] });
      await waitForStatus(t, alertId, 'awaiting_approval');
      await approve(t, alertId);
      const alert = await waitForStatus(t, alertId, ['following_up', 'completed']);

      // Reached: one text, counted as sent (not as a bounce).
      expect(sms.messagesTo(LIAM_PHONE).filter((m) => m.reference === `${alertId}:${DEMO.liam.id}`)).toHaveLength(1);
      expect(alert.counts).toMatchObject({ sent: 1, bounced: 0 });
      const entry = await timelineEntry(alertId, DEMO.liam.id);
      expect(entry).toMatchObject({ kind: 'note' });
      expect(entry.body).toContain(`sent by SMS to ${LIAM_PHONE}`);

      // The bad address does not stay in the directory.
      await emailFlaggedInvalid(DEMO.liam.id);
      const task = await bounceTaskFor(DEMO.liam.id);
      expect(task).toMatchObject({ ownerId: DEMO_OWNERS[0].id, subject: `Email bounced: ${DEMO.liam.email}` });

      const row = await createDeliveryStore(t.db).get(alertId, DEMO.liam.id);
      expect(row).toMatchObject({ status: 'sent', sentChannel: 'sms', emailBounced: true });
    } finally {
      t.smtp.faults.reset();
    }
  });
});

describe('logBatchToCrm when the CRM is only temporarily unavailable', () => {
  it('throws, so Temporal retries, and leaves the rows to log', async () => {
    const alerts = createAlertStore(t.db);
    const deliveries = createDeliveryStore(t.db);
    const alert = await alerts.insert('alr_01jcrmlogretry000000000000', {
      ...alertRequestSchema.parse({ requester: 'a@bank.example', title: 'T', body: 'B', topic: 'rates', lists: ['1'] }),
      channels: ['email' as const],
    });
    await deliveries.replaceAudience(
      alert.id,
      [DEMO.joe, DEMO.maria].map((c, i) => emailDelivery(c.id, c.email, `retrytoken${i}`)),
      [],
    );
    for (const c of [DEMO.joe, DEMO.maria]) {
      await deliveries.claim(alert.id, c.id);
      await deliveries.finishAndClaim(alert.id, { contactId: c.id, status: 'sent', channel: 'email' }, null);
    }
    // The real HubSpot adapter against the sandbox answering 503 on emails: retryable, so no
    // one-by-one fallback and nothing marked.
    const activities = createBroadcastActivities({
      crm: t.rapport.crm,
      alerts,
      deliveries,
      approvals: createApprovalStore(t.db),
      responses: createResponseStore(t.db),
      mail: {} as EmailSender,
      mailFrom: 'alerts@bank.example',
      secret: 'secret',
      publicUrl: 'https://rapport.bank.example',
      policy: contactPolicySchema.parse({}),
      emailRatePerSecond: 1000,
    });
    const creates = () => t.sandbox.stats().byRoute['POST /crm/v3/objects/emails/batch/create'] ?? 0;
    const before = creates();
    t.sandbox.faults.set({ status: 503, pathPrefix: '/crm/v3/objects/emails' });
    try {
      await expect(new MockActivityEnvironment().run(activities.logBatchToCrm, alert.id, 0, 500)).rejects.toMatchObject(
        { code: 'CRM_UNAVAILABLE' },
      );
    } finally {
      t.sandbox.faults.clear();
    }
    expect(creates() - before).toBe(1);
    expect(await deliveries.unloggedInBatch(alert.id, 0, 500)).toHaveLength(2);
  });
});
