/**
 * Issue 14: the topic catalogue and an audience that follows the customer's terms. Topics are
 * edited through /api/topics by admins and named by every alert; an email opt-out never moves a
 * contact to SMS without their say; the preview counts only channels this deployment can send on.
 * SMS is configured here (the stand-in), Slack is not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { seedTopics } from '../../../main/steps/topics.js';
import { startSmsStandIn, type SmsStandIn } from '../../../sandbox/sms/index.js';
import { createDeliveryStore } from '../../../store/deliveries.js';
import { DEMO, DEMO_LISTS } from '../../../testkit/demo-data.js';
import { eventually, startTestRapport, type TestRapport } from '../../../testkit/rapport.js';
import { APPROVER, BROADCAST_ENV, OFFICER, alertRequest, approve, getAlert, submit, waitForStatus } from './support.js';

const SMS_FROM = '+15005550006';
const READER_TOKEN = 'reader-token-0123456789abcdefghij';
const LIST = DEMO_LISTS.newsletter.id;

let t: TestRapport;
let sms: SmsStandIn;

beforeAll(async () => {
  sms = await startSmsStandIn({ senders: [SMS_FROM], ratePerSecond: 50 });
  t = await startTestRapport({
    env: {
      ...BROADCAST_ENV,
      // Only the approver may edit the catalogue among people; the officer approves alerts but edits no topics.
      APPROVER_GROUPS: `${BROADCAST_ENV.APPROVER_GROUPS};topic-admins=${APPROVER}`,
      TOPIC_ADMIN_GROUP: 'topic-admins',
      API_SERVICE_TOKENS: `reader(topics:read,alerts:request)=${READER_TOKEN}`,
      SMS_API_URL: sms.apiUrl,
      SMS_ACCOUNT_SID: sms.accountSid,
      SMS_AUTH_TOKEN: sms.authToken,
      SMS_FROM,
      SMS_RATE_PER_SECOND: '50',
    },
  });
});
afterAll(async () => {
  await t?.stop();
  await sms?.close();
});

type Body = Record<string, unknown> & { error?: { code: string; field?: string; message: string } };
const bodyOf = async (res: Response) => (await res.json()) as Body;
const put = async (id: string, json: unknown, authorization?: string) =>
  t.api(`/api/topics/${id}`, {
    method: 'PUT',
    json,
    ...(authorization ? { headers: { authorization } } : {}),
  });

describe('the topic catalogue through /api/topics', () => {
  it('lists the seeded demo topics with their schedules in words', async () => {
    const res = await t.api('/api/topics');
    expect(res.status).toBe(200);
    const { topics } = (await res.json()) as { topics: { id: string; scheduleText: string }[] };
    expect(topics.map((x) => x.id)).toEqual(expect.arrayContaining(['rates', 'products', 'service']));
    expect(topics.find((x) => x.id === 'rates')!.scheduleText).toBe('weekdays 08:30 in your time zone');
    expect(topics.find((x) => x.id === 'service')!.scheduleText).toBe('as it happens');
    const one = await t.api('/api/topics/products');
    expect(await bodyOf(one)).toMatchObject({
      id: 'products',
      schedule: { kind: 'weekly', day: 'mon', time: '07:00' },
      scheduleText: 'Mondays 07:00 in your time zone',
    });
    expect((await t.api('/api/topics/nope')).status).toBe(404);
  });

  it('an admin creates (201), replaces (200) and archives a topic; the id is normalised', async () => {
    const created = await put('FX', {
      name: 'FX',
      description: 'Currency moves that matter to you.',
      defaultChannels: ['email', 'sms'],
      schedule: { kind: 'daily', time: '18:00' },
      urgentAllowed: true,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/api/topics/fx');
    expect(await bodyOf(created)).toMatchObject({ id: 'fx', defaultChannels: ['email', 'sms'], archived: false });

    const admin = await t.as(APPROVER);
    const replaced = await put('fx', { name: 'Foreign exchange' }, admin);
    expect(replaced.status).toBe(200);
    expect(await bodyOf(replaced)).toMatchObject({
      name: 'Foreign exchange',
      defaultChannels: ['email'],
      schedule: null,
      urgentAllowed: false,
    });

    const archived = await t.api('/api/topics/fx', { method: 'DELETE', headers: { authorization: admin } });
    expect(archived.status).toBe(200);
    expect(await bodyOf(archived)).toMatchObject({ id: 'fx', archived: true });
    const open = (await (await t.api('/api/topics')).json()) as { topics: { id: string }[] };
    expect(open.topics.map((x) => x.id)).not.toContain('fx');
    const all = (await (await t.api('/api/topics?archived=true')).json()) as { topics: { id: string }[] };
    expect(all.topics.map((x) => x.id)).toContain('fx');
    expect((await t.api('/api/topics/never-was', { method: 'DELETE' })).status).toBe(404);
  });

  it('the demo seed at the next start adds only what is missing: an edit and an archive stay', async () => {
    expect((await put('products', { name: 'Our products', defaultChannels: ['sms'] })).status).toBe(200);
    expect((await t.api('/api/topics/service', { method: 'DELETE' })).status).toBe(200);
    await seedTopics({ TOPICS_SEED: 'demo', NODE_ENV: 'test' }, t.db, pino({ level: 'silent' }));
    expect(await bodyOf(await t.api('/api/topics/products'))).toMatchObject({
      name: 'Our products',
      defaultChannels: ['sms'],
    });
    expect(await bodyOf(await t.api('/api/topics/service'))).toMatchObject({ archived: true });
    // Back as it was, for the alerts below.
    expect((await put('service', { name: 'Service notices', defaultChannels: ['email', 'sms'] })).status).toBe(200);
  });

  it('refuses writes by people outside the admin group and by services without topics:write', async () => {
    const officer = await put('markets', { name: 'Markets' }, await t.as(OFFICER));
    expect(officer.status).toBe(403);
    expect((await bodyOf(officer)).error).toMatchObject({ code: 'FORBIDDEN', field: 'authorization' });

    const reader = `Bearer ${READER_TOKEN}`;
    expect((await t.api('/api/topics', { headers: { authorization: reader } })).status).toBe(200);
    const write = await put('markets', { name: 'Markets' }, reader);
    expect(write.status).toBe(403);
    expect((await bodyOf(write)).error!.message).toContain('topics:write');
    const del = await t.api('/api/topics/markets', { method: 'DELETE', headers: { authorization: reader } });
    expect(del.status).toBe(403);
    expect((await bodyOf(await t.api('/api/topics/markets'))).name).toBe('Market updates');
  });

  it('bad definitions are a 400 naming the field', async () => {
    const cases: [string, unknown, string][] = [
      ['ok', { name: '' }, 'name'],
      ['ok', { name: 'X', schedule: { kind: 'weekly', time: '07:00' } }, 'schedule.day'],
      ['ok', { name: 'X', schedule: { kind: 'daily', time: '25:00' } }, 'schedule.time'],
      ['ok', { name: 'X', defaultChannels: ['fax'] }, 'defaultChannels.0'],
      ['ok', { name: 'X', urgentAllowed: 'yes' }, 'urgentAllowed'],
      ['not a slug', { name: 'X' }, 'id'],
    ];
    for (const [id, json, field] of cases) {
      const res = await put(encodeURIComponent(id), json);
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect((await bodyOf(res)).error!.field).toBe(field);
    }
    expect((await t.api('/api/topics/ok')).status).toBe(404);
  });
});

describe('an alert names a catalogue topic', () => {
  it('unknown or archived topic: 400 naming topic, nothing stored', async () => {
    for (const topic of ['weather', 'fx']) {
      const res = await t.api('/api/alerts', { method: 'POST', json: alertRequest({ topic }) });
      expect(res.status).toBe(400);
      const error = (await bodyOf(res)).error!;
      expect(error.field).toBe('topic');
      expect(error.message).toContain(`"${topic}"`);
      expect(error.message).toContain('rates');
    }
    const bad = await t.api('/api/alerts', { method: 'POST', json: alertRequest({ topic: 'Rates move!' }) });
    expect(bad.status).toBe(400);
    expect((await bodyOf(bad)).error!.field).toBe('topic');
    const { rows } = await t.db.query<{ n: number }>(
      `select count(*)::int as n from alerts where topic in ('weather', 'fx')`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('a catalogue topic in any case is accepted under its id, and an alert without channels takes the topic’s', async () => {
    const id = await submit(t, { topic: 'SERVICE', channels: undefined });
    const alert = await getAlert(t, id);
    expect(alert).toMatchObject({ topic: 'service', channels: ['email', 'sms'] });
  });
});

/** The Newsletter list (MANUAL) holds exactly these contacts for the next alert. */
function listHolds(...contactIds: string[]) {
  const list = t.sandbox.state().lists.find((l) => l.listId === LIST)!;
  list.members = contactIds.map((recordId) => ({ recordId, membershipTimestamp: new Date().toISOString() }));
}

describe('an email opt-out never moves a contact to SMS without their say', () => {
  const PHONES = { olivia: '+14155550101', dave: '+14155550102', sam: '+14155550103' };
  let alertId: string;

  beforeAll(async () => {
    // All three opted out of email and have a mobile number: Olivia said nothing about texts, Dave
    // consented to texts, Sam chose SMS.
    await t.rapport.crm.updateContactProperties(DEMO.olivia.id, {
      hs_email_optout: 'true',
      mobilephone: PHONES.olivia,
    });
    await t.rapport.crm.updateContactProperties(DEMO.dave.id, {
      hs_email_optout: 'true',
      mobilephone: PHONES.dave,
      rapport_sms_consent: 'true',
    });
    await t.rapport.crm.updateContactProperties(DEMO.sam.id, {
      hs_email_optout: 'true',
      mobilephone: PHONES.sam,
      rapport_preferred_channel: 'sms',
    });
    listHolds(DEMO.olivia.id, DEMO.dave.id, DEMO.sam.id);
    // The topic's default channels (email, SMS): the alert names none.
    alertId = await submit(t, { topic: 'service', lists: [LIST], channels: undefined, title: 'Online banking outage' });
    await waitForStatus(t, alertId, 'awaiting_approval');
    await approve(t, alertId);
    await waitForStatus(t, alertId, ['following_up', 'completed'], 120_000);
  });

  it('no consent: suppressed with its own reason, never texted', async () => {
    expect(sms.messagesTo(PHONES.olivia)).toHaveLength(0);
    const res = await t.api(`/api/alerts/${alertId}/suppressed`);
    const { suppressed } = (await res.json()) as {
      suppressed: { contactId: string; reason: string; detail: string }[];
    };
    expect(suppressed).toEqual([expect.objectContaining({ contactId: DEMO.olivia.id, reason: 'NO_SMS_CONSENT' })]);
    const alert = await getAlert(t, alertId);
    expect(alert.audience?.suppressedByReason.NO_SMS_CONSENT).toBe(1);
  });

  it('consented to texts, or chose SMS: texted once', async () => {
    for (const [who, phone] of [
      ['dave', PHONES.dave],
      ['sam', PHONES.sam],
    ] as const) {
      expect(sms.messagesTo(phone), who).toHaveLength(1);
      const row = await createDeliveryStore(t.db).get(alertId, DEMO[who].id);
      expect(row, who).toMatchObject({ status: 'sent', sentChannel: 'sms' });
    }
  });
});

describe('the approval preview with Slack not configured', () => {
  it('counts would-be Slack recipients under their fallback and says so in the approval email and page', async () => {
    // Maria prefers Slack and has a Slack id; Joe prefers email.
    listHolds(DEMO.maria.id, DEMO.joe.id);
    const id = await submit(t, { topic: 'rates', lists: [LIST], channels: ['email', 'slack'], title: 'Preview' });
    await waitForStatus(t, id, 'awaiting_approval');
    const alert = await getAlert(t, id);
    expect(alert.audience).toMatchObject({
      deliveries: 2,
      channelMix: { email: 2, slack: 0, sms: 0 },
      unconfiguredChannels: { slack: 1 },
    });
    const note = 'Slack is not configured here: 1 would-be Slack recipient is counted under their fallback channel.';
    // The status turns before the approval mails go: wait for the mail itself.
    const mail = await eventually(async () => {
      const found = t.smtp.byRecipient(APPROVER).filter((m) => m.alertId === id);
      return found.length > 0 ? found : undefined;
    });
    const parsed = await t.smtp.parsed(mail[0]!.id);
    expect(parsed?.text).toContain(note);

    const link = /https?:\/\/\S+\/approvals\/[A-Za-z0-9._~-]+/.exec(String(parsed?.text))![0];
    const page = await t.rapport.app.request(new URL(link).pathname);
    const html = await page.text();
    expect(html).toContain('Channels: Email 2');
    expect(html).toContain(note);
  });
});
