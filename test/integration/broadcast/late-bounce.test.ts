import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../../domain/broadcast/signed-token.js';
import { startSmsStandIn, type SmsStandIn } from '../../../sandbox/sms/index.js';
import { createDeliveryStore, type DeliveryRow } from '../../../store/deliveries.js';
import { DEMO, DEMO_LISTS, DEMO_OWNERS } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, TEST_SECRET, type TestRapport } from '../../../testkit/rapport.js';
import { approve, BROADCAST_ENV, getAlert, mailFor, submit, waitForStatus } from './support.js';

const SMS_FROM = '+15005550006';
const JOE_PHONE = '+16175550142';
const SAM_PHONE = '+16175550143';
const LIST = DEMO_LISTS.newsletter.id;
/** The CRM team's queue: an owner named by email in CRM_TEAM_QUEUE_OWNER. */
const QUEUE = DEMO_OWNERS[2];

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
      CRM_TEAM_QUEUE_OWNER: QUEUE.email,
    },
  });
  // Joe and Sam read email first and have a mobile number: SMS is their fallback channel.
  await t.rapport.crm.updateContactProperties(DEMO.joe.id, { mobilephone: JOE_PHONE });
  // Sam has no account owner.
  await t.rapport.crm.updateContactProperties(DEMO.sam.id, { mobilephone: SAM_PHONE, hubspot_owner_id: '' });
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

async function sendAlert(title: string): Promise<string> {
  const alertId = await submit(t, { title, lists: [LIST], channels: ['email', 'sms'] });
  await waitForStatus(t, alertId, 'awaiting_approval');
  await approve(t, alertId);
  return alertId;
}

const row = async (alertId: string, contactId: string): Promise<DeliveryRow> =>
  (await createDeliveryStore(t.db).get(alertId, contactId))!;

/** A delivery status notification, as a mail server sends one to the envelope sender bounce+<token>@. */
async function postDsn(alertId: string, contactId: string, messageId: string) {
  const delivery = await row(alertId, contactId);
  const raw = [
    'From: Mail Delivery System <MAILER-DAEMON@mx.acme-logistics.example>',
    `To: bounce+${signToken(TEST_SECRET, 'bounce', delivery.token)}@reply.rapport.example`,
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: <${messageId}@mx.acme-logistics.example>`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `<${delivery.email}>: host mx.acme-logistics.example said: 550 5.1.1 User unknown`,
    '',
  ].join('\r\n');
  const res = await t.api('/api/inbound/email', {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822' },
    body: raw,
  });
  expect(res.status).toBe(202);
  expect(await res.json()).toMatchObject({ matched: true, kind: 'bounce', alertId });
}

/** Every bounce response of the alert was handled (its workflow, fallback try included, finished). */
const bouncesHandled = (alertId: string, expected: number) =>
  eventually(async () => {
    const { rows } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from responses where alert_id = $1 and kind = 'bounce' and handled_at is not null`,
      [alertId],
    );
    return rows[0]!.n === expected ? true : undefined;
  }, 60_000);

const tasksKeyed = (key: string) =>
  t.sandbox.records('tasks').filter((task) => task.properties.rapport_idempotency_key === key);

describe('a bounce that arrives after SMTP accepted the message (DSN)', () => {
  it('after the alert completed: one text on the fallback channel, however many DSNs come', async () => {
    listHolds(DEMO.joe.id);
    const alertId = await sendAlert('DSN after completion');
    await waitForStatus(t, alertId, 'completed');
    const emails = mailFor(t, DEMO.joe.email, alertId);
    expect(emails).toHaveLength(1);
    // Greeted by name, from the CRM's first name.
    expect((await t.smtp.parsed(emails[0]!.id))?.text).toContain('Hello Joe,');
    expect((await getAlert(t, alertId)).counts).toMatchObject({ sent: 1, bounced: 0 });

    await postDsn(alertId, DEMO.joe.id, 'dsn-1');
    await bouncesHandled(alertId, 1);
    const texts = sms.messagesTo(JOE_PHONE);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.body).toMatch(/^Hello Joe, DSN after completion\n/);
    expect(await row(alertId, DEMO.joe.id)).toMatchObject({
      status: 'sent',
      sentChannel: 'sms',
      emailBounced: true,
    });
    expect((await row(alertId, DEMO.joe.id)).lastError).toContain('bounced after delivery');
    // bounced -> sent by fallback, live and in the list's stored counts
    expect((await getAlert(t, alertId)).counts).toMatchObject({ sent: 1, bounced: 0, sentAfterBounce: 1 });
    const listed = (await (await t.api('/api/alerts')).json()) as {
      alerts: { id: string; counts: Record<string, number> | null }[];
    };
    expect(listed.alerts.find((a) => a.id === alertId)?.counts).toMatchObject({
      sent: 1,
      bounced: 0,
      sentAfterBounce: 1,
    });

    // A second DSN of the same message (another Message-ID) and a repeat of the first: nothing more is sent.
    await postDsn(alertId, DEMO.joe.id, 'dsn-2');
    await postDsn(alertId, DEMO.joe.id, 'dsn-1');
    await bouncesHandled(alertId, 2);
    expect(sms.messagesTo(JOE_PHONE)).toHaveLength(1);
    expect(await row(alertId, DEMO.joe.id)).toMatchObject({ status: 'sent', sentChannel: 'sms' });

    // The CRM: the address flagged, one address-fix task for the owner, a note of the text on the timeline.
    const contact = await t.rapport.crm.getContact(DEMO.joe.id);
    expect(contact?.properties.rapport_email_invalid).toBe('true');
    const tasks = tasksKeyed(`${alertId}:bounce:${DEMO.joe.id}`);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.properties.hubspot_owner_id).toBe(DEMO_OWNERS[0].id);
    const notes = await eventually(async () => {
      const engagements = await t.rapport.crm.listContactEngagements(DEMO.joe.id, 50);
      const found = engagements.filter((e) => e.idempotencyKey === `${alertId}:${DEMO.joe.id}:late-fallback`);
      return found.length > 0 ? found : undefined;
    });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).toContain('by SMS');
  }, 120_000);

  it('while the alert is still dispatching, two DSNs at once: one text, and the final counts show it', async () => {
    // The first test's DSN flagged Joe's address; mended, so email is his first channel again.
    await t.rapport.crm.updateContactProperties(DEMO.joe.id, { rapport_email_invalid: '' });
    listHolds(DEMO.joe.id, DEMO.liam.id, DEMO.aisha.id, DEMO.noah.id, DEMO.maria.id);
    t.smtp.faults.setLatency(1500);
    let alertId: string;
    try {
      alertId = await sendAlert('DSN while dispatching');
      await eventually(async () => ((await row(alertId, DEMO.joe.id)).status === 'sent' ? true : undefined), 60_000);
      expect((await getAlert(t, alertId)).status).toBe('dispatching');
      await Promise.all([postDsn(alertId, DEMO.joe.id, 'dsn-a'), postDsn(alertId, DEMO.joe.id, 'dsn-b')]);
      await bouncesHandled(alertId, 2);
    } finally {
      t.smtp.faults.reset();
    }
    const alert = await waitForStatus(t, alertId, ['following_up', 'completed'], 60_000);
    expect(sms.messagesTo(JOE_PHONE).filter((m) => m.body.includes('DSN while dispatching'))).toHaveLength(1);
    expect(await row(alertId, DEMO.joe.id)).toMatchObject({ status: 'sent', sentChannel: 'sms', emailBounced: true });
    expect(alert.counts).toMatchObject({ sent: 5, bounced: 0, failed: 0, sentAfterBounce: 1 });
    expect(tasksKeyed(`${alertId}:bounce:${DEMO.joe.id}`)).toHaveLength(1);
  }, 120_000);
});

describe('a contact without an account owner', () => {
  it('still gets its address-fix task, in the CRM team queue, for a bounce during SMTP and for a DSN', async () => {
    listHolds(DEMO.sam.id);
    t.smtp.faults.rejectRecipients(DEMO.sam.email, 'permanent');
    let syncAlert: string;
    try {
      syncAlert = await sendAlert('Ownerless bounce');
      await waitForStatus(t, syncAlert, ['following_up', 'completed']);
    } finally {
      t.smtp.faults.reset();
    }
    expect((await row(syncAlert, DEMO.sam.id)).ownerId).toBeNull();
    // The SMTP refusal already made the fallback try: Sam was texted.
    expect(await row(syncAlert, DEMO.sam.id)).toMatchObject({ status: 'sent', sentChannel: 'sms', emailBounced: true });
    const task = await eventually(async () => tasksKeyed(`${syncAlert}:bounce:${DEMO.sam.id}`)[0]);
    expect(task.properties.hubspot_owner_id).toBe(QUEUE.id);
    expect(task.properties.hs_task_body).toContain('no account owner');

    // The address was mended, so the next alert is emailed again.
    await t.rapport.crm.updateContactProperties(DEMO.sam.id, { rapport_email_invalid: '' });
    const lateAlert = await sendAlert('Ownerless DSN');
    await waitForStatus(t, lateAlert, ['following_up', 'completed']);
    await postDsn(lateAlert, DEMO.sam.id, 'dsn-sam');
    await bouncesHandled(lateAlert, 1);
    const late = tasksKeyed(`${lateAlert}:bounce:${DEMO.sam.id}`);
    expect(late).toHaveLength(1);
    expect(late[0]!.properties.hubspot_owner_id).toBe(QUEUE.id);
  }, 120_000);
});
